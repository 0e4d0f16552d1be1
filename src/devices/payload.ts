/**
 * Payload formats, by the `payloadFormat` an Mqtt co-type names: JSON (`Json/ecma/404`), CBOR
 * (`Cbor/rfc/8949`) and raw (`raw/0`: one value as text, for topics that name the telemetry). Avro,
 * Protobuf and custom formats need schemas or code Twingraph does not have: a binding that names one is
 * reported as unsupported and its messages are dead letters, never guessed at.
 *
 * Decoding is pure and total: bytes in, a value or a reason out, whatever the bytes are.
 */
import type { JsonValue } from '../store/types';
import { CborError, decodeCbor, encodeCbor } from './cbor';

export type PayloadFormat = 'json' | 'cbor' | 'raw';

/** The format family a payloadFormat names, or undefined when Twingraph cannot read it. */
export function payloadFormatOf(name: string): PayloadFormat | undefined {
  const family = /^([A-Za-z]+)(?:\/|$)/.exec(name.trim())?.[1]?.toLowerCase();
  return family === 'json' || family === 'cbor' || family === 'raw' ? family : undefined;
}

/** A decoded payload: a document (JSON, CBOR), or raw text whose meaning the Telemetry's schema gives. */
export type Decoded = { readonly document: JsonValue } | { readonly raw: string };

export type DecodeResult = Decoded | { readonly problem: string };

/** JSON and CBOR nesting allowed in a payload; DTDL schemas nest far less. */
export const MAX_PAYLOAD_DEPTH = 32;

export function decodePayload(format: PayloadFormat, bytes: Uint8Array): DecodeResult {
  if (format === 'raw') {
    const text = utf8(bytes);
    return text === undefined ? { problem: 'the raw payload is not UTF-8 text' } : { raw: text };
  }
  let document: JsonValue;
  if (format === 'json') {
    const text = utf8(bytes);
    if (text === undefined) return { problem: 'the JSON payload is not UTF-8 text' };
    try {
      document = JSON.parse(text) as JsonValue;
    } catch (error) {
      return { problem: `the payload is not JSON: ${(error as Error).message}` };
    }
  } else {
    try {
      document = decodeCbor(bytes);
    } catch (error) {
      if (error instanceof CborError) return { problem: `the payload is not CBOR this way: ${error.message}` };
      throw error;
    }
  }
  if (depthOver(document, MAX_PAYLOAD_DEPTH))
    return { problem: `the payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels` };
  return { document };
}

export function encodePayload(format: PayloadFormat, value: JsonValue): Buffer {
  if (format === 'cbor') return encodeCbor(value);
  if (format === 'raw') return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
  return Buffer.from(JSON.stringify(value), 'utf8');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Whether a value nests deeper than `limit`, found without recursion. */
function depthOver(value: JsonValue, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [JsonValue, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as object))
      if (child !== null && typeof child === 'object') stack.push([child as JsonValue, depth + 1]);
  }
  return false;
}
