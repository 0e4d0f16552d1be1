/**
 * What an operation may cost, estimated before it runs, the way GitHub's GraphQL API counts nodes: every
 * object a field may return counts one, a connection or list field returns as many per parent as its
 * `first`/`last` asks (the default page size when it asks nothing, a page's `nodes`/`edges` as many as
 * their connection), and nested levels multiply. Fields that compute rather than read (forecasts, failure
 * risk, KPIs over peers) add the weight they declare in `extensions.cost`, per object they are asked on.
 * Fragments are counted where they are spread (an upper bound for abstract types). Everything needed is in
 * the document, the schema and the variables: the estimate takes microseconds and touches no store. An
 * operation whose sizes are written in it (no variable among the arguments the estimate reads) costs the
 * same every time it comes: its estimate is kept with its parsed document (which Apollo keeps too), so that
 * its arguments are not coerced once here and again by execution on every request.
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import type { ListSizeEstimate } from '../graphql/cost-hints';
import { DEFAULT_PAGE_SIZE } from '../store/query';

/** What a list without paging arguments is taken to hold (model lists, windows, relationship listings). */
export const UNPAGED_LIST_SIZE = 100;
/** Beyond any limit there may be: an estimate this large stops counting. */
const CAP = Number.MAX_SAFE_INTEGER / 1e6;

export function fieldWeight(field: GraphQLField<unknown, unknown>): number {
  const cost = (field.extensions as { cost?: unknown } | undefined)?.cost;
  return typeof cost === 'number' && cost >= 0 ? cost : 0;
}

/** Whether a literal holds a variable anywhere (a list or an input object may). */
function hasVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(hasVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((f) => hasVariable(f.value));
  return false;
}

/** Estimates that no variable went into, by operation (see the top of this file), with the schema they were made on. */
const constantEstimates = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; cost: number }>();

export function estimateCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>> | undefined,
): number {
  const known = constantEstimates.get(operation);
  if (known && known.schema === schema) return known.cost;
  let usesVariables = false;

  const pageSizeOf = (field: GraphQLField<unknown, unknown>, node: FieldNode): number | undefined => {
    let size: number | undefined;
    for (const name of ['first', 'last']) {
      const argument = field.args.find((a) => a.name === name);
      if (!argument) continue;
      const given = node.arguments?.find((a) => a.name.value === name);
      if (given && hasVariable(given.value)) usesVariables = true;
      const value = given
        ? valueFromAST(given.value, argument.type, variables as Record<string, unknown>)
        : argument.defaultValue;
      if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, Math.max(0, value));
      else if (size === undefined) size = DEFAULT_PAGE_SIZE;
    }
    return size;
  };

  const listSizeOf = (field: GraphQLField<unknown, unknown>, node: FieldNode): number | undefined => {
    const estimate = (field.extensions as { listSize?: ListSizeEstimate } | undefined)?.listSize;
    if (!estimate) return undefined;
    if (node.arguments?.some((a) => hasVariable(a.value))) usesVariables = true;
    try {
      const size = estimate(getArgumentValues(field, node, variables as Record<string, unknown>));
      return Number.isFinite(size) && size >= 0 ? size : undefined;
    } catch {
      // Arguments that do not coerce: execution will refuse them; count the field as unpaged meanwhile.
      return undefined;
    }
  };

  /** The cost of `selections` asked on `count` objects of `type`, inside a connection of `pageSize` items. */
  const costOf = (
    selections: SelectionSetNode,
    type: GraphQLCompositeType,
    count: number,
    pageSize: number | undefined,
    visiting: Set<string>,
  ): number => {
    let total = 0;
    for (const selection of selections.selections) {
      if (total >= CAP) return CAP;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (on && isCompositeType(on)) total += costOf(selection.selectionSet, on, count, pageSize, visiting);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments[name];
        const on = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !on || !isCompositeType(on) || visiting.has(name)) continue;
        visiting.add(name);
        total += costOf(fragment.selectionSet, on, count, pageSize, visiting);
        visiting.delete(name);
        continue;
      }
      if (!(isObjectType(type) || isInterfaceType(type))) continue;
      const field = type.getFields()[selection.name.value];
      if (!field) continue;
      total += count * fieldWeight(field);
      const returned = getNamedType(field.type);
      if (!isCompositeType(returned) || !selection.selectionSet) continue;
      const paged = listSizeOf(field, selection) ?? pageSizeOf(field, selection);
      const list = isListType(getNullableType(field.type));
      // A list field yields its page (its own, or its connection's for nodes/edges); a connection, one object
      // whose lists yield its page; any other object field, one object.
      const items = list ? (paged ?? pageSize ?? UNPAGED_LIST_SIZE) : 1;
      const objects = Math.min(CAP, count * items);
      total += objects + costOf(selection.selectionSet, returned, objects, list ? undefined : paged, visiting);
    }
    return Math.min(total, CAP);
  };

  const root = schema.getRootType(operation.operation);
  const cost = root ? Math.round(costOf(operation.selectionSet, root, 1, undefined, new Set())) : 0;
  if (!usesVariables) constantEstimates.set(operation, { schema, cost });
  return cost;
}
