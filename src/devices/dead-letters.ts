/**
 * Dead letters: what a device sent that Twingraph did not record, and why. Each is published (QoS 1) to
 * `<prefix>/<reason>/<original topic>` so that an operator can watch one reason or one device with a
 * wildcard, counted by reason, and the newest are kept for `mqttStatus`. One message may give several
 * dead letters (one per value refused) while its valid values are recorded.
 *
 * The dead letter carries at most EXCERPT_BYTES of the original payload: a hostile 100 MB payload must not
 * become a 100 MB dead letter.
 */
import type { JsonValue } from '../store/types';

export type DeadLetterReason =
  /** Larger than TWINGRAPH_MQTT_MAX_PAYLOAD. */
  | 'tooLarge'
  /** Not the binding's payload format (bad JSON, bad CBOR, not UTF-8, too deep). */
  | 'undecodable'
  /** The binding's payload format is one Twingraph cannot read (Avro, Protobuf, custom). */
  | 'unsupportedFormat'
  /** A collection payload that is not an object of telemetry names. */
  | 'notAnObject'
  /** No twin has the id the topic names. */
  | 'unknownTwin'
  /** The twin's model talks on another topic, or the topic's {modelId} is not the twin's model. */
  | 'wrongTopic'
  /** A member that is neither a Telemetry nor a Property of the twin's model. */
  | 'unknownName'
  /** A telemetry value its schema refuses. */
  | 'invalidTelemetry'
  /** A property value its schema refuses, or a property the device may not report. */
  | 'invalidProperty'
  /** A `$time` that is not an ISO 8601 time. */
  | 'invalidTime'
  /** The store refused the write (the twin was deleted meanwhile, …). */
  | 'notRecorded';

export interface DeadLetter {
  readonly reason: DeadLetterReason;
  readonly message: string;
  readonly topic: string;
  readonly time: string;
  readonly twinId?: string;
  readonly name?: string;
  /** The original payload (or its first EXCERPT_BYTES) as UTF-8 text, or base64 when it is not text. */
  readonly payload?: string;
  readonly payloadEncoding?: 'utf8' | 'base64';
  readonly payloadBytes?: number;
}

export const EXCERPT_BYTES = 1024;

/** A dead letter for a message, with an excerpt of its payload. */
export function deadLetter(
  reason: DeadLetterReason,
  message: string,
  topic: string,
  payload: Uint8Array | undefined,
  about: { twinId?: string; name?: string } = {},
  now: number = Date.now(),
): DeadLetter {
  const letter: DeadLetter = { reason, message, topic, time: new Date(now).toISOString(), ...about };
  if (!payload) return letter;
  const excerpt = Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.byteLength, EXCERPT_BYTES));
  const text = excerpt.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(excerpt);
  return {
    ...letter,
    payload: isText ? text : excerpt.toString('base64'),
    payloadEncoding: isText ? 'utf8' : 'base64',
    payloadBytes: payload.byteLength,
  };
}

/** Where a dead letter is published. */
export function deadLetterTopic(prefix: string, letter: DeadLetter): string {
  return `${prefix}/${letter.reason}/${letter.topic}`;
}

/** Counts dead letters by reason and keeps the newest `keep` for the status. */
export class DeadLetterLog {
  readonly #counts = new Map<DeadLetterReason, number>();
  readonly #recent: DeadLetter[] = [];
  #total = 0;

  constructor(private readonly keep = 100) {}

  add(letter: DeadLetter): void {
    this.#total++;
    this.#counts.set(letter.reason, (this.#counts.get(letter.reason) ?? 0) + 1);
    this.#recent.push(letter);
    if (this.#recent.length > this.keep) this.#recent.shift();
  }

  get total(): number {
    return this.#total;
  }

  byReason(): { reason: DeadLetterReason; count: number }[] {
    return [...this.#counts].map(([reason, count]) => ({ reason, count }));
  }

  /** Newest first. */
  recent(limit: number): DeadLetter[] {
    return this.#recent.slice(-Math.max(0, limit)).reverse();
  }
}

export function deadLetterJson(letter: DeadLetter): JsonValue {
  return JSON.parse(JSON.stringify(letter)) as JsonValue;
}
