/**
 * Commands out: every command invocation the change log records (`Command.Invoke`, whoever made it: a
 * generated mutation such as `rebootDevice`, or `invokeDeviceCommand`) is published to the command topic of
 * the twin's binding, with an MQTT 5 response topic and, as correlation data, the invocation's `seq`. The
 * request travels in the extension's implied outer structure, `{ "<request name>": value }`; so does the
 * answer, `{ "<response name>": value }`, with an optional `__stat` user property (an HTTP-like status;
 * 400 and above is a failure, `__stMsg` says why), as Azure IoT Operations' RPC protocol has it.
 *
 * The DTDL co-types decide the rest. A Command that is not `Idempotent` is sent once per invocation (QoS 1
 * may still deliver it twice: the executor drops a correlation data it has seen, as the extension asks
 * of it). An `Idempotent` one is sent again when no answer came, up to the configured retries within the
 * timeout. A `Cacheable` one's answer is reused for an identical request within its `ttl`: the invocation
 * is recorded (who asked, and that they were answered, belong in the log) but not sent. An answer must be
 * the Command's declared response, checked against its schema as requests are; anything else is Failed.
 *
 * Outcomes are kept by seq for a while, so that whoever waits for one (`outcome()`) gets it whether it
 * waits before or after the device answered. Every replica follows the log and listens to the responses,
 * so a wait on any replica ends; only the replicas with TWINGRAPH_MQTT_COMMANDS=on publish, and they hand
 * each outcome of a command they carried to `onOutcome` (which records it in the change log).
 */
import type { ModelSet } from '../dtdl';
import type { ChangeEntry, JsonObject, JsonValue } from '../store/types';
import { bindingOf, commandOf, commandSemantics, type DeviceBindings } from './bindings';
import { decodePayload, encodePayload } from './payload';
import { fillTopic, type TwinIdMapping } from './topics';

export type CommandStatus =
  /** The device answered. */
  | 'Completed'
  /** A Cacheable command's earlier answer to the same request, within its ttl. */
  | 'Cached'
  /** Published and taken by the broker; the command declares no response to wait for. */
  | 'Sent'
  /** No answer within the timeout. */
  | 'TimedOut'
  /** The device answered with an error status, or an answer Twingraph could not read. */
  | 'Failed'
  /** It could not be sent: no MQTT connection, no command topic for the twin's model, … */
  | 'NotSent';

export interface CommandOutcome {
  readonly status: CommandStatus;
  readonly seq: number | undefined;
  readonly twinId: string;
  readonly command: string;
  readonly response: JsonValue | null;
  readonly message: string | null;
  /** Times the request was published. */
  readonly attempts: number;
}

export interface Publisher {
  readonly protocolVersion: 4 | 5;
  publish(
    topic: string,
    payload: Buffer,
    properties: {
      responseTopic?: string;
      correlationData?: Buffer;
      messageExpiryInterval?: number;
      userProperties?: Record<string, string>;
    },
  ): Promise<void>;
}

export interface InvokerOptions {
  readonly dispatch: boolean;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly responseTopic: string;
  readonly clientId: string;
}

/** What an invocation was, for whoever records its outcome. */
export interface Invocation {
  readonly seq: number;
  readonly twinId: string;
  readonly modelId: string;
  readonly command: string;
  readonly request: JsonValue | undefined;
}

export interface InvokerHooks {
  /** Throws (a TwingraphError saying why) when `value` is not the Command's declared response. */
  readonly checkResponse?: (invocation: Invocation, value: JsonValue) => void;
  /** An outcome of a command this replica carried (sent, answered from the cache, or failed to send). */
  readonly onOutcome?: (invocation: Invocation, outcome: CommandOutcome) => void;
}

interface InFlight extends Invocation {
  attempts: number;
  timer?: NodeJS.Timeout;
  /** Whether this replica carries it (publishes it, or answers it from the cache): its outcome is ours to report. */
  carried: boolean;
}

/** How long an outcome is kept for a late waiter. */
const KEEP_OUTCOMES_MS = 5 * 60_000;

export class CommandInvoker {
  readonly #inFlight = new Map<number, InFlight>();
  readonly #outcomes = new Map<number, { outcome: CommandOutcome; at: number }>();
  readonly #waiters = new Map<number, Set<(o: CommandOutcome) => void>>();
  readonly #cache = new Map<string, { response: JsonValue | null; expires: number }>();
  readonly counts = { sent: 0, completed: 0, timedOut: 0, failed: 0, cached: 0 };

  constructor(
    private readonly options: InvokerOptions,
    private readonly models: () => ModelSet,
    private readonly bindings: () => DeviceBindings,
    private readonly mapping: TwinIdMapping,
    private readonly publisher: () => Publisher | undefined,
    private readonly hooks: InvokerHooks = {},
  ) {}

