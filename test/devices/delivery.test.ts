/**
 * Delivery guarantees against a real Mosquitto: stopping and restarting the broker mid-stream loses nothing
 * a device had acknowledged at QoS 1 and records nothing twice; two replicas in one shared-subscription
 * group split the telemetry between them, each message recorded once.
 */
import type { MqttClient } from 'mqtt';
import { describeWhen } from '../support/shared';
import { DeviceApp, THERMOSTAT, waitUntil } from './support/device-app';
import { Mosquitto, MOSQUITTO, NO_MOSQUITTO } from './support/mosquitto';

const topic = `sensors/${THERMOSTAT}/th-1/telemetry`;
const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

describeWhen(MOSQUITTO !== undefined, 'devices: delivery over MQTT', NO_MOSQUITTO, () => {
  it('loses nothing acknowledged and records nothing twice when the broker restarts mid-stream', async () => {
    const broker = await new Mosquitto().start();
    const t = new DeviceApp(broker.url);
    try {
      await t.start();
      await t.twin('th-1', THERMOSTAT);
      // The device comes back after Twingraph does: Debian's mosquitto 2.0.11 does not restore a persistent
      // session's subscriptions from its persistence file, so what a device publishes before Twingraph has
      // subscribed again is acknowledged by the broker and delivered to no one (a broker matter; see the report).
      const device: MqttClient = await t.client({ clientId: 'th-1', clean: false, reconnectPeriod: 1500 });
      const acknowledged: number[] = [];
      const sending: Promise<void>[] = [];
      for (let i = 0; i < 300; i++) {
        const payload = JSON.stringify({ temperature: i, $time: at(i) });
        sending.push(device.publishAsync(topic, payload, { qos: 1 }).then(() => void acknowledged.push(i)));
        if (i === 150) await broker.restart();
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await Promise.all(sending);
      expect(acknowledged).toHaveLength(300);
      await waitUntil(
        async () => (await t.app.services.store.readMetrics({ twinId: 'th-1', name: 'temperature' })).length === 300,
        'every acknowledged point is recorded',
        20_000,
      );
      const values = (await t.app.services.store.readMetrics({ twinId: 'th-1', name: 'temperature' })).map(
        (p) => p.value,
      );
      expect(values).toEqual(Array.from({ length: 300 }, (_, i) => i));
      // Each point once in the change log too: a redelivered message is not recorded again.
      const logged = (await t.app.services.store.readChanges({ after: 0, limit: 10_000 }))
        .filter((c) => c.type === 'Telemetry')
        .flatMap((c) => (c.body as { points?: { value: number }[] }).points ?? []);
      expect(logged.length).toBe(300);
      const { mqttStatus } = await t.ok('{ mqttStatus { connected } }');
      expect(mqttStatus.connected).toBe(true);
    } finally {
      await t.close();
      await broker.close();
    }
  }, 60_000);

  it('splits telemetry between two replicas of one shared-subscription group, each message recorded once', async () => {
    const broker = await new Mosquitto().start();
    const [a, b] = [new DeviceApp(broker.url), new DeviceApp(broker.url)];
    try {
      await a.start();
      await b.start();
      // Two apps with two stores stand for two replicas: each records what the broker gave it.
      for (const app of [a, b]) await app.twin('th-1', THERMOSTAT);
      const device = await a.client();
      for (let i = 0; i < 200; i++)
        await device.publishAsync(topic, JSON.stringify({ temperature: i, $time: at(i) }), { qos: 1 });
      const count = async (app: DeviceApp) =>
        (await app.app.services.store.readMetrics({ twinId: 'th-1', name: 'temperature' })).length;
      await waitUntil(async () => (await count(a)) + (await count(b)) === 200, 'all 200 recorded', 20_000);
      expect(await count(a)).toBeGreaterThan(0);
      expect(await count(b)).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b.close();
      await broker.close();
    }
  }, 60_000);
});
