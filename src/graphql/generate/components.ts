/**
 * The types of a component: a DTDL interface used as a component schema becomes a nested object type with
 * its properties and its `metadata`, an input to set them, and a where and an order input over them (each
 * only where the interface has properties to put in it). Built once per interface, whichever models use it,
 * and named after it (`ThermostatComponent`).
 */
import {
  GraphQLInputObjectType,
  GraphQLObjectType,
  type GraphQLInputFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import type { PropertyContent } from '../../dtdl';
import type { Filter, OrderBy, PropertyPath } from '../../store/query';
import type { JsonValue } from '../../store/types';
import type { GraphContext } from '../graph-context';
import { withArticle } from './names';
import { contentDescription, langDescription, ownerBase, propertyShape, type Args, type Build } from './build';
import { describe, singleKeyOrder, type Shape } from './schema-types';

export interface ComponentTypes {
  readonly output: GraphQLObjectType;
  /** Absent when the component's interface has no properties. */
  readonly input?: GraphQLInputObjectType;
  readonly where?: GraphQLInputObjectType;
  readonly order?: GraphQLInputObjectType;
  toFilter(path: PropertyPath, value: Args): Filter[];
  toOrder(path: PropertyPath, value: Args): OrderBy[];
  fromInput(value: Args): Record<string, JsonValue>;
  readonly properties: readonly { name: string; shape: Shape }[];
}

export class ComponentTypeBuilder {
  private readonly built = new Map<string, ComponentTypes>();

  constructor(private readonly build: Build) {}

  /** The types of the component interface `interfaceId`, built on first use. */
  types(interfaceId: string): ComponentTypes {
    let types = this.built.get(interfaceId);
    if (types) return types;
    const iface = this.build.models.interfaces.get(interfaceId);
    if (!iface) throw new Error(`compile: component interface ${interfaceId} is not in the model set`);
    const base = `${ownerBase(this.build, interfaceId)}Component`;
    const { names, core } = this.build;
    const properties = [...iface.contents.values()]
      .filter((c): c is PropertyContent => c.kind === 'Property')
      .map((p) => ({ property: p, shape: propertyShape(this.build, p) }));
    const output = new GraphQLObjectType<Record<string, unknown>, GraphContext>({
      name: names.take(base),
      description: describe(langDescription(iface), `A component of DTDL interface ${interfaceId}.`),
      fields: () => ({
        metadata: {
          type: core.named<GraphQLOutputType>('JSON'),
          description: "The component's $metadata.",
          resolve: (c) => c.$metadata,
        },
        ...Object.fromEntries(
          properties.map(({ property, shape }) => {
            const convert = shape.toOutput;
            const field = property.name === 'metadata' ? 'metadata_' : property.name;
            return [
              field,
              {
                type: shape.output,
                description: contentDescription(property, iface),
                resolve: convert
                  ? (c: Record<string, unknown>) => convert(c[property.name])
                  : (c: Record<string, unknown>) => c[property.name],
              },
            ];
          }),
        ),
      }),
    });
    // A component without properties has nothing to set, and GraphQL forbids empty input types.
    const input = properties.length
      ? new GraphQLInputObjectType({
          name: names.take(`${base}Input`),
          description: `The properties of ${withArticle(base)} (DTDL interface ${interfaceId}).`,
          fields: () =>
            Object.fromEntries(
              properties.map(({ property, shape }) => [
                property.name,
                { type: shape.input, description: contentDescription(property, iface) },
              ]),
            ) as GraphQLInputFieldConfigMap,
        })
      : undefined;
    const filterable = properties.filter((p) => p.shape.filter);
    const where = filterable.length
      ? new GraphQLInputObjectType({
          name: names.take(`${base}Where`),
          description: `Conditions on the properties of ${withArticle(base)} (DTDL interface ${interfaceId}).`,
          fields: () =>
            Object.fromEntries(
              filterable.map(({ property, shape }) => [
                property.name,
                { type: shape.filter!, description: `Conditions on ${property.name}.` },
              ]),
            ) as GraphQLInputFieldConfigMap,
        })
      : undefined;
    const sortable = properties.filter((p) => p.shape.order);
    const order = sortable.length
      ? new GraphQLInputObjectType({
          name: names.take(`${base}OrderBy`),
          description: `Sort by one property of ${withArticle(base)} (DTDL interface ${interfaceId}).`,
          fields: () =>
            Object.fromEntries(
              sortable.map(({ property, shape }) => [
                property.name,
                { type: shape.order!, description: `Sort by ${property.name}.` },
              ]),
            ) as GraphQLInputFieldConfigMap,
        })
      : undefined;
    this.build.created.push(output, ...(input ? [input] : []), ...(where ? [where] : []), ...(order ? [order] : []));
    types = {
      output,
      ...(input && { input }),
      ...(where && { where }),
      ...(order && { order }),
      toFilter: (path, value) =>
        filterable.flatMap(({ property, shape }) =>
          value[property.name] ? shape.toFilter!([...path, property.name], value[property.name] as Args) : [],
        ),
      toOrder: (path, value) =>
        singleKeyOrder(
          path,
          value,
          sortable.map(({ property, shape }) => ({ field: property, shape })),
        ),
      fromInput: (value) => {
        const out: Record<string, JsonValue> = {};
        for (const { property, shape } of properties) {
          const v = value[property.name];
          if (v !== undefined && v !== null) out[property.name] = shape.fromInput(v);
        }
        return out;
      },
      properties: properties.map(({ property, shape }) => ({ name: property.name, shape })),
    };
    this.built.set(interfaceId, types);
    return types;
  }
}
