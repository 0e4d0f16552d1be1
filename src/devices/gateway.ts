/**
 * The device gateway: the running devices feature. It holds the MQTT connection (opened by `start`, to the
 * configured broker or the live demo's embedded one), keeps the subscriptions in step with the models'
 * bindings (re-read when the model set changes), hands each telemetry message to the ingestion and
 * acknowledges it once done, publishes dead letters, follows the change log (command invocations to send,
 * twins whose cached model changed), records the outcomes of the commands it carries, and answers
 * `mqttStatus` and the readiness check.
 *
 * Redelivery: the broker sends again what it had not seen acknowledged when a connection dropped. A message
 * recorded but not acknowledged before the drop is remembered (topic and payload digest, bounded); when it
 * comes again marked `dup`, it is acknowledged without being recorded twice. A device that lost its own
 * PUBACK sends again too, and that copy reaches us as a new message: for messages that say when they were
 * measured (`$time`), the same bytes on the same topic within the newest 100,000 are recorded once.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ChangeFeed, ChangeSubscription } from '../events';
import type { ModelService } from '../services/models';
import type { TwinService } from '../services/twins';
import type { TwinReads } from '../store/port';
import type { ChangeEntry, JsonValue } from '../store/types';
import type { FeatureHealth } from '../feature';
import { MetricBatcher } from './batcher';
import { readBindings, type DeviceBindings } from './bindings';
import { CommandInvoker, type CommandOutcome, type Invocation } from './command-invoker';
import type { DevicesConfig } from './config';
import { MqttConnection, type InboundMessage } from './connection';
import { DeadLetterLog, deadLetterTopic, type DeadLetter } from './dead-letters';
import { TelemetryIngest } from './ingest';
import { outcomeRecord, outcomeStoreOf, type CommandOutcomeStore } from './outcome-log';
import { RateCounter } from './rate';
import { sharedFilter, twinIdMapping } from './topics';
import { TwinModels } from './twin-models';

export interface GatewayDeps {
  readonly config: DevicesConfig;
  readonly log: Logger;
  /** Reads twins' models; records command outcomes where the store can (see ./outcome-log.ts). */
  readonly store: Pick<TwinReads, 'getTwins'> & Partial<CommandOutcomeStore>;
  readonly models: Pick<ModelService, 'current'>;
  readonly twins: Pick<TwinService, 'update' | 'recordMetrics' | 'invokeCommand'>;
  readonly feed: Pick<ChangeFeed, 'subscribe'>;
}

export interface MqttStatus {
  readonly enabled: boolean;
  /** Whether the broker is the live demo's embedded one. */
  readonly embedded: boolean;
  readonly connected: boolean;
  readonly url: string | null;
  readonly clientId: string;
  readonly protocolVersion: number | null;
  readonly subscriptions: readonly string[];
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly messagesInPerSecond: number;
  readonly messagesOutPerSecond: number;
  readonly pointsRecorded: number;
  readonly pointsPerSecond: number;
  readonly propertyUpdates: number;
  readonly deadLetters: number;
  readonly deadLettersByReason: readonly { reason: string; count: number }[];
  readonly commands: { sent: number; completed: number; timedOut: number; failed: number; cached: number };
  readonly bindingProblems: readonly string[];
  readonly lastError: { time: string; message: string } | null;
}

const REMEMBER_RECORDED = 10_000;
const REMEMBER_STAMPED = 100_000;
const TIME_MEMBER = Buffer.from('$time');

/** Records a command invocation (a Command.Invoke change), validated, as the twin service does. */
export type RecordInvocation = (
  twinId: string,
  modelId: string,
  command: string,
  request: JsonValue | undefined,
) => Promise<ChangeEntry>;

/** The broker `start` connects to: the configured one, or the live demo's embedded one. */
export interface BrokerChoice {
  readonly url: string;
  /** The embedded broker: no shared subscriptions (aedes has none), and reported as such. */
  readonly embedded: boolean;
}

