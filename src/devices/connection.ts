/**
 * The MQTT connection (mqtt.js): MQTT 5 with a fall back to 3.1.1, a persistent session, reconnection with
 * doubling back-off, subscriptions kept in step with the bindings, and acknowledgements that wait for the
 * work a message asked for.
 *
 * Why acknowledgements are taken out of mqtt.js's hands: it sends a QoS 1 PUBACK as soon as its message
 * handler calls back, and handles the next packet only then, so waiting there for the store would ingest
 * one message per store write. Here the handler calls back at once (with a marker error, on which mqtt.js
 * goes on without acknowledging) and each message is settled later; PUBACKs go out in the order the
 * messages came (MQTT's rule), for the prefix of settled ones, on the connection they came on. After a
 * disconnect the broker sends unacknowledged messages again (they carry `dup`); the caller decides what a
 * duplicate is (see ./devices.ts).
 */
import fs from 'node:fs';
import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import type { DevicesConfig } from './config';

export interface InboundMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  /** The broker sent it before (we had not acknowledged it). */
  readonly dup: boolean;
  readonly userProperties: Readonly<Record<string, string | string[]>>;
  readonly correlationData: Buffer | undefined;
  readonly responseTopic: string | undefined;
}

export type MessageHandler = (message: InboundMessage, settle: () => void, connection: number) => void;

export interface ConnectionState {
  readonly connected: boolean;
  /** 5 or 4 (3.1.1). */
  readonly protocolVersion: number;
  readonly subscriptions: readonly string[];
  readonly lastError: { readonly time: string; readonly message: string } | undefined;
  readonly connects: number;
}

/** Passed to mqtt.js's handleMessage callback so that it goes on without sending the PUBACK itself. */
const DEFERRED = new Error('acknowledged later, once settled');

interface Pending {
  readonly messageId: number;
  settled: boolean;
}

/** The parts of mqtt.js's client this module drives beyond its typed API. */
interface ClientInternals {
  _sendPacket(packet: { cmd: 'puback'; messageId: number }, cb?: () => void): void;
}

export class MqttConnection {
  readonly client: MqttClient;
  #protocolVersion: 4 | 5;
  #subscriptions = new Set<string>();
  /** The filters the broker has acknowledged (SUBACK): what status reports, since a message published before
   * the broker acknowledged a subscription is not delivered to it. */
  #acknowledged = new Set<string>();
  #lastError: ConnectionState['lastError'];
  #connects = 0;
  /** Counts connections, so that a settle arriving after a reconnect sends no PUBACK on the new one. */
  #generation = 0;
  #pending: Pending[] = [];
  #backoffMs: number;
  #closed = false;

