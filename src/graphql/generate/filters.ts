/**
 * From GraphQL filter inputs to the store's query representation. The per-field operator objects
 * (`{ eq, ne, in, notIn, lt, lte, gt, gte, contains, startsWith, endsWith, exists }`) are the same for every
 * scalar, so one translation serves the core's generic filters and every generated `<Model>Where`.
 */
import { TwingraphError } from '../../errors';
import type { ComparisonOperator, Filter, PropertyPath } from '../../store/query';
import type { JsonPrimitive } from '../../store/types';

const COMPARISONS: readonly ComparisonOperator[] = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'contains',
  'startsWith',
  'endsWith',
];

function primitive(value: unknown, where: string): JsonPrimitive {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as JsonPrimitive;
  throw new TwingraphError('InvalidArgument', `${where}: compare with a string, a number or a boolean.`);
}

/** The conditions of one operator object on one property, ANDed. */
export function scalarConditions(
  path: PropertyPath,
  operators: Record<string, unknown>,
  label = path.join('.'),
): Filter[] {
  const conditions: Filter[] = [];
  for (const [op, value] of Object.entries(operators)) {
    if (value === undefined) continue;
    if (value === null)
      throw new TwingraphError('InvalidArgument', `Filter '${label}.${op}' is null: leave it out, or use exists.`);
    if ((COMPARISONS as readonly string[]).includes(op)) {
      conditions.push({ path, op: op as ComparisonOperator, value: primitive(value, `Filter '${label}.${op}'`) });
    } else if (op === 'in' || op === 'notIn') {
      conditions.push({ path, op, values: (value as unknown[]).map((v) => primitive(v, `Filter '${label}.${op}'`)) });
    } else if (op === 'exists') {
      conditions.push({ path, op: 'exists', value: value as boolean });
    } else {
      throw new TwingraphError('InvalidArgument', `Filter '${label}' has no operator '${op}'.`);
    }
  }
  return conditions;
}

/** AND of the conditions, without a needless wrapper. */
export function allOf(conditions: readonly Filter[]): Filter | undefined {
  if (conditions.length === 0) return undefined;
  return conditions.length === 1 ? conditions[0] : { and: conditions };
}

/** `AND`, `OR`, `NOT` of a where input, translated with `translate` for the nested inputs. */
export function logicalConditions<W>(
  where: { AND?: W[] | null; OR?: W[] | null; NOT?: W | null },
  translate: (w: W) => Filter | undefined,
): Filter[] {
  const conditions: Filter[] = [];
  if (where.AND) conditions.push({ and: where.AND.map((w) => translate(w) ?? { and: [] }) });
  if (where.OR) conditions.push({ or: where.OR.map((w) => translate(w) ?? { and: [] }) });
  if (where.NOT) conditions.push({ not: translate(where.NOT) ?? { and: [] } });
  return conditions;
}
