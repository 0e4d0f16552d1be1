/**
 * What one device message says about its twin, worked out without side effects: the telemetry points to
 * record, the JSON Patch of the properties it reports (IoT Plug and Play's reported properties), and every
 * member refused with its reason. A payload is either a collection, `{ "<telemetry or property>": value, … }`
 * (optionally with `"$time"`, when the values were measured), or, on a topic with `{telemetryName}`, that
 * one telemetry's value. Telemetry values are checked here against their schema; the properties are
 * checked by the twin service, on the twin they will produce.
 */
import type { InterfaceModel, ModelSet, Schema } from '../dtdl';
import type { PayloadValidators } from '../graphql/generate/validators';
import type { JsonObject, JsonPatch, JsonValue, MetricPoint } from '../store/types';
import type { DeadLetterReason } from './dead-letters';
import type { Decoded } from './payload';

export interface Refusal {
  readonly reason: DeadLetterReason;
  readonly message: string;
  readonly name?: string;
}

export interface Reading {
  readonly points: MetricPoint[];
  readonly patch: JsonPatch;
  readonly refused: Refusal[];
}

export interface ReadingInput {
  readonly twinId: string;
  readonly model: InterfaceModel;
  readonly models: ModelSet;
  readonly validators: PayloadValidators;
  readonly decoded: Decoded;
  /** The `{telemetryName}` the topic named: the payload is that telemetry's value. */
  readonly telemetryName?: string;
  /** When the message arrived, ms; the points' time unless the payload says `$time`. */
  readonly receivedAt: number;
}

/** ISO 8601 date and time with an offset, as a `$time` must be. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

export function readMessage(input: ReadingInput): Reading {
  const { decoded, telemetryName, model } = input;
  const points: MetricPoint[] = [];
  const patch: JsonPatch = [];
  const refused: Refusal[] = [];
  let time = new Date(input.receivedAt).toISOString();

  if (telemetryName !== undefined) {
    const content = model.contents.get(telemetryName);
    if (content?.kind !== 'Telemetry') {
      refused.push({
        reason: 'unknownName',
        name: telemetryName,
        message: `the topic names '${telemetryName}', which is not a telemetry of ${model.id}`,
      });
      return { points, patch, refused };
    }
    const value = 'raw' in decoded ? rawValue(decoded.raw, content.schema) : decoded.document;
    if (value === undefined) {
      const text = 'raw' in decoded ? decoded.raw.slice(0, 80) : '';
      refused.push({
        reason: 'invalidTelemetry',
        name: telemetryName,
        message: `the raw payload '${text}' is not a value of telemetry '${telemetryName}'`,
      });
    } else telemetryPoint(input, telemetryName, value, time, points, refused);
    return { points, patch, refused };
  }

  if (!('document' in decoded) || !isObject(decoded.document)) {
    refused.push({
      reason: 'notAnObject',
      message: `the payload must be an object of telemetry and property names (${model.id}), or the topic must name the telemetry`,
    });
    return { points, patch, refused };
  }
  const document = decoded.document;
  if (document.$time !== undefined) {
    const stated = document.$time;
    if (typeof stated !== 'string' || !ISO_TIME.test(stated) || Number.isNaN(Date.parse(stated))) {
      refused.push({
        reason: 'invalidTime',
        name: '$time',
        message: `$time must be an ISO 8601 time with an offset, such as 2026-05-01T12:00:00Z (it is ${JSON.stringify(stated).slice(0, 80)}); nothing of the message was recorded`,
      });
      return { points, patch, refused };
    }
    time = new Date(Date.parse(stated)).toISOString();
  }
  for (const [name, value] of Object.entries(document)) {
    if (name === '$time') continue;
    const content = model.contents.get(name);
    switch (content?.kind) {
      case 'Telemetry':
        telemetryPoint(input, name, value, time, points, refused);
        break;
      case 'Property':
        patch.push({ op: 'add', path: `/${pointer(name)}`, value });
        break;
      case 'Component': {
        const component = input.models.interfaces.get(content.schema);
        if (!isObject(value)) {
          refused.push({
            reason: 'invalidProperty',
            name,
            message: `component '${name}' is reported as an object of its properties`,
          });
          break;
        }
        for (const [inner, innerValue] of Object.entries(value)) {
          if (component?.contents.get(inner)?.kind !== 'Property') {
            refused.push({
              reason: 'unknownName',
              name: `${name}/${inner}`,
              message: `'${inner}' is not a property of component '${name}' (${content.schema})`,
            });
            continue;
          }
          patch.push({ op: 'add', path: `/${pointer(name)}/${pointer(inner)}`, value: innerValue });
        }
        break;
      }
      default:
        refused.push({
          reason: 'unknownName',
          name,
          message: content
            ? `'${name}' is a ${content.kind} of ${model.id}: a device reports telemetry, properties and components`
            : `${model.id} has no telemetry or property '${name}'`,
        });
    }
  }
  return { points, patch, refused };
}

function telemetryPoint(
  input: ReadingInput,
  name: string,
  value: JsonValue,
  time: string,
  points: MetricPoint[],
  refused: Refusal[],
): void {
  try {
    input.validators.validateTelemetry(input.model.id, name, value, input.twinId);
    points.push({ twinId: input.twinId, name, time, value });
  } catch (error) {
    refused.push({ reason: 'invalidTelemetry', name, message: (error as Error).message });
  }
}

/** A raw payload's text as a value of the schema; undefined when it is not one. */
export function rawValue(text: string, schema: Schema): JsonValue | undefined {
  const kind = schema.kind === 'primitive' ? schema.name : schema.kind === 'Enum' ? `enum:${schema.valueSchema}` : '';
  switch (kind) {
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
    case 'enum:integer': {
      const trimmed = text.trim();
      const n = Number(trimmed);
      return trimmed !== '' && Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return text.trim() === 'true' ? true : text.trim() === 'false' ? false : undefined;
    case 'string':
    case 'enum:string':
    case 'date':
    case 'dateTime':
    case 'time':
    case 'duration':
      return text;
    default:
      try {
        return JSON.parse(text) as JsonValue;
      } catch {
        return undefined;
      }
  }
}

function isObject(value: JsonValue): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A JSON Pointer segment (RFC 6901). */
function pointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
