/**
 * The live demo, as `npm start` runs it (`twingraph start` in a child process, on a small demo firm): with no
 * TWINGRAPH_MQTT_URL it starts an embedded MQTT broker on a loopback port, and the device simulator in the
 * same process publishes the demo devices' telemetry on the Device model's own topics and answers their
 * commands, so that subscriptions fire with nobody writing GraphQL. TWINGRAPH_SIMULATE=off keeps the devices
 * quiet; a store without the demo firm gets neither broker nor simulator; an app started by an embedder or a
 * test (startApp without liveDemo) gets neither either. SIGTERM stops the simulator, then the MQTT client,
 * then the broker.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { DEVICES, type DevicesAccess } from '../../src/devices/graphql';
import { waitUntil } from './support/device-app';
import { ServedApp, writeSmallFirm } from './support/served';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-live-demo-'));
const seeds = writeSmallFirm(dir);
const db = path.join(dir, 'twingraph.db');
/** What every server here shares: the small firm, its store, and no analytics (not what is tested). */
const env = {
  TWINGRAPH_DB: db,
  TWINGRAPH_SEEDS_DIR: seeds,
  TWINGRAPH_PLUGINS: 'devices',
  TWINGRAPH_MQTT_EMBEDDED_PORT: '0',
  TWINGRAPH_SIMULATE_RATE: '200',
  TWINGRAPH_MQTT_CLIENT_ID: `twingraph-live-demo-${process.pid}`,
};

