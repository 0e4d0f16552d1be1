/**
 * The generic twin filter and order inputs (`TwinWhere`, `TwinOrderBy`) in the store's terms. The core's
 * `twins` query uses them, and so does every relationship or inverse field whose target is any twin.
 */
import type { Filter, OrderBy } from '../../store/query';
import { allOf, logicalConditions, scalarConditions } from '../generate/filters';
import type { ModelRef } from '../model-refs';
import type { TwinOrderBy, TwinWhere } from './twin.type';

/** `where` in the store's terms; `models` resolves the model names in it (or refuses them: ModelNotFound). */
export function twinWhereFilter(where: TwinWhere | undefined | null, models: ModelRef): Filter | undefined {
  if (!where) return undefined;
  const conditions: Filter[] = [...logicalConditions(where, (w: TwinWhere) => twinWhereFilter(w, models))];
  if (where.id) conditions.push(...scalarConditions(['$dtId'], where.id as Record<string, unknown>, 'id'));
  if (where.isOf != null) conditions.push({ ofModel: models(where.isOf) });
  if (where.modelId != null) conditions.push({ ofModel: models(where.modelId), exact: true });
  for (const { path, ...operators } of where.properties ?? []) {
    conditions.push(...scalarConditions(path.split('.'), operators as Record<string, unknown>, path));
  }
  return allOf(conditions);
}

export function twinOrder(orderBy: readonly TwinOrderBy[] | undefined | null): OrderBy[] {
  return (orderBy ?? []).map((o) => ({ path: o.path.split('.'), direction: o.direction }));
}
