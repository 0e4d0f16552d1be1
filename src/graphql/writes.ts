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
});

@InputType({ description: 'One JSON Patch operation.' })
export class JsonPatchOperation {
  @Field(() => PatchOp) op!: PatchOp;
  @Field(() => String, { description: 'A JSON Pointer, e.g. /temperature or /thermostat/setPoint.' }) path!: string;
  @Field(() => JSONScalar, { nullable: true }) value?: unknown;
}

/** The operations as the services take them; `prefix` (e.g. `/thermostat`) makes paths relative to a component. */
export function toJsonPatch(operations: readonly JsonPatchOperation[], prefix = ''): JsonPatch {
  return operations.map((p) => ({
    op: p.op,
    path: `${prefix}${p.path}`,
    ...(p.value !== undefined && { value: p.value as JsonValue }),
  }));
}

@ObjectType({ description: 'A result of deleting something.' })
export class DeleteResult {
  @Field(() => ID) id!: string;
  @Field(() => Boolean) deleted!: boolean;
}

/** An `ifMatch` argument as given (null is an unset variable: no condition). */
export function ifMatch(etag: unknown): IfMatch {
  return typeof etag === 'string' ? { ifMatch: etag } : {};
}

/** The Boolean `ifNoneMatch` argument as ADT's only If-None-Match value, `*`. */
export function ifNoneMatch(only: unknown): IfNoneMatch {
  return only === true ? { ifNoneMatch: '*' } : {};
}