const STATUS = '{ mqttStatus { enabled embedded connected url subscriptions messagesIn pointsRecorded } }';

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('twingraph start on the demo firm', () => {
  let served: ServedApp;
  beforeAll(async () => {
    served = await ServedApp.start(env);
  }, 180_000);
  afterAll(async () => {
    if (served?.child.exitCode === null) await served.stop();
  });

  it('starts the embedded broker on a loopback port and connects the gateway to it', async () => {
    await waitUntil(async () => (await served.gql(STATUS)).mqttStatus.connected, 'the gateway connects');
    const { mqttStatus } = await served.gql(STATUS);
    expect(mqttStatus).toMatchObject({ enabled: true, embedded: true, connected: true });
    expect(mqttStatus.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+\/?$/);
    // Plain subscriptions: the embedded broker has no shared ones.
    expect(mqttStatus.subscriptions).toContain('demo/devices/+/telemetry');
  });

  it("delivers the simulator's telemetry to a metricRecorded subscriber, on the Device model's own topic", async () => {
    const events = served.subscribe(
      'subscription { metricRecorded(models: ["Device"]) { twinId modelId points { name numericValue } } }',
    );
    await waitUntil(() => events.length >= 3, 'telemetry arrives', 20_000);
    expect(events[0]).not.toHaveProperty('error');
    const { twinId, modelId, points } = events[0].metricRecorded;
    expect(twinId).toMatch(/^device-\d+$/);
    expect(modelId).toBe('dtmi:twingraph:demo:Device;1');
    expect(points.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['temperature', 'vibration', 'utilisation']),
    );
    const log = await served.waitForLog((l) => String(l.msg).startsWith('live demo: simulating'));
    expect(log).toMatchObject({ rate: 200, telemetryTopic: 'demo/devices/{senderId}/telemetry' });
  });

  it('has the simulated devices answer runSelfTestOnDevice with its typed result, and report it', async () => {
    const { runSelfTestOnDevice } = await served.gql(
      'mutation { runSelfTestOnDevice(id: "device-00001", timeoutSeconds: 10) { status attempts response { passed errorCount durationSeconds } } }',
    );
    expect(runSelfTestOnDevice).toMatchObject({ status: 'Completed', attempts: 1 });
    expect(typeof runSelfTestOnDevice.response.passed).toBe('boolean');
    expect(runSelfTestOnDevice.response.durationSeconds).toBeGreaterThan(0);
    await waitUntil(async () => {
      const { twin } = await served.gql(
        '{ twin(id: "device-00001") { ... on Device { diagnostics { selfTestPassed } } } }',
      );
      return twin.diagnostics.selfTestPassed === runSelfTestOnDevice.response.passed;
    }, 'the device reports its self-test in its diagnostics component');
  });

  it('records what anyone publishes on the Device topic of the embedded broker (the README’s mosquitto_pub)', async () => {
    const { mqttStatus } = await served.gql(STATUS);
    const client = await mqtt.connectAsync(mqttStatus.url, { protocolVersion: 5 });
    await client.publishAsync(
      'demo/devices/device-00002/telemetry',
      JSON.stringify({ temperature: 99.5, $time: '2026-01-01T00:00:00Z' }),
      { qos: 1 },
    );
    await client.endAsync();
    const query = `{ twin(id: "device-00002") { ... on Device { temperature {
      points(from: "2026-01-01T00:00:00Z", to: "2026-01-01T00:00:01Z") { numericValue } } } } }`;
    await waitUntil(async () => (await served.gql(query)).twin.temperature.points.length === 1, 'recorded');
    expect((await served.gql(query)).twin.temperature.points).toEqual([{ numericValue: 99.5 }]);
  });

  it('stops on SIGTERM: the simulator, then the MQTT client, then the broker, and exits 0', async () => {
    expect(await served.stop()).toBe(0);
    const order = [
      'live demo: the device simulator stopped',
      'devices: disconnected from the MQTT broker',
      'live demo: the embedded broker closed',
      'stopped',
    ].map((msg) => served.messages().indexOf(msg));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('twingraph start with TWINGRAPH_SIMULATE=off', () => {
  let served: ServedApp;
  beforeAll(async () => {
    served = await ServedApp.start({ ...env, TWINGRAPH_SIMULATE: 'off' });
  }, 180_000);
  afterAll(() => served?.stop());

  it('still starts the embedded broker, but no device publishes anything', async () => {
    await waitUntil(async () => (await served.gql(STATUS)).mqttStatus.connected, 'the gateway connects');
    const events = served.subscribe('subscription { metricRecorded(models: ["Device"]) { twinId } }');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(events).toEqual([]);
    const { mqttStatus } = await served.gql(STATUS);
    expect(mqttStatus).toMatchObject({ embedded: true, connected: true, messagesIn: 0, pointsRecorded: 0 });
    expect(served.messages()).toContain('live demo: TWINGRAPH_SIMULATE=off, so the demo devices stay quiet');
  });
});

describe('twingraph start on a store without the demo firm', () => {
  let served: ServedApp;
  beforeAll(async () => {
    served = await ServedApp.start({
      ...env,
      TWINGRAPH_DB: path.join(dir, 'models-only.db'),
      TWINGRAPH_SEED: 'models',
    });
  }, 180_000);
  afterAll(() => served?.stop());

  it('starts neither a broker nor a simulator', async () => {
    const { mqttStatus } = await served.gql(STATUS);
    expect(mqttStatus).toMatchObject({ enabled: false, embedded: false, url: null });
    expect(served.messages()).toContain('live demo: the store holds no demo devices; no embedded broker, no simulator');
  });
});

describe('an app started without the live demo (embedders, tests)', () => {
  it('stays quiet on the demo firm: no broker listens and the gateway connects to nothing', async () => {
    const port = await freePort();
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      TWINGRAPH_DB: db,
      TWINGRAPH_SEEDS_DIR: seeds,
      TWINGRAPH_SEED: 'none',
      TWINGRAPH_PLUGINS: 'devices',
      TWINGRAPH_MQTT_EMBEDDED_PORT: String(port),
      TWINGRAPH_LOG_POLL_MS: '0',
    });
    const app = await startApp(config, pino({ level: 'silent' }));
    try {
      expect((await app.services.store.counts()).twins).toBeGreaterThan(0);
      const devices = app.features.get(DEVICES)!.context as DevicesAccess;
      expect(devices.status()).toMatchObject({ enabled: false, embedded: false });
      expect(await accepting(port)).toBe(false);
    } finally {
      await app.close();
    }
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
