/**
 * Where inputs, and their translation to the store's filters. Every where input has one frame: `AND`, `OR`,
 * `NOT`, an `id` condition, and a field per filterable part, the conditions of the fields given ANDed.
 * `whereInput` builds the frame for a model's twins (`<Model>Where`) and for a relationship's properties
 * (`<…>RelationshipWhere`); each part brings its type and its translation: a property its scalar filter, a
 * component its where, a relationship its `{ some, none, all, edge }` (./relationships.ts).
 */
import {
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
} from 'graphql';
import type { InterfaceModel, RelationshipContent } from '../../dtdl';
import type { Filter, PropertyPath } from '../../store/query';
import { propertyShape, TWIN_ID_PATH, type Args, type Build, type ContentField } from './build';
import type { ComponentTypes } from './components';
import { WHERE_LOGIC } from '../descriptions';
import { allOf, logicalConditions, scalarConditions } from './filters';

/** One field of a where input: its type (read when the schema is built) and its conditions in store terms. */
export interface WherePart {
  readonly field: string;
  readonly type: () => GraphQLInputType;
  /** Default: "Conditions on <field>." */
  readonly description?: string;
  translate(value: Args): Filter[];
}

export interface WhereInput {
  readonly type: GraphQLInputObjectType;
  toFilter(where: Args | null | undefined): Filter | undefined;
}

/** A where input's key for a content or relationship property: the combinators (and `id`) are taken there. */
export function whereKey(name: string, taken: readonly string[] = ['AND', 'OR', 'NOT']): string {
  return taken.includes(name) ? `${name}_` : name;
}

/** The keys a relationship where input holds besides its properties. */
export const RELATIONSHIP_WHERE_TAKEN = ['AND', 'OR', 'NOT', 'id'];

/** A where input with its frame, named now (the name is taken when this is called). */
export function whereInput(
  build: Build,
  spec: {
    readonly name: string;
    readonly description: string;
    readonly id: { readonly path: PropertyPath; readonly description: string };
    readonly parts: readonly WherePart[];
  },
): WhereInput {
  const { names, core } = build;
  const type: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: names.take(spec.name),
    description: spec.description,
    fields: () =>
      ({
        AND: { type: new GraphQLList(new GraphQLNonNull(type)), description: WHERE_LOGIC.AND },
        OR: { type: new GraphQLList(new GraphQLNonNull(type)), description: WHERE_LOGIC.OR },
        NOT: { type, description: WHERE_LOGIC.NOT },
        id: { type: core.named<GraphQLInputType>('IDFilter'), description: spec.id.description },
        ...Object.fromEntries(
          spec.parts.map((p) => [
            p.field,
            { type: p.type(), description: p.description ?? `Conditions on ${p.field}.` },
          ]),
        ),
      }) as GraphQLInputFieldConfigMap,
  });
  const toFilter = (where: Args | null | undefined): Filter | undefined => {
    if (!where) return undefined;
    const conditions = [...logicalConditions(where as never, toFilter)];
    if (where.id) conditions.push(...scalarConditions(spec.id.path, where.id as Args, 'id'));
    for (const part of spec.parts) {
      const given = where[part.field];
      if (given !== undefined && given !== null) conditions.push(...part.translate(given as Args));
    }
    return allOf(conditions);
  };
  return { type, toFilter };
}

/**
 * `<Model>Where`: conditions on a model's twins, by property, component and relationship. The parts' types
 * are made (and named) in content order, before the input itself, as they always have been.
 */
export function modelWhereInput(
  build: Build,
  model: InterfaceModel,
  base: string,
  contents: readonly ContentField[],
  sources: {
    readonly component: (interfaceId: string) => ComponentTypes;
    readonly relationship: (content: RelationshipContent, field: string) => WherePart;
  },
): WhereInput {
  const parts: WherePart[] = [];
  for (const { content, field: contentField } of contents) {
    const field = whereKey(contentField);
    if (content.kind === 'Property') {
      const shape = propertyShape(build, content);
      if (shape.filter)
        parts.push({ field, type: () => shape.filter!, translate: (v) => shape.toFilter!([content.name], v) });
    } else if (content.kind === 'Component') {
      const component = sources.component(content.schema);
      if (component.where)
        parts.push({ field, type: () => component.where!, translate: (v) => component.toFilter([content.name], v) });
    } else if (content.kind === 'Relationship') {
      parts.push(sources.relationship(content, field));
    }
  }
  return whereInput(build, {
    name: `${base}Where`,
    description: `Conditions on ${base} twins (${model.id}); a field's conditions and the fields of one object are ANDed.`,
    id: { path: TWIN_ID_PATH, description: 'The twin id.' },
    parts,
  });
}
