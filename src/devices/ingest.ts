/**
 * Telemetry in: one device message from topic to store. The topic picks the binding and the twin
 * (`{senderId}` through the twin id template), the twin's model must be one that talks on that topic, the
 * payload is decoded by the binding's format and read against the model (./reading.ts); then its points
 * join the next metric batch and its reported properties patch the twin, both through the twin service,
 * the write path GraphQL uses (validation, ETags, change log, subscriptions, the mirror). Whatever is
 * refused becomes a dead letter with its reason, and the rest of the message is still recorded.
 *
 * `handle` resolves when the message is fully dealt with (recorded, or dead-lettered), which is when the
 * connection may acknowledge it. It never rejects: a message is data, and no data stops ingestion.
 */
import type { Logger } from 'pino';
import type { ModelSnapshot } from '../services/models';
import type { TwinService } from '../services/twins';
import type { JsonPatch, JsonValue, Twin } from '../store/types';
import type { MetricBatcher } from './batcher';
import { bindingOf, telemetryMatches, type DeviceBindings } from './bindings';
import { deadLetter, type DeadLetter, type DeadLetterReason } from './dead-letters';
import { decodePayload } from './payload';
import { readMessage } from './reading';
import type { TwinIdMapping } from './topics';
import type { TwinModels } from './twin-models';

export interface IngestDeps {
  readonly snapshot: () => ModelSnapshot;
  readonly bindings: () => DeviceBindings;
  readonly twinModels: TwinModels;
  readonly batcher: MetricBatcher;
  readonly twins: Pick<TwinService, 'update'>;
  readonly mapping: TwinIdMapping;
  readonly maxPayloadBytes: number;
  readonly deadLetter: (letter: DeadLetter) => void;
  readonly log: Logger;
}

export interface IngestCounts {
  messages: number;
  points: number;
  propertyUpdates: number;
}

export class TelemetryIngest {
  readonly counts: IngestCounts = { messages: 0, points: 0, propertyUpdates: 0 };
  /** Property patches of one twin are applied in the order their messages came. */
  readonly #twinQueues = new Map<string, Promise<void>>();

  constructor(private readonly deps: IngestDeps) {}

  async handle(topic: string, payload: Buffer, receivedAt: number = Date.now()): Promise<void> {
    this.counts.messages++;
    const refuse = (reason: DeadLetterReason, message: string, about: { twinId?: string; name?: string } = {}): void =>
      this.deps.deadLetter(deadLetter(reason, message, topic, payload, about, receivedAt));
    try {
      if (payload.byteLength > this.deps.maxPayloadBytes)
        return refuse(
          'tooLarge',
          `the payload is ${payload.byteLength} bytes; TWINGRAPH_MQTT_MAX_PAYLOAD allows ${this.deps.maxPayloadBytes}`,
        );
      const bindings = this.deps.bindings();
      const matches = telemetryMatches(bindings, topic);
      if (matches.length === 0)
        return refuse('wrongTopic', 'no telemetry topic pattern of any model matches this topic');
      const senderId = matches[0].tokens.senderId;
      const twinId = this.deps.mapping.toTwinId(senderId);
      const found = this.deps.twinModels.get(twinId, receivedAt);
      const modelId = typeof found === 'string' || found === null ? found : await found;
      if (modelId === null)
        return refuse('unknownTwin', `no twin '${twinId}' (from {senderId} '${senderId}')`, { twinId });
      const binding = bindingOf(bindings, modelId);
      const match = matches.find((m) => m.binding === binding);
      if (!binding || !match)
        return refuse(
          'wrongTopic',
          binding?.telemetry
            ? `twin '${twinId}' is a ${modelId}, whose telemetry topic is '${binding.telemetry.text}'`
            : `twin '${twinId}' is a ${modelId}, which declares no telemetry topic`,
          { twinId },
        );
      if (match.tokens.modelId !== undefined && match.tokens.modelId !== modelId)
        return refuse(
          'wrongTopic',
          `the topic says {modelId} '${match.tokens.modelId}'; twin '${twinId}' is a ${modelId}`,
          {
            twinId,
          },
        );
      if (!binding.format)
        return refuse('unsupportedFormat', `${modelId} sends '${binding.payloadFormat}', which Twingraph cannot read`, {
          twinId,
        });
      const decoded = decodePayload(binding.format, payload);
      if ('problem' in decoded) return refuse('undecodable', decoded.problem, { twinId });
      const snapshot = this.deps.snapshot();
      const model = snapshot.models.interfaces.get(modelId);
      if (!model)
        return refuse('unknownTwin', `twin '${twinId}' is a ${modelId}, a model Twingraph no longer has`, { twinId });
      const reading = readMessage({
        twinId,
        model,
        models: snapshot.models,
        validators: snapshot.validators,
        decoded,
        ...(match.tokens.telemetryName !== undefined && { telemetryName: match.tokens.telemetryName }),
        receivedAt,
      });
      for (const r of reading.refused)
        refuse(r.reason, r.message, { twinId, ...(r.name !== undefined && { name: r.name }) });
      const [notRecorded] = await Promise.all([
        this.deps.batcher.add(reading.points),
        reading.patch.length > 0 ? this.#report(twinId, modelId, reading.patch, refuse) : undefined,
      ]);
      this.counts.points += reading.points.length - notRecorded.length;
      for (const { point, message } of notRecorded) refuse('notRecorded', message, { twinId, name: point.name });
    } catch (error) {
      // A failure of Twingraph's own (the store gone away), not of the message: still a dead letter, with why.
      this.deps.log.warn({ err: error, topic }, 'a device message could not be ingested');
      refuse('notRecorded', `Twingraph could not record it: ${(error as Error).message}`);
    }
  }

  /** Applies reported properties; when the patch as a whole is refused, each property on its own. */
  #report(
    twinId: string,
    modelId: string,
    patch: JsonPatch,
    refuse: (reason: DeadLetterReason, message: string, about: { twinId?: string; name?: string }) => void,
  ): Promise<void> {
    const previous = this.#twinQueues.get(twinId) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        await this.deps.twins.update(twinId, modelId, (current) => unchanged(current, patch));
        this.counts.propertyUpdates++;
        return;
      } catch (error) {
        if (patch.length === 1) {
          refuse('invalidProperty', (error as Error).message, { twinId, name: patch[0].path.slice(1) });
          return;
        }
      }
      for (const op of patch) {
        try {
          await this.deps.twins.update(twinId, modelId, (current) => unchanged(current, [op]));
          this.counts.propertyUpdates++;
        } catch (error) {
          refuse('invalidProperty', (error as Error).message, { twinId, name: op.path.slice(1) });
        }
      }
    });
    this.#twinQueues.set(twinId, next);
    void next.finally(() => {
      if (this.#twinQueues.get(twinId) === next) this.#twinQueues.delete(twinId);
    });
    return next;
  }
}

/**
 * The operations that change something: a device reports its state again and again, and a report that
 * repeats the twin's value writes nothing (no new ETag, no change-log entry).
 */
function unchanged(current: Twin, patch: JsonPatch): JsonPatch {
  return patch.filter((op) => {
    if (op.op !== 'add' && op.op !== 'replace') return true;
    let at: unknown = current;
    for (const segment of op.path.slice(1).split('/')) {
      const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
      at =
        at !== null && typeof at === 'object' && Object.hasOwn(at, key)
          ? (at as Record<string, unknown>)[key]
          : undefined;
    }
    return at === undefined || JSON.stringify(at) !== JSON.stringify(op.value as JsonValue);
  });
}