export class DeviceGateway {
  #connection: MqttConnection | undefined;
  #broker: BrokerChoice | undefined;
  readonly #outcomes: CommandOutcomeStore | undefined;
  #warnedNoOutcomeLog = false;
  readonly #ingest: TelemetryIngest;
  readonly #batcher: MetricBatcher;
  readonly #invoker: CommandInvoker;
  readonly #twinModels: TwinModels;
  readonly #deadLetters = new DeadLetterLog();
  readonly #in = new RateCounter();
  readonly #out = new RateCounter();
  readonly #points = new RateCounter();
  #bindings: { version: number; bindings: DeviceBindings } | undefined;
  #follow: ChangeSubscription | undefined;
  #followDone: Promise<void> | undefined;
  /** Messages in flight per connection, for what a drop leaves unacknowledged. */
  readonly #inFlight = new Map<number, Set<InboundMessage>>();
  /** Digests of messages recorded but not acknowledged when their connection dropped. */
  readonly #recordedUnacked = new Set<string>();
  readonly #dropped = new Set<number>();
  /** Digests of the newest messages that carry a $time. */
  readonly #recentStamped = new Set<string>();
  #lastError: { time: string; message: string } | undefined;
  #stopped = false;

  constructor(private readonly deps: GatewayDeps) {
    const { config } = deps;
    const mapping = twinIdMapping(config.twinIdTemplate);
    this.#twinModels = new TwinModels((ids) => deps.store.getTwins(ids));
    // Devices' writes record the gateway as their actor (a device is not an identity of its own here).
    const actor = `mqtt:${config.clientId}`;
    this.#batcher = new MetricBatcher(
      (points) => deps.twins.recordMetrics(points, { actor }),
      config.batch.points,
      config.batch.ms,
    );
    this.#ingest = new TelemetryIngest({
      snapshot: () => deps.models.current,
      bindings: () => this.bindings,
      twinModels: this.#twinModels,
      batcher: this.#batcher,
      twins: {
        update: (id, modelId, makePatch, options) => deps.twins.update(id, modelId, makePatch, { ...options, actor }),
      },
      mapping,
      maxPayloadBytes: config.maxPayloadBytes,
      deadLetter: (letter) => this.#deadLetter(letter),
      log: deps.log,
    });
    this.#outcomes = outcomeStoreOf(deps.store);
    this.#invoker = new CommandInvoker(
      {
        dispatch: config.commands.dispatch,
        timeoutMs: config.commands.timeoutMs,
        retries: config.commands.retries,
        responseTopic: config.responseTopic,
        clientId: config.clientId,
      },
      () => deps.models.current.models,
      () => this.bindings,
      mapping,
      () => (this.#connection ? this.#publisher(this.#connection) : undefined),
      {
        checkResponse: (invocation, value) =>
          deps.models.current.validators.validateCommandResponse(
            invocation.modelId,
            invocation.command,
            value,
            invocation.twinId,
          ),
        onOutcome: (invocation, outcome) => this.#recordOutcome(invocation, outcome),
      },
    );
  }

  /** The bindings of the current model set (read again after a model upload). */
  get bindings(): DeviceBindings {
    const { version, models } = this.deps.models.current;
    if (this.#bindings?.version !== version) {
      const bindings = readBindings(models, this.deps.config.defaults);
      for (const p of bindings.problems) this.deps.log.warn({ modelId: p.modelId }, p.message);
      this.#bindings = { version, bindings };
      void this.#subscribe();
    }
    return this.#bindings.bindings;
  }

  /**
   * Follows the change log and, given a broker (the configured TWINGRAPH_MQTT_URL, or the live demo's
   * embedded one), connects to it and subscribes to the models' topics.
   */
  start(
    broker: BrokerChoice | undefined = this.deps.config.url
      ? { url: this.deps.config.url, embedded: false }
      : undefined,
  ): void {
    if (broker) {
      this.#broker = broker;
      const config: DevicesConfig = {
        ...this.deps.config,
        url: broker.url,
        shareGroup: broker.embedded ? undefined : this.deps.config.shareGroup,
      };
      this.#connection = new MqttConnection(
        config,
        (message, settle, connection) => this.#receive(message, settle, connection),
        () => {
          void this.#subscribe();
        },
        (connection) => this.#dropped.add(connection),
      );
    }
    this.#followDone = this.#followLog();
    void this.#subscribe();
  }

  /** Follows the log until stopped; a subscription cut off (too slow, store trouble) starts again. */
  async #followLog(): Promise<void> {
    while (!this.#stopped) {
      this.#follow = this.deps.feed.subscribe({
        filter: (c) =>
          c.type === 'Command.Invoke' ||
          c.type === 'Twin.Create' ||
          c.type === 'Twin.Delete' ||
          c.type.startsWith('Model.'),
      });
      try {
        for await (const change of this.#follow) this.#onChange(change);
        return;
      } catch (error) {
        // Invocations made meanwhile are not sent: a command delivered late is worse than one reported lost.
        this.#fail(`the change log subscription ended (${(error as Error).message}); following it again`);
        this.#twinModels.clear();
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  #onChange(change: ChangeEntry): void {
    if (change.type === 'Command.Invoke') this.#invoker.follow(change);
    else if (change.twinId) this.#twinModels.forget(change.twinId);
    else if (change.type.startsWith('Model.')) void this.#subscribe();
  }

  async #subscribe(): Promise<void> {
    const connection = this.#connection;
    if (!connection) return;
    const { responseTopic } = this.deps.config;
    const shareGroup = this.#broker?.embedded ? undefined : this.deps.config.shareGroup;
    const filters = [
      // A model's own telemServiceGroupId names the group its telemetry is split in; shared subscriptions
      // need a broker that has them (not the embedded one).
      ...this.bindings.telemetryFilters.map((f) =>
        sharedFilter(f, this.#broker?.embedded ? undefined : (this.bindings.telemetryGroups.get(f) ?? shareGroup)),
      ),
      // Every replica hears every answer: whichever one a caller waits on must see it.
      `${responseTopic}/#`,
    ];
    await connection.setSubscriptions(filters);
  }

  #receive(message: InboundMessage, settle: () => void, connection: number): void {
    this.#in.add();
    if (message.topic.startsWith(`${this.deps.config.responseTopic}/`)) {
      this.#invoker.answer(message.topic, message.payload, message.correlationData, message.userProperties);
      settle();
      return;
    }
    if (message.dup && this.#recordedUnacked.size > 0) {
      const digest = digestOf(message);
      if (this.#recordedUnacked.delete(digest)) {
        settle();
        return;
      }
    }
    // A device whose PUBACK was lost sends its message again, and the broker passes it on as new (no dup).
    // With a $time the same bytes on the same topic are the same measurement: recorded once.
    const stamped = message.payload.includes(TIME_MEMBER) ? digestOf(message) : undefined;
    if (stamped !== undefined) {
      if (this.#recentStamped.has(stamped)) {
        settle();
        return;
      }
      this.#recentStamped.add(stamped);
      if (this.#recentStamped.size > REMEMBER_STAMPED)
        this.#recentStamped.delete(this.#recentStamped.values().next().value!);
    }
    let inFlight = this.#inFlight.get(connection);
    if (!inFlight) this.#inFlight.set(connection, (inFlight = new Set()));
    inFlight.add(message);
    void this.#ingest.handle(message.topic, message.payload).then(() => {
      inFlight.delete(message);
      if (inFlight.size === 0) this.#inFlight.delete(connection);
      if (this.#dropped.has(connection)) {
        // Recorded, but its acknowledgement went with the connection: the broker will send it again.
        this.#recordedUnacked.add(digestOf(message));
        if (this.#recordedUnacked.size > REMEMBER_RECORDED)
          this.#recordedUnacked.delete(this.#recordedUnacked.values().next().value!);
      } else settle();
      if (!this.#inFlight.has(connection)) this.#dropped.delete(connection);
    });
  }

  #deadLetter(letter: DeadLetter): void {
    this.#deadLetters.add(letter);
    const connection = this.#connection;
    if (!connection) return;
    this.#out.add();
    connection
      .publish(deadLetterTopic(this.deps.config.deadLetterTopic, letter), Buffer.from(JSON.stringify(letter)), {
        contentType: 'application/json',
      })
      .catch((error: Error) => this.#fail(`could not publish a dead letter: ${error.message}`));
  }

  #publisher(connection: MqttConnection) {
    return {
      get protocolVersion() {
        return connection.protocolVersion;
      },
      publish: (topic: string, payload: Buffer, properties: Parameters<MqttConnection['publish']>[2]) => {
        this.#out.add();
        return connection.publish(topic, payload, properties);
      },
    };
  }

  /**
   * Invokes a command through the change log (recorded as Command.Invoke, validated and authorized by the
   * caller's write path) and waits for its outcome; a Cacheable command's fresh answer to the same request
   * comes at once, without anything sent.
   */
  async invoke(
    twinId: string,
    command: string,
    request: JsonValue | undefined,
    timeoutMs: number,
    record: RecordInvocation = (...args) => this.deps.twins.invokeCommand(...args),
  ): Promise<CommandOutcome> {
    const [twin] = await this.deps.store.getTwins([twinId]);
    // Not found, not a command, an invalid request, out of the caller's scope: the write path says so.
    const change = await record(twinId, twin?.$metadata.$model ?? '', command, request);
    return this.awaitOutcome(change.seq, twinId, command, timeoutMs);
  }

  /** Waits for the outcome of an invocation already recorded (a generated command mutation's). */
  awaitOutcome(seq: number, twinId: string, command: string, timeoutMs: number): Promise<CommandOutcome> {
    return this.#invoker.outcome(seq, twinId, command, timeoutMs);
  }

  /** Records how a command this replica carried ended, as a change of its twin after the Command.Invoke. */
  #recordOutcome(invocation: Invocation, outcome: CommandOutcome): void {
    if (!this.#outcomes) {
      if (!this.#warnedNoOutcomeLog)
        this.deps.log.info('this store cannot record command outcomes in the change log; callers still get them');
      this.#warnedNoOutcomeLog = true;
      return;
    }
    this.#outcomes
      .recordCommandOutcome(invocation.twinId, outcomeRecord(invocation.seq, outcome), {
        actor: `mqtt:${this.deps.config.clientId}`,
      })
      .catch((error: Error) =>
        this.#fail(`could not record the outcome of command invocation ${invocation.seq}: ${error.message}`),
      );
  }

  /** Records batched points at once (tests, shutdown). */
  flush(): Promise<void> {
    return this.#batcher.flush();
  }

  recentDeadLetters(limit: number): DeadLetter[] {
    return this.#deadLetters.recent(limit);
  }

  status(): MqttStatus {
    const state = this.#connection?.state;
    const counts = this.#ingest.counts;
    this.#points.add(counts.points - this.#points.total);
    const bindings = this.bindings;
    return {
      enabled: this.#connection !== undefined,
      embedded: this.#broker?.embedded ?? false,
      connected: state?.connected ?? false,
      url: this.#broker ? redact(this.#broker.url) : null,
      clientId: this.deps.config.clientId,
      protocolVersion: state?.protocolVersion ?? null,
      subscriptions: state?.subscriptions ?? [],
      messagesIn: this.#in.total,
      messagesOut: this.#out.total,
      messagesInPerSecond: this.#in.perSecond(),
      messagesOutPerSecond: this.#out.perSecond(),
      pointsRecorded: counts.points,
      pointsPerSecond: this.#points.perSecond(),
      propertyUpdates: counts.propertyUpdates,
      deadLetters: this.#deadLetters.total,
      deadLettersByReason: this.#deadLetters.byReason(),
      commands: { ...this.#invoker.counts },
      bindingProblems: bindings.problems.map((p) => p.message),
      lastError:
        [state?.lastError, this.#lastError]
          .filter((e) => e !== undefined)
          .sort((a, b) => (a.time < b.time ? 1 : -1))[0] ?? null,
    };
  }

  /**
   * Ready when there is no broker to talk to (nothing to wait for) or it is connected: a replica that lost
   * its broker still serves GraphQL, but its devices are not heard, which a readiness check should say.
   */
  health(): FeatureHealth {
    const status = this.status();
    return {
      ready: !status.enabled || status.connected,
      detail: {
        mqtt: {
          enabled: status.enabled,
          embedded: status.embedded,
          connected: status.connected,
          url: status.url,
          subscriptions: status.subscriptions.length,
          lastError: status.lastError,
        },
      },
    };
  }

  #fail(message: string): void {
    this.#lastError = { time: new Date().toISOString(), message };
    this.deps.log.warn(message);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#follow?.return();
    await this.#batcher.flush();
    this.#invoker.close();
    await this.#connection?.close();
    await this.#followDone;
  }
}

function digestOf(message: InboundMessage): string {
  return createHash('sha1').update(message.topic).update('\0').update(message.payload).digest('base64');
}

/** The broker's URL without a password in it. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