  constructor(
    private readonly config: DevicesConfig,
    private readonly onMessage: MessageHandler,
    private readonly onConnect: (connection: number) => void = () => undefined,
    private readonly onDisconnect: (connection: number) => void = () => undefined,
  ) {
    if (!config.url) throw new Error('the devices feature has no TWINGRAPH_MQTT_URL to connect to');
    this.#protocolVersion = config.protocol === '3.1.1' ? 4 : 5;
    this.#backoffMs = config.reconnect.baseMs;
    // mqtt.js (about 100 modules) is required only by a process that connects to a broker: most starts never do.
    this.client = (require('mqtt') as typeof import('mqtt')).connect(config.url, this.#options());
    this.client.handleMessage = (packet, callback) => this.#handle(packet, callback);
    this.client.on('connect', () => {
      this.#generation++;
      this.#connects++;
      this.#pending = [];
      this.#backoffMs = this.config.reconnect.baseMs;
      this.client.options.reconnectPeriod = this.#backoffMs;
      // A persistent session keeps the subscriptions; subscribing again is harmless and covers a lost session.
      this.#acknowledged = new Set();
      if (this.#subscriptions.size > 0)
        this.client.subscribe([...this.#subscriptions], { qos: 1 }, (error, granted) => {
          if (error) this.#fail(error);
          for (const g of granted ?? []) if (g.qos !== 128) this.#acknowledged.add(g.topic);
        });
      this.onConnect(this.#generation);
    });
    this.client.on('close', () => {
      this.onDisconnect(this.#generation);
      this.#generation++;
      this.#pending = [];
      // Each failed attempt waits twice as long, up to the cap.
      this.client.options.reconnectPeriod = this.#backoffMs;
      this.#backoffMs = Math.min(this.config.reconnect.maxMs, this.#backoffMs * 2);
    });
    this.client.on('error', (error) => {
      const code = (error as { code?: number }).code;
      // 1 (3.1.1) and 132 (5): the broker does not speak this protocol version.
      if (this.config.protocol === 'auto' && this.#protocolVersion === 5 && (code === 1 || code === 132)) {
        this.#protocolVersion = 4;
        this.client.options.protocolVersion = 4;
        delete this.client.options.properties;
      }
      this.#fail(error);
    });
  }

  #options(): IClientOptions {
    const c = this.config;
    const read = (file: string | undefined): Buffer | undefined => (file ? fs.readFileSync(file) : undefined);
    return {
      clientId: c.clientId,
      protocolVersion: this.#protocolVersion,
      clean: false,
      reconnectPeriod: c.reconnect.baseMs,
      // A broker that refuses the connection (a protocol version it does not speak, credentials it does not
      // take yet, no capacity) is asked again with back-off like one that cannot be reached: mqtt.js gives up
      // at the first refusal otherwise, which left the 3.1.1 fallback connecting to nothing.
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      resubscribe: false,
      queueQoSZero: false,
      ...(c.username !== undefined && { username: c.username }),
      ...(c.password !== undefined && { password: c.password }),
      ...(c.tls.caFile && { ca: read(c.tls.caFile) }),
      ...(c.tls.certFile && { cert: read(c.tls.certFile) }),
      ...(c.tls.keyFile && { key: read(c.tls.keyFile) }),
      ...(this.#protocolVersion === 5 && {
        properties: {
          sessionExpiryInterval: c.sessionExpirySeconds,
          // Messages in flight to us at once: the batches fill from these, so it bounds ingestion's pipeline.
          receiveMaximum: 65_535,
          // Larger packets are not sent to us at all; those between this and TWINGRAPH_MQTT_MAX_PAYLOAD are dead letters.
          maximumPacketSize: Math.max(16 * 1024 * 1024, c.maxPayloadBytes * 4),
        },
      }),
    };
  }

  get state(): ConnectionState {
    return {
      connected: this.client.connected,
      protocolVersion: this.#protocolVersion,
      subscriptions: [...this.#acknowledged],
      lastError: this.#lastError,
      connects: this.#connects,
    };
  }

  get protocolVersion(): 4 | 5 {
    return this.#protocolVersion;
  }

  /** Subscribes to exactly these filters (QoS 1), unsubscribing from the others. */
  async setSubscriptions(filters: readonly string[]): Promise<void> {
    const wanted = new Set(filters);
    const gone = [...this.#subscriptions].filter((f) => !wanted.has(f));
    const added = filters.filter((f) => !this.#subscriptions.has(f));
    this.#subscriptions = wanted;
    if (!this.client.connected) return;
    for (const f of gone) this.#acknowledged.delete(f);
    if (gone.length > 0) await this.client.unsubscribeAsync(gone).catch((error: Error) => this.#fail(error));
    if (added.length > 0) {
      const granted = await this.client.subscribeAsync(added, { qos: 1 }).catch((error: Error) => {
        this.#fail(error);
        return [];
      });
      for (const g of granted)
        if (g.qos === 128) this.#fail(new Error(`the broker refused the subscription to '${g.topic}'`));
        else if (this.#subscriptions.has(g.topic)) this.#acknowledged.add(g.topic);
    }
  }

  /** Publishes at QoS 1; resolves when the broker has it (mqtt.js keeps it across a reconnect meanwhile). */
  async publish(
    topic: string,
    payload: Buffer,
    properties: {
      responseTopic?: string;
      correlationData?: Buffer;
      userProperties?: Record<string, string>;
      messageExpiryInterval?: number;
      contentType?: string;
    } = {},
  ): Promise<void> {
    await this.client.publishAsync(topic, payload, {
      qos: 1,
      ...(this.#protocolVersion === 5 && Object.keys(properties).length > 0 && { properties }),
    });
  }

  #handle(packet: IPublishPacket, callback: (error?: Error) => void): void {
    const props = packet.properties ?? {};
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : Buffer.from(packet.payload);
    const message: InboundMessage = {
      topic: packet.topic,
      payload,
      qos: packet.qos,
      dup: packet.dup === true,
      userProperties: (props.userProperties ?? {}) as Record<string, string | string[]>,
      correlationData: props.correlationData,
      responseTopic: props.responseTopic,
    };
    if (packet.qos !== 1 || packet.messageId === undefined) {
      callback();
      this.onMessage(message, () => undefined, this.#generation);
      return;
    }
    const entry: Pending = { messageId: packet.messageId, settled: false };
    const generation = this.#generation;
    this.#pending.push(entry);
    callback(DEFERRED);
    this.onMessage(
      message,
      () => {
        if (entry.settled || generation !== this.#generation) return;
        entry.settled = true;
        this.#flushAcks();
      },
      generation,
    );
  }

  #flushAcks(): void {
    const internals = this.client as unknown as ClientInternals;
    let n = 0;
    while (n < this.#pending.length && this.#pending[n].settled) {
      internals._sendPacket({ cmd: 'puback', messageId: this.#pending[n].messageId });
      n++;
    }
    if (n > 0) this.#pending.splice(0, n);
  }

  /** Messages received but not acknowledged yet. */
  get unacknowledged(): number {
    return this.#pending.length;
  }

  #fail(error: Error): void {
    this.#lastError = { time: new Date().toISOString(), message: error.message };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.endAsync();
  }
}
