/**
 * A model's write inputs and what they become: `<Model>CreateInput` (every property and component) turned
 * into the twin's ADT body, and `<Model>UpdateInput` (writable properties and components) turned into a JSON
 * Patch against the current twin, where a value sets and null removes. A model with nothing to set gets no
 * input type (GraphQL forbids empty ones): its create takes no input, and it has no update mutation.
 */
import { GraphQLInputObjectType, type GraphQLInputFieldConfigMap } from 'graphql';
import type { ComponentContent, InterfaceModel, PropertyContent } from '../../dtdl';
import type { JsonObject, JsonPatch, JsonValue, Twin } from '../../store/types';
import { withArticle } from './names';
import { contentDescription, propertyShape, type Args, type Build, type ContentField } from './build';
import type { ComponentTypes } from './components';
import { describe } from './schema-types';

export interface WriteInputs {
  readonly create?: GraphQLInputObjectType;
  readonly update?: GraphQLInputObjectType;
  toBody(input: Args): JsonObject;
  toPatch(input: Args, current: Twin): JsonPatch;
}

export function writeInputs(
  build: Build,
  model: InterfaceModel,
  base: string,
  contents: readonly ContentField[],
  component: (interfaceId: string) => ComponentTypes,
): WriteInputs {
  const { names } = build;
  const properties = contents
    .filter((c): c is ContentField & { content: PropertyContent } => c.content.kind === 'Property')
    .map((c) => ({ ...c, shape: propertyShape(build, c.content) }));
  const components = contents
    .filter((c): c is ContentField & { content: ComponentContent } => c.content.kind === 'Component')
    .map((c) => ({ ...c, types: component(c.content.schema) }));
  const writable = properties.filter((p) => p.content.writable);
  const settable = components.filter(
    (c): c is typeof c & { types: { input: GraphQLInputObjectType } } => c.types.input !== undefined,
  );
  const create =
    properties.length + settable.length > 0
      ? new GraphQLInputObjectType({
          name: names.take(`${base}CreateInput`),
          description: `The properties and components of a new ${base} twin (${model.id}).`,
          fields: () =>
            Object.fromEntries([
              ...properties.map((p) => [
                p.field,
                { type: p.shape.input, description: contentDescription(p.content, model) },
              ]),
              ...settable.map((c) => [
                c.field,
                { type: c.types.input, description: contentDescription(c.content, model) },
              ]),
            ]) as GraphQLInputFieldConfigMap,
        })
      : undefined;
  const update =
    writable.length + settable.length > 0
      ? new GraphQLInputObjectType({
          name: names.take(`${base}UpdateInput`),
          description: `Changes to ${withArticle(base)} twin (${model.id}): the writable properties and the components' properties given are set, those given null are removed, the rest stay. Read-only properties are set with patchTwin.`,
          fields: () =>
            Object.fromEntries([
              ...writable.map((p) => [
                p.field,
                { type: p.shape.input, description: contentDescription(p.content, model) },
              ]),
              ...settable.map((c) => [
                c.field,
                {
                  type: c.types.input,
                  description: describe(
                    contentDescription(c.content, model),
                    'The properties given are set, those given null removed, the rest stay.',
                  ),
                },
              ]),
            ]) as GraphQLInputFieldConfigMap,
        })
      : undefined;
  build.created.push(...(create ? [create] : []), ...(update ? [update] : []));
  const toBody = (input: Args): JsonObject => {
    const body: JsonObject = { $metadata: { $model: model.id } };
    for (const p of properties)
      if (input[p.field] !== undefined && input[p.field] !== null)
        body[p.content.name] = p.shape.fromInput(input[p.field]);
    // Every component is part of a twin (ADT requires it, with its $metadata), whether or not it is given.
    for (const c of components)
      body[c.content.name] = {
        $metadata: {},
        ...(input[c.field] !== undefined && input[c.field] !== null && c.types.fromInput(input[c.field] as Args)),
      };
    return body;
  };
  const toPatch = (input: Args, current: Twin): JsonPatch => {
    const patch: JsonPatch = [];
    const set = (path: string, exists: boolean, value: unknown, convert: (v: unknown) => JsonValue): void => {
      if (value === null) {
        if (exists) patch.push({ op: 'remove', path });
      } else if (value !== undefined) patch.push({ op: 'add', path, value: convert(value) });
    };
    for (const p of writable)
      set(`/${p.content.name}`, current[p.content.name] !== undefined, input[p.field], (v) => p.shape.fromInput(v));
    for (const c of settable) {
      const given = input[c.field] as Args | null | undefined;
      if (!given) continue;
      const existing = (current[c.content.name] ?? {}) as Record<string, unknown>;
      if (current[c.content.name] === undefined)
        patch.push({ op: 'add', path: `/${c.content.name}`, value: { $metadata: {} } });
      for (const prop of c.types.properties)
        set(`/${c.content.name}/${prop.name}`, existing[prop.name] !== undefined, given[prop.name], (v) =>
          prop.shape.fromInput(v),
        );
    }
    return patch;
  };
  return { ...(create && { create }), ...(update && { update }), toBody, toPatch };
}
