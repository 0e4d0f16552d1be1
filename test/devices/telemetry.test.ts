/**
 * Telemetry in, against a real Mosquitto and against the live demo's embedded broker: what a device publishes on its model's telemetryTopic becomes
 * metric points and twin updates through the same write path as GraphQL (change log, ETags, subscriptions),
 * and whatever cannot be recorded goes to the dead-letter topic with its reason, while the valid rest of
 * the message is recorded.
 */
import type { MqttClient } from 'mqtt';
import { encodeCbor } from '../../src/devices/cbor';
import { describeWhen } from '../support/shared';
import { collect, DeviceApp, GAUGE, METER, PLAIN, THERMOSTAT, waitUntil } from './support/device-app';
import { BROKERS, type BrokerKind } from './support/brokers';

const telemetryOver = (kind: BrokerKind) => () => {
  const broker = kind.create();
  let t: DeviceApp;
  let device: MqttClient;
  let deadLetters: Awaited<ReturnType<typeof collect>>;

  beforeAll(async () => {
    await broker.start();
    t = await new DeviceApp(broker.url, kind.env).start();
    await t.twin('th-1', THERMOSTAT, { mode: 'off' });
    await t.twin('meter-1', METER);
    await t.twin('gauge-1', GAUGE);
    await t.twin('plain-1', PLAIN);
    device = await t.client();
    deadLetters = await collect(await t.client(), 'twingraph/deadletter/#');
  });
  afterAll(async () => {
    await t?.close();
    await broker.close();
  });

  const points = (twinId: string, name: string) => t.app.services.store.readMetrics({ twinId, name });
  const letters = (reason: string, twinId?: string) =>
    deadLetters
      .filter((d) => d.topic.startsWith(`twingraph/deadletter/${reason}/`))
      .map((d) => JSON.parse(d.payload.toString()))
      .filter((d) => twinId === undefined || d.twinId === twinId);

  it('records every telemetry of a JSON message on the model’s topic, with {modelId} and {senderId} filled in', async () => {
    await t.publish(
      device,
      `sensors/${THERMOSTAT}/th-1/telemetry`,
      JSON.stringify({ temperature: 21.5, humidity: 40, $time: '2026-05-01T12:00:00Z' }),
    );
    await waitUntil(async () => (await points('th-1', 'humidity')).length === 1, 'the points are recorded');
    expect(await points('th-1', 'temperature')).toEqual([
      { twinId: 'th-1', name: 'temperature', time: '2026-05-01T12:00:00.000Z', value: 21.5 },
    ]);
  });

  it('records a Telemetry change-log entry that a metricRecorded subscriber sees', async () => {
    const before = await t.app.services.store.latestSeq();
    await t.publish(device, `sensors/${THERMOSTAT}/th-1/telemetry`, JSON.stringify({ temperature: 22 }));
    await waitUntil(async () => (await t.app.services.store.latestSeq()) > before, 'a change is logged');
    const [change] = await t.app.services.store.readChanges({ after: before });
    expect(change).toMatchObject({ type: 'Telemetry', twinId: 'th-1', modelId: THERMOSTAT });
  });

  it('updates reported properties and components through the twin service: a new ETag and a Twin.Update', async () => {
    const { $etag } = await t.app.services.store.getTwin('th-1');
    await t.publish(
      device,
      `sensors/${THERMOSTAT}/th-1/telemetry`,
      JSON.stringify({ mode: 'heating', firmwareVersion: '1.2.0', battery: { level: 0.8 } }),
    );
    await waitUntil(async () => (await t.app.services.store.getTwin('th-1')).mode === 'heating', 'the twin is updated');
    const twin = await t.app.services.store.getTwin('th-1');
    expect(twin).toMatchObject({ mode: 'heating', firmwareVersion: '1.2.0', battery: { level: 0.8 } });
    expect(twin.$etag).not.toBe($etag);
    const changes = await t.app.services.store.readChanges({ after: 0 });
    expect(changes.filter((c) => c.type === 'Twin.Update' && c.twinId === 'th-1').length).toBeGreaterThan(0);
  });

  it('writes nothing when a device reports the values the twin already has', async () => {
    const { $etag } = await t.app.services.store.getTwin('th-1');
    await t.publish(
      device,
      `sensors/${THERMOSTAT}/th-1/telemetry`,
      JSON.stringify({ mode: 'heating', temperature: 1 }),
    );
    await waitUntil(async () => (await points('th-1', 'temperature')).some((p) => p.value === 1), 'the point');
    expect((await t.app.services.store.getTwin('th-1')).$etag).toBe($etag);
  });

  it('records the valid values of a message and dead-letters each invalid or unknown one with its reason', async () => {
    await t.publish(
      device,
      `sensors/${THERMOSTAT}/th-1/telemetry`,
      JSON.stringify({ temperature: 'hot', humidity: 55.5, pressure: 1013, mode: 'turbo' }),
    );
    await waitUntil(() => letters('invalidProperty', 'th-1').length > 0, 'the property is refused');
    await waitUntil(async () => (await points('th-1', 'humidity')).some((p) => p.value === 55.5), 'humidity');
    expect(letters('invalidTelemetry', 'th-1')).toEqual([
      expect.objectContaining({ name: 'temperature', topic: `sensors/${THERMOSTAT}/th-1/telemetry` }),
    ]);
    expect(letters('unknownName', 'th-1')).toEqual([expect.objectContaining({ name: 'pressure' })]);
    expect(letters('invalidProperty', 'th-1')[0]).toMatchObject({
      name: 'mode',
      message: expect.stringContaining('mode'),
    });
    expect((await t.app.services.store.getTwin('th-1')).mode).toBe('heating');
  });

  it('dead-letters messages for twins that do not exist, and for a {modelId} that is not the twin’s model', async () => {
    await t.publish(device, `sensors/${THERMOSTAT}/nobody/telemetry`, JSON.stringify({ temperature: 20 }));
    await t.publish(device, `sensors/dtmi:x:Other;1/th-1/telemetry`, JSON.stringify({ temperature: 20 }));
    await waitUntil(() => letters('unknownTwin').length > 0 && letters('wrongTopic').length > 0, 'both refused');
    expect(letters('unknownTwin')[0]).toMatchObject({ twinId: 'nobody', payload: '{"temperature":20}' });
    expect(letters('wrongTopic')[0].message).toContain("{modelId} 'dtmi:x:Other;1'");
  });

  it('dead-letters a twin publishing on another model’s topic', async () => {
    await t.publish(device, 'meters/th-1/readings', encodeCbor({ power: 1 }));
    const onMeterTopic = () => letters('wrongTopic', 'th-1').filter((l) => l.topic === 'meters/th-1/readings');
    await waitUntil(() => onMeterTopic().length > 0, 'refused');
    expect(onMeterTopic()[0].message).toContain("whose telemetry topic is 'sensors/{modelId}/{senderId}/telemetry'");
  });

  it('dead-letters payloads that are not JSON, not an object, too deep or too large, with an excerpt only', async () => {
    const topic = `sensors/${THERMOSTAT}/th-1/telemetry`;
    await t.publish(device, topic, '{"temperature": 2');
    await t.publish(device, topic, '[1,2,3]');
    await t.publish(device, topic, `{"temperature": ${'['.repeat(40)}${']'.repeat(40)}}`);
    await t.publish(device, topic, Buffer.alloc(300 * 1024, 0x20));
    await waitUntil(() => letters('tooLarge').length > 0, 'the large one is refused');
    await waitUntil(
      () => letters('undecodable', 'th-1').length >= 2 && letters('notAnObject').length > 0,
      'all refused',
    );
    const large = letters('tooLarge')[0];
    expect(large.payloadBytes).toBe(300 * 1024);
    expect(large.payload.length).toBeLessThanOrEqual(1024);
    expect(
      letters('undecodable', 'th-1')
        .map((l) => l.message)
        .join('\n'),
    ).toMatch(/not JSON[\s\S]*deeper than 32/);
  });

  it('refuses a whole message whose $time is not a time, rather than recording it at the wrong time', async () => {
    await t.publish(
      device,
      `sensors/${THERMOSTAT}/th-1/telemetry`,
      JSON.stringify({ humidity: 77, $time: 'yesterday' }),
    );
    await waitUntil(() => letters('invalidTime').length > 0, 'refused');
    await t.gateway.status();
    expect((await points('th-1', 'humidity')).some((p) => p.value === 77)).toBe(false);
  });

  it('reads CBOR for models whose payloadFormat says Cbor/rfc/8949', async () => {
    await t.publish(
      device,
      'meters/meter-1/readings',
      encodeCbor({ power: 1234.5, phase: 3, $time: '2026-05-01T12:00:00Z' }),
    );
    await waitUntil(async () => (await points('meter-1', 'phase')).length === 1, 'recorded');
    expect((await points('meter-1', 'power'))[0].value).toBe(1234.5);
    await t.publish(device, 'meters/meter-1/readings', Buffer.from([0xa1, 0x65]));
    await waitUntil(() => letters('undecodable', 'meter-1').length > 0, 'bad CBOR refused');
  });

  it('reads raw values on topics that name the telemetry, converted by the telemetry’s schema', async () => {
    await t.publish(device, 'gauges/gauge-1/level', '0.75');
    await t.publish(device, 'gauges/gauge-1/label', 'tank A');
    await t.publish(device, 'gauges/gauge-1/level', 'full');
    await t.publish(device, 'gauges/gauge-1/colour', 'red');
    await waitUntil(async () => (await points('gauge-1', 'label')).length === 1, 'recorded');
    await waitUntil(
      () => letters('invalidTelemetry', 'gauge-1').length > 0 && letters('unknownName', 'gauge-1').length > 0,
      'refused',
    );
    expect((await points('gauge-1', 'level')).map((p) => p.value)).toEqual([0.75]);
    expect((await points('gauge-1', 'label'))[0].value).toBe('tank A');
  });

  it('uses the default topic for models without an Mqtt co-type', async () => {
    await t.publish(device, 'devices/plain-1/telemetry', JSON.stringify({ speed: 3.5 }));
    await waitUntil(async () => (await points('plain-1', 'speed')).length === 1, 'recorded');
  });

  it('reports it all in mqttStatus: connection, subscriptions (shared where the broker has them), counts, dead letters by reason', async () => {
    const { mqttStatus } = await t.ok(`{
      mqttStatus {
        enabled connected protocolVersion subscriptions messagesIn pointsRecorded propertyUpdates deadLetters
        deadLettersByReason { reason count } bindingProblems
        recentDeadLetters(first: 2) { reason topic twinId message }
      }
    }`);
    expect(mqttStatus).toMatchObject({ enabled: true, connected: true, protocolVersion: 5, bindingProblems: [] });
    expect(mqttStatus.subscriptions).toEqual(
      expect.arrayContaining([
        `${kind.sharePrefix}sensors/+/+/telemetry`,
        `${kind.sharePrefix}meters/+/readings`,
        'twingraph/responses/#',
      ]),
    );
    expect(mqttStatus.pointsRecorded).toBeGreaterThanOrEqual(8);
    expect(mqttStatus.deadLetters).toBe(mqttStatus.deadLettersByReason.reduce((n: number, r: any) => n + r.count, 0));
    expect(mqttStatus.recentDeadLetters).toHaveLength(2);
  });

  it('subscribes to the topics of a model uploaded while it runs', async () => {
    await t.app.services.models.upload([
      JSON.stringify({
        '@context': ['dtmi:dtdl:context;3', 'dtmi:dtdl:extension:mqtt;1'],
        '@id': 'dtmi:twingraph:example:Valve;1',
        '@type': ['Interface', 'Mqtt'],
        telemetryTopic: 'valves/{senderId}',
        payloadFormat: 'Json/ecma/404',
        contents: [{ '@type': 'Telemetry', name: 'flow', schema: 'double' }],
      }),
    ]);
    await t.twin('valve-1', 'dtmi:twingraph:example:Valve;1');
    await waitUntil(() => t.gateway.status().subscriptions.includes(`${kind.sharePrefix}valves/+`), 'subscribed');
    await t.publish(device, 'valves/valve-1', JSON.stringify({ flow: 2 }));
    await waitUntil(async () => (await points('valve-1', 'flow')).length === 1, 'recorded');
  });
};

for (const kind of BROKERS)
  describeWhen(
    kind.available,
    `devices: telemetry in over MQTT, through ${kind.name}`,
    kind.unavailable,
    telemetryOver(kind),
  );
