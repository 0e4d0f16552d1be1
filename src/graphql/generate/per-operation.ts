/**
 * What a field's arguments make, made once per operation instead of once per parent. A connection nested in a
 * list resolves once for every parent twin, and its arguments are the same each time: they come from the
 * field's node in the document and the operation's variables alone. Its filter, order and hop, made once and
 * frozen, then also give the batch key of the neighbour read (../../api/request-context.ts) once, instead of a
 * JSON text of each per parent.
 */
import type { FieldNode, GraphQLObjectType, GraphQLResolveInfo } from 'graphql';

/**
 * By field node, then by the operation's variables (a new object for every execution), then by the parent's
 * type: a field node in a fragment on an interface resolves through each implementing type's own resolver.
 */
const made = new WeakMap<FieldNode, WeakMap<object, WeakMap<GraphQLObjectType, unknown>>>();

/**
 * `make()` for this field of this operation on this parent type, the first time it is asked; after that, what
 * it made. Fields merged under one response key have equal arguments (GraphQL's validation requires it), so
 * the first node stands for them all. What `make` throws is not kept: each parent gets the error.
 */
export function oncePerOperation<T>(info: GraphQLResolveInfo, make: () => T): T {
  const node = info.fieldNodes[0];
  let byVariables = made.get(node);
  if (!byVariables) made.set(node, (byVariables = new WeakMap()));
  let byType = byVariables.get(info.variableValues);
  if (!byType) byVariables.set(info.variableValues, (byType = new WeakMap()));
  if (byType.has(info.parentType)) return byType.get(info.parentType) as T;
  const value = make();
  byType.set(info.parentType, value);
  return value;
}
