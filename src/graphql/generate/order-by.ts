/**
 * `<Model>OrderBy`: how a model's twins sort. One field per sortable property or component and `id`; each
 * entry of the list names exactly one field (give several entries to sort by several; ties go by id), and
 * becomes the store's orderings.
 */
import { GraphQLInputObjectType, type GraphQLInputFieldConfigMap, type GraphQLInputType } from 'graphql';
import type { InterfaceModel } from '../../dtdl';
import { TwingraphError } from '../../errors';
import type { OrderBy } from '../../store/query';
import { propertyShape, TWIN_ID_PATH, type Args, type Build, type ContentField } from './build';
import type { ComponentTypes } from './components';

export interface OrderInput {
  readonly type: GraphQLInputObjectType;
  toOrder(orderBy: readonly Args[] | null | undefined): OrderBy[];
}

export function modelOrderInput(
  build: Build,
  model: InterfaceModel,
  base: string,
  contents: readonly ContentField[],
  component: (interfaceId: string) => ComponentTypes,
): OrderInput {
  const { names, core } = build;
  const direction = core.named<GraphQLInputType>('SortDirection');
  type Part = { field: string; type: GraphQLInputType; translate: (value: unknown) => OrderBy[] };
  const parts: Part[] = [
    { field: 'id', type: direction, translate: (v) => [{ path: TWIN_ID_PATH, direction: v as 'asc' | 'desc' }] },
  ];
  for (const { content, field } of contents) {
    if (content.kind === 'Property') {
      const shape = propertyShape(build, content);
      if (shape.order) parts.push({ field, type: shape.order, translate: (v) => shape.toOrder!([content.name], v) });
    } else if (content.kind === 'Component') {
      const types = component(content.schema);
      if (types.order)
        parts.push({ field, type: types.order, translate: (v) => types.toOrder([content.name], v as Args) });
    }
  }
  const type = new GraphQLInputObjectType({
    name: names.take(`${base}OrderBy`),
    description: `Sort ${base} twins (${model.id}) by one field per entry; ties go by id.`,
    fields: () =>
      Object.fromEntries(
        parts.map((p) => [
          p.field,
          { type: p.type, description: p.field === 'id' ? 'Sort by the twin id.' : `Sort by ${p.field}.` },
        ]),
      ) as GraphQLInputFieldConfigMap,
  });
  const toOrder = (list: readonly Args[] | null | undefined): OrderBy[] =>
    (list ?? []).flatMap((entry) => {
      const given = parts.filter((p) => entry[p.field] !== undefined && entry[p.field] !== null);
      if (given.length !== 1)
        throw new TwingraphError(
          'InvalidArgument',
          `Each orderBy entry names exactly one field (got ${given.map((g) => g.field).join(', ') || 'none'}); give a list to sort by several.`,
        );
      return given[0].translate(entry[given[0].field]);
    });
  return { type, toOrder };
}
