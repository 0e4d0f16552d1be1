/**
 * MQTT ingestion figures (issue 17): telemetry points per second from MQTT into the embedded store, with
 * devices publishing as fast as the broker takes it; then the latency from a device's publish to a GraphQL
 * `metricRecorded` subscriber (graphql-ws), p50/p99, at a steady rate. Against Debian's mosquitto, started
 * on a free loopback port (or TWINGRAPH_MQTT_URL's broker).
 *
 *   tsx bench/devices.ts      BENCH_MESSAGES (default 20,000 messages of 10 points), BENCH_RATE (latency run, points/s, 5,000)
 */
import mqtt from 'mqtt';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { DeviceApp } from '../test/devices/support/device-app';
import { Mosquitto } from '../test/devices/support/mosquitto';

const MODEL = 'dtmi:twingraph:bench:Sensor;1';
const NAMES = Array.from({ length: 10 }, (_, i) => `t${i}`);
const DEVICES = 100;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 5000);

async function main(): Promise<void> {
  const broker = process.env.TWINGRAPH_MQTT_URL ? undefined : await new Mosquitto().start();
  const url = process.env.TWINGRAPH_MQTT_URL ?? broker!.url;
  const t = new DeviceApp(url, { TWINGRAPH_MQTT_BATCH_POINTS: '5000', TWINGRAPH_MQTT_BATCH_MS: '10' });
  await t.start({ models: false });
  await t.app.services.models.upload([
    JSON.stringify({
      '@context': ['dtmi:dtdl:context;3', 'dtmi:dtdl:extension:mqtt;1'],
      '@id': MODEL,
      '@type': ['Interface', 'Mqtt'],
      telemetryTopic: 'bench/{senderId}',
      payloadFormat: 'Json/ecma/404',
      contents: NAMES.map((name) => ({ '@type': 'Telemetry', name, schema: 'double' })),
    }),
  ]);
  for (let d = 0; d < DEVICES; d++) await t.twin(`s${d}`, MODEL);
  const status = () => t.gateway.status();
  while (!status().subscriptions.includes('$share/twingraph/bench/+')) await new Promise((r) => setTimeout(r, 10));

  // Throughput: four publishers, QoS 1, as fast as the broker acknowledges.
  const publishers = await Promise.all(Array.from({ length: 4 }, () => mqtt.connectAsync(url, { protocolVersion: 5 })));
  const before = status().pointsRecorded;
  const started = performance.now();
  let sent = 0;
  await Promise.all(
    publishers.map(async (client, p) => {
      const inFlight: Promise<unknown>[] = [];
      for (let i = p; i < MESSAGES; i += publishers.length) {
        const body: Record<string, number | string> = { $time: new Date(Date.UTC(2026, 0, 1) + i * 10).toISOString() };
        for (const name of NAMES) body[name] = i % 100;
        inFlight.push(client.publishAsync(`bench/s${i % DEVICES}`, JSON.stringify(body), { qos: 1 }));
        sent++;
        if (inFlight.length >= 500) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
    }),
  );
  const expected = before + MESSAGES * NAMES.length;
  while (status().pointsRecorded < expected) {
    if (performance.now() - started > 300_000)
      throw new Error(`only ${status().pointsRecorded - before} points after 5 minutes`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `ingest: ${sent} messages, ${MESSAGES * NAMES.length} points in ${seconds.toFixed(2)} s: ` +
      `${Math.round(sent / seconds)} messages/s, ${Math.round((MESSAGES * NAMES.length) / seconds)} points/s (dead letters: ${status().deadLetters})`,
  );

  // Latency: one device's points at RATE points/s, each message stamped, timed to the metricRecorded subscriber.
  const ws = createClient({ url: t.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const count = Math.max(50, Math.round((RATE / NAMES.length) * 10));
  ws.subscribe(
    { query: 'subscription { metricRecorded(twinIds: ["s0"], names: ["t0"]) { points { time } } }' },
    {
      next: (r) => {
        const now = performance.now();
        for (const p of (r.data as { metricRecorded?: { points?: { time: string }[] } } | null)?.metricRecorded
          ?.points ?? []) {
          const at = sentAt.get(p.time);
          if (at !== undefined) latencies.push(now - at);
        }
        if (latencies.length >= count) resolveDone();
      },
      error: (e) => console.error(e),
      complete: () => undefined,
    },
  );
  await new Promise((r) => setTimeout(r, 500));
  const perMessageMs = 1000 / (RATE / NAMES.length);
  const base = Date.UTC(2027, 0, 1);
  const origin = performance.now();
  for (let i = 0; i < count; i++) {
    const due = origin + i * perMessageMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const time = new Date(base + i).toISOString();
    const body: Record<string, number | string> = { $time: time };
    for (const name of NAMES) body[name] = i;
    sentAt.set(time, performance.now());
    void publishers[0].publishAsync('bench/s0', JSON.stringify(body), { qos: 1 });
  }
  await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
  latencies.sort((a, b) => a - b);
  const q = (f: number) => latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))]?.toFixed(1);
  console.log(
    `latency publish → metricRecorded at ${RATE} points/s: ${latencies.length}/${count} delivered, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
  );
  await ws.dispose();
  await Promise.all(publishers.map((c) => c.endAsync()));
  await t.close();
  await broker?.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
