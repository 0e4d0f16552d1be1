/**
 * A whole Twingraph app with the devices feature plugged in (through StartOptions.features, as an embedder
 * would), a fresh SQLite file, the example MQTT models of examples/mqtt loaded, reached over GraphQL;
 * and MQTT clients standing in for devices and for an operator watching dead letters.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { startApp, type App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { collectDocuments } from '../../../src/dtdl';
import { loadDevicesConfig, type DevicesConfig } from '../../../src/devices/config';
import { createDevicesFeature } from '../../../src/devices/feature';
import { DEVICES, type DevicesAccess } from '../../../src/devices/graphql';
import type { JsonObject } from '../../../src/store/types';

export const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples', 'mqtt');

export const THERMOSTAT = 'dtmi:twingraph:example:Thermostat;1';
export const METER = 'dtmi:twingraph:example:Meter;1';
export const GAUGE = 'dtmi:twingraph:example:Gauge;1';
/** A model without an Mqtt co-type: its twins use the default binding. */
export const PLAIN = 'dtmi:twingraph:example:Plain;1';

const PLAIN_MODEL = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': PLAIN,
  '@type': 'Interface',
  contents: [
    { '@type': 'Telemetry', name: 'speed', schema: 'double' },
    { '@type': 'Command', name: 'stop', response: { name: 'stoppedAt', schema: 'dateTime' } },
  ],
};

export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export class DeviceApp {
  app!: App;
  dir = '';
  readonly clients: MqttClient[] = [];

  constructor(
    private readonly brokerUrl: string,
    private readonly env: Record<string, string> = {},
  ) {}

  devicesConfig(): DevicesConfig {
    return loadDevicesConfig({
      TWINGRAPH_MQTT_URL: this.brokerUrl,
      TWINGRAPH_MQTT_CLIENT_ID: `twingraph-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      TWINGRAPH_MQTT_BATCH_MS: '5',
      TWINGRAPH_MQTT_COMMAND_TIMEOUT_MS: '1500',
      TWINGRAPH_MQTT_RECONNECT_MS: '100',
      TWINGRAPH_MQTT_RECONNECT_MAX_MS: '400',
      ...this.env,
    });
  }

  async start(options: { models?: boolean } = {}): Promise<this> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-devices-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      TWINGRAPH_DB: path.join(this.dir, 'twingraph.db'),
      TWINGRAPH_SEED: 'none',
      TWINGRAPH_PLUGINS: '',
    });
    this.app = await startApp(config, pino({ level: 'silent' }), {
      features: [createDevicesFeature(this.devicesConfig())],
    });
    if (options.models !== false) {
      await this.app.services.models.upload([
        ...collectDocuments([EXAMPLES]).map((d) => d.text),
        JSON.stringify(PLAIN_MODEL),
      ]);
    }
    await waitUntil(() => this.gateway.status().connected, 'the gateway connects to the broker');
    await waitUntil(
      () => this.gateway.status().subscriptions.some((s) => s.includes('sensors/')) || options.models === false,
      'the gateway subscribes to the models’ topics',
    );
    return this;
  }

  /** The feature's services, as its resolvers see them. */
  get gateway(): DevicesAccess {
    return this.app.features.get(DEVICES)!.context as DevicesAccess;
  }

  get url(): string {
    return this.app.server.url;
  }

  async gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: any[] }> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: any[] };
  }

  async ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await this.gql<T>(query, variables);
    if (result.errors?.length || !result.data) throw new Error(JSON.stringify(result.errors, null, 2));
    return result.data;
  }

  /** Creates a twin through the twin service (validated, as GraphQL would). */
  async twin(id: string, model: string, properties: JsonObject = {}): Promise<void> {
    const body = model === THERMOSTAT ? { battery: { $metadata: {} }, ...properties } : properties;
    await this.app.services.twins.create(id, model, body);
  }

  /** An MQTT client (a device, an operator), connected; closed with the app. */
  async client(options: mqtt.IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(this.brokerUrl, { protocolVersion: 5, reconnectPeriod: 100, ...options });
    this.clients.push(client);
    return client;
  }

  async publish(client: MqttClient, topic: string, payload: string | Buffer, options: IClientPublishOptions = {}) {
    await client.publishAsync(topic, payload, { qos: 1, ...options });
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
    await this.app?.close();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Collects the messages of a topic filter. */
export async function collect(
  client: MqttClient,
  filter: string,
): Promise<{ topic: string; payload: Buffer; packet: mqtt.IPublishPacket }[]> {
  const got: { topic: string; payload: Buffer; packet: mqtt.IPublishPacket }[] = [];
  const pattern = new RegExp(
    `^${filter
      .replace(/[.*?^${}()|[\]\\]/g, '\\$&')
      .replace(/\+/g, '[^/]+')
      .replace(/#$/, '.*')}$`,
  );
  client.on('message', (topic, payload, packet) => {
    if (pattern.test(topic)) got.push({ topic, payload, packet });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return got;
}
