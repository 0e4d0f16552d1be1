/**
 * What a field's arguments make, made once per operation instead of once per parent. A connection nested in a
 * list resolves once for every parent twin, and its arguments are the same each time: they come from the
 * field's node in the document and the operation's variables alone. Its filter, order and hop, made once and
 * frozen, then also give the batch key of the neighbour read (../../api/request-context.ts) once, instead of a
 * JSON text of each per parent.
 */
import type { FieldNode, GraphQLResolveInfo } from 'graphql';

/** By field node, then by the operation's variables (a new object for every execution). */
const made = new WeakMap<FieldNode, WeakMap<object, unknown>>();

/**
 * `make()` for this field of this operation, the first time it is asked; after that, what it made. Fields
 * merged under one response key have equal arguments (GraphQL's validation requires it), so the first node
 * stands for them all. What `make` throws is not kept: each parent gets the error.
 */
export function oncePerOperation<T>(info: GraphQLResolveInfo, make: () => T): T {
  const node = info.fieldNodes[0];
  let byVariables = made.get(node);
  if (!byVariables) made.set(node, (byVariables = new WeakMap()));
  if (byVariables.has(info.variableValues)) return byVariables.get(info.variableValues) as T;
  const value = make();
  byVariables.set(info.variableValues, value);
  return value;
}
