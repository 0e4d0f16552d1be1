/**
 * What the write mutations of several entities share: the JSON Patch input (twins, components and
 * relationships take one), the result of a delete, and the translation of the precondition arguments into
 * the services' options. Only the translation is here: what an ETag condition means (and that an empty one
 * matches nothing) is a rule of the twin service (../services/twins.ts).
 */
import 'reflect-metadata';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { IfMatch, IfNoneMatch } from '../store/port';
import type { JsonPatch, JsonValue } from '../store/types';
import { JSONScalar } from './scalars';

export enum PatchOp {
  add = 'add',
  replace = 'replace',
  remove = 'remove',
}
registerEnumType(PatchOp, {
  name: 'PatchOp',
  description: 'The JSON Patch (RFC 6902) operations Azure Digital Twins accepts.',
  valuesConfig: {
    add: { description: 'Sets a property (adding it, or replacing it when it is there).' },
    replace: { description: 'Replaces a property that is there.' },
    remove: { description: 'Removes a property.' },
  },
});

@InputType({ description: 'One JSON Patch operation.' })
export class JsonPatchOperation {
  @Field(() => PatchOp, { description: 'What to do at path.' }) op!: PatchOp;
  @Field(() => String, { description: 'A JSON Pointer, e.g. /temperature or /thermostat/setPoint.' }) path!: string;
  @Field(() => JSONScalar, {
    nullable: true,
    description: 'The value for add and replace, as ADT JSON: enums as their DTDL values (e.g. "blocked").',
  })
  value?: unknown;
}

/**
 * What every ifMatch argument means. ifNoneMatch is a Boolean rather than an ETag string: ADT's only
 * If-None-Match is `*` (create only), so `true` says all there is to say.
 */
export const IF_MATCH =
  "The etag you read (HTTP's If-Match): the write happens only if it is unchanged (else PreconditionFailed); * for anything existing.";

/** The operations as the services take them; `prefix` (e.g. `/thermostat`) makes paths relative to a component. */
export function toJsonPatch(operations: readonly JsonPatchOperation[], prefix = ''): JsonPatch {
  // Two literals rather than a spread `value`: batch writes convert a thousand patches at once.
  return operations.map((p) =>
    p.value !== undefined
      ? { op: p.op, path: `${prefix}${p.path}`, value: p.value as JsonValue }
      : { op: p.op, path: `${prefix}${p.path}` },
  );
}

@ObjectType({ description: 'A result of deleting something.' })
export class DeleteResult {
  @Field(() => ID, {
    description:
      'The Node id of what was deleted: the twin id, <sourceId>/relationships/<relationshipId>, or the DTMI (evict it from a client cache by it).',
  })
  id!: string;
  @Field(() => Boolean, { description: 'Always true: a delete that fails is an error.' }) deleted!: boolean;
}

/** An `ifMatch` argument as given (null is an unset variable: no condition). */
export function ifMatch(etag: unknown): IfMatch {
  return typeof etag === 'string' ? { ifMatch: etag } : {};
}

/** The Boolean `ifNoneMatch` argument as ADT's only If-None-Match value, `*`. */
export function ifNoneMatch(only: unknown): IfNoneMatch {
  return only === true ? { ifNoneMatch: '*' } : {};
}