  /** The fresh cached answer to an identical request of a Cacheable command, if there is one. */
  #cached(flight: Invocation): JsonValue | null | undefined {
    const content = commandOf(this.models().interfaces.get(flight.modelId), flight.command);
    if (!content || commandSemantics(content).ttlMs === undefined) return undefined;
    const hit = this.#cache.get(cacheKey(flight.twinId, flight.command, flight.request));
    return hit && hit.expires > Date.now() ? hit.response : undefined;
  }

  /**
   * A Command.Invoke change from the log: tracked on every replica, answered from the cache when it can be
   * (every replica hears every answer, so their caches agree), published where dispatch is on.
   */
  follow(change: ChangeEntry): void {
    if (change.type !== 'Command.Invoke' || !change.twinId || !change.modelId) return;
    const body = (change.body ?? {}) as JsonObject;
    const command = typeof body.command === 'string' ? body.command : undefined;
    if (!command) return;
    const flight: InFlight = {
      seq: change.seq,
      twinId: change.twinId,
      modelId: change.modelId,
      command,
      request: body.request ?? undefined,
      attempts: 0,
      carried: this.options.dispatch,
    };
    this.#inFlight.set(change.seq, flight);
    const cached = this.#cached(flight);
    if (cached !== undefined) {
      this.counts.cached++;
      this.#settle(change.seq, { status: 'Cached', response: cached, message: null, attempts: 0 });
    } else if (this.options.dispatch) this.#send(flight);
    else flight.timer = setTimeout(() => this.#forget(change.seq), this.options.timeoutMs + 1000);
  }

  #send(flight: InFlight): void {
    const seq = flight.seq;
    const fail = (status: CommandStatus, message: string): void =>
      this.#settle(seq, { status, response: null, message, attempts: flight.attempts });
    const publisher = this.publisher();
    // Without a broker, or for a model that talks no MQTT, this replica carries nothing: whoever else acts
    // on the log's invocations may, so no outcome is reported for them.
    const notOurs = (message: string): void => {
      flight.carried = false;
      fail('NotSent', message);
    };
    if (!publisher) return notOurs('Twingraph has no MQTT connection (TWINGRAPH_MQTT_URL)');
    const model = this.models().interfaces.get(flight.modelId);
    const content = commandOf(model, flight.command);
    const binding = bindingOf(this.bindings(), flight.modelId);
    if (!content || !binding?.commands || !binding.format)
      return notOurs(
        `${flight.modelId} has no command topic${binding && !binding.format ? ` Twingraph can write (${binding.payloadFormat})` : ''}: give it an Mqtt co-type with commandTopic, or set TWINGRAPH_MQTT_DEFAULT_COMMAND_TOPIC`,
      );
    const executorId = this.mapping.toDeviceId(flight.twinId);
    let topic: string;
    try {
      topic = fillTopic(binding.commands, {
        executorId,
        commandName: flight.command,
        modelId: binding.modelId ?? flight.modelId,
        invokerClientId: this.options.clientId,
      });
    } catch (error) {
      return fail('NotSent', `no command topic for twin '${flight.twinId}': ${(error as Error).message}`);
    }
    const wrapped: JsonObject =
      content.request && flight.request !== undefined ? { [content.request.name]: flight.request } : {};
    const payload = encodePayload(binding.format, wrapped);
    const { idempotent } = commandSemantics(content);
    const attempts = idempotent ? 1 + this.options.retries : 1;
    const wait = Math.max(50, Math.floor(this.options.timeoutMs / attempts));
    const expects = content.response !== undefined && publisher.protocolVersion === 5;
    const attempt = (): void => {
      flight.attempts++;
      this.counts.sent++;
      publisher
        .publish(topic, payload, {
          responseTopic: `${this.options.responseTopic}/${topic}`,
          correlationData: Buffer.from(String(seq)),
          // A request still undelivered when its invoker has stopped waiting is no use to the device.
          messageExpiryInterval: Math.ceil(this.options.timeoutMs / 1000),
          userProperties: { twinId: flight.twinId },
        })
        .then(
          () => {
            if (!expects)
              this.#settle(seq, {
                status: 'Sent',
                response: null,
                message:
                  content.response !== undefined ? 'sent over MQTT 3.1.1, which cannot carry an answer back' : null,
                attempts: flight.attempts,
              });
          },
          (error: Error) => fail('NotSent', `the broker did not take the request: ${error.message}`),
        );
      if (!expects) return;
      flight.timer = setTimeout(() => {
        if (!this.#inFlight.has(seq)) return;
        if (flight.attempts < attempts) attempt();
        else
          fail('TimedOut', `no answer from the device within ${this.options.timeoutMs} ms (${flight.attempts} sent)`);
      }, wait);
    };
    attempt();
  }

  /**
   * A message on the response topic: the answer to the invocation its correlation data names. Answers to
   * invocations this replica does not know (too old, or before it started) are dropped.
   */
  answer(
    topic: string,
    payload: Buffer,
    correlationData: Buffer | undefined,
    userProperties: Record<string, string | string[]>,
  ): void {
    if (!topic.startsWith(`${this.options.responseTopic}/`) || !correlationData) return;
    const seq = Number(correlationData.toString('utf8'));
    const flight = this.#inFlight.get(seq);
    if (!Number.isSafeInteger(seq) || !flight) return;
    const content = commandOf(this.models().interfaces.get(flight.modelId), flight.command);
    const binding = bindingOf(this.bindings(), flight.modelId);
    const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
    const status = Number(first(userProperties.__stat) ?? '200');
    if (!Number.isFinite(status) || status >= 400) {
      this.#settle(seq, {
        status: 'Failed',
        response: null,
        message: `the device answered ${first(userProperties.__stat)}: ${first(userProperties.__stMsg) ?? 'no message'}`,
        attempts: flight.attempts,
      });
      return;
    }
    let response: JsonValue | null = null;
    if (content?.response && binding?.format) {
      const decoded = decodePayload(binding.format, payload);
      const document = 'document' in decoded ? decoded.document : undefined;
      const name = content.response.name;
      if (!document || typeof document !== 'object' || Array.isArray(document) || !(name in document)) {
        this.#settle(seq, {
          status: 'Failed',
          response: null,
          message: `the answer is not { "${name}": … } in ${binding.payloadFormat}${'problem' in decoded ? `: ${decoded.problem}` : ''}`,
          attempts: flight.attempts,
        });
        return;
      }
      response = (document as JsonObject)[name];
      try {
        this.hooks.checkResponse?.(flight, response);
      } catch (error) {
        this.#settle(seq, {
          status: 'Failed',
          response: null,
          message: `the answer is not the declared response: ${(error as Error).message}`,
          attempts: flight.attempts,
        });
        return;
      }
      const ttlMs = commandSemantics(content).ttlMs;
      if (ttlMs !== undefined)
        this.#cache.set(cacheKey(flight.twinId, flight.command, flight.request), {
          response,
          expires: Date.now() + ttlMs,
        });
    }
    this.#settle(seq, { status: 'Completed', response, message: null, attempts: flight.attempts });
  }

  /** Waits for the outcome of invocation `seq`; TimedOut when none comes within `timeoutMs`. */
  outcome(seq: number, twinId: string, command: string, timeoutMs: number): Promise<CommandOutcome> {
    const kept = this.#outcomes.get(seq);
    if (kept) return Promise.resolve(kept.outcome);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(seq) ?? new Set();
      this.#waiters.set(seq, waiters);
      const done = (o: CommandOutcome): void => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.#waiters.delete(seq);
        resolve(o);
      };
      const timer = setTimeout(
        () =>
          done({
            status: 'TimedOut',
            seq,
            twinId,
            command,
            response: null,
            message: `no answer within ${timeoutMs} ms`,
            attempts: this.#inFlight.get(seq)?.attempts ?? 0,
          }),
        timeoutMs,
      );
      waiters.add(done);
    });
  }

  #settle(seq: number, result: Pick<CommandOutcome, 'status' | 'response' | 'message' | 'attempts'>): void {
    const flight = this.#inFlight.get(seq);
    if (!flight) return;
    clearTimeout(flight.timer);
    this.#inFlight.delete(seq);
    const outcome: CommandOutcome = { ...result, seq, twinId: flight.twinId, command: flight.command };
    if (outcome.status === 'Completed') this.counts.completed++;
    else if (outcome.status === 'TimedOut') this.counts.timedOut++;
    else if (outcome.status === 'Failed' || outcome.status === 'NotSent') this.counts.failed++;
    const now = Date.now();
    this.#outcomes.set(seq, { outcome, at: now });
    for (const [s, kept] of this.#outcomes) {
      if (now - kept.at < KEEP_OUTCOMES_MS) break;
      this.#outcomes.delete(s);
    }
    for (const waiter of [...(this.#waiters.get(seq) ?? [])]) waiter(outcome);
    if (flight.carried) this.hooks.onOutcome?.(flight, outcome);
  }

  #forget(seq: number): void {
    this.#inFlight.delete(seq);
  }

  get pending(): number {
    return this.#inFlight.size;
  }

  close(): void {
    for (const flight of this.#inFlight.values()) clearTimeout(flight.timer);
    this.#inFlight.clear();
  }
}

/** Two requests are identical when their JSON is, members in any order. */
function cacheKey(twinId: string, command: string, request: JsonValue | undefined): string {
  return `${twinId}\n${command}\n${canonical(request ?? null)}`;
}

function canonical(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(',')}}`;
}
