/**
 * The devices feature's health, as /readyz is to report it (App.featureHealth): ready while it talks to its
 * broker, not ready (saying why) once the connection is lost, ready again when the broker is back; always
 * ready when it has no broker to talk to. Run against Mosquitto and the embedded broker, each stopped and
 * started again on the same port.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { healthOf, type RunningFeature } from '../../src/feature';
import { describeWhen } from '../support/shared';
import { BROKERS, type BrokerKind } from './support/brokers';
import { DeviceApp, waitUntil } from './support/device-app';

const healthOver = (kind: BrokerKind) => () => {
  const broker = kind.create();
  let t: DeviceApp;

  beforeAll(async () => {
    await broker.start();
    t = await new DeviceApp(broker.url, kind.env).start();
  });
  afterAll(async () => {
    await t?.close();
    await broker.close();
  });

  it('is ready while connected, and says to what', () => {
    expect(t.app.featureHealth()).toEqual({
      ready: true,
      features: {
        devices: {
          ready: true,
          detail: {
            mqtt: expect.objectContaining({ enabled: true, embedded: false, connected: true, lastError: null }),
          },
        },
      },
    });
  });

  it('is not ready once the broker is lost, with the last error, and ready again when it is back', async () => {
    await broker.stop();
    await waitUntil(() => !t.app.featureHealth().ready, 'the lost connection shows', 10_000);
    const lost = t.app.featureHealth().features.devices;
    expect(lost.detail?.mqtt).toMatchObject({ enabled: true, connected: false });
    await waitUntil(() => t.gateway.status().lastError !== null, 'a reconnection attempt fails', 10_000);
    expect((t.app.featureHealth().features.devices.detail?.mqtt as { lastError: unknown }).lastError).toMatchObject({
      message: expect.any(String),
      time: expect.any(String),
    });
    // /readyz says so too, so that a load balancer stops sending devices' commands to this replica.
    const readyz = async () => {
      const response = await fetch(new URL('/readyz', t.url));
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const degraded = await readyz();
    expect(degraded.status).toBe(503);
    expect(degraded.body).toMatchObject({ status: 'degraded', features: { devices: { ready: false } } });
    await broker.start();
    await waitUntil(() => t.app.featureHealth().ready, 'the gateway reconnects', 15_000);
    expect(await readyz()).toMatchObject({
      status: 200,
      body: { status: 'ready', features: { devices: { ready: true } } },
    });
  });
};

for (const kind of BROKERS)
  describeWhen(kind.available, `devices: health, through ${kind.name}`, kind.unavailable, healthOver(kind));

describe('devices: health without a broker', () => {
  it('is ready: with no broker configured there is nothing to wait for', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-health-'));
    const app = await startApp(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        TWINGRAPH_DB: path.join(dir, 'twingraph.db'),
        TWINGRAPH_SEED: 'none',
        TWINGRAPH_PLUGINS: 'devices',
        TWINGRAPH_LOG_POLL_MS: '0',
      }),
      pino({ level: 'silent' }),
    );
    try {
      expect(app.featureHealth()).toEqual({
        ready: true,
        features: {
          devices: { ready: true, detail: { mqtt: expect.objectContaining({ enabled: false, connected: false }) } },
        },
      });
    } finally {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the features’ health together', () => {
  const feature = (health?: RunningFeature['health']): RunningFeature => ({
    stop: async () => undefined,
    ...(health && { health }),
  });

  it('is ready only when every feature that reports is; features without a check do not count', () => {
    const running = new Map([
      ['quiet', feature()],
      ['a', feature(() => ({ ready: true }))],
      ['b', feature(() => ({ ready: false, detail: { why: 'lost' } }))],
    ]);
    expect(healthOf(running)).toEqual({
      ready: false,
      features: { a: { ready: true }, b: { ready: false, detail: { why: 'lost' } } },
    });
    running.delete('b');
    expect(healthOf(running)).toEqual({ ready: true, features: { a: { ready: true } } });
  });

  it('counts a health check that throws as not ready, with its message', () => {
    const running = new Map([
      [
        'broken',
        feature(() => {
          throw new Error('no idea');
        }),
      ],
    ]);
    expect(healthOf(running)).toEqual({
      ready: false,
      features: { broken: { ready: false, detail: { error: 'no idea' } } },
    });
  });
});
