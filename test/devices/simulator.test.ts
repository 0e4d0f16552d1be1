/**
 * The device simulator of the live demo and `twingraph simulate`, against a real broker: it publishes its
 * devices' telemetry in turn at the rate asked, on the topic its protocol (the model's Mqtt co-type) gives,
 * and answers commands on the command topic the way an executor of the MQTT extension must: once per
 * invocation (correlation data) however often it is delivered, every copy answered, `{ "<response name>":
 * value }` as the model declares it, and 501 for a command it cannot run but whose model expects an answer.
 */
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { DeviceSimulator, type DeviceProtocol, type DeviceStart } from '../../src/devices/simulator';
import { describeWhen } from '../support/shared';
import { BROKERS, type BrokerKind, type TestBroker } from './support/brokers';
import { waitUntil } from './support/device-app';

const PROTOCOL: DeviceProtocol = {
  modelId: 'dtmi:test:Machine;1',
  telemetryTopic: 'sim/{modelId}/{senderId}/telemetry',
  commandTopic: 'sim/{executorId}/commands/{commandName}',
  format: 'json',
  responses: { runSelfTest: 'result', calibrate: 'offset' },
};

const device = (id: string, state: DeviceStart['state'] = 'processing'): DeviceStart => ({
  id,
  temperature: 40,
  vibration: 0.2,
  utilisation: state === 'failed' ? 0 : 0.6,
  state,
});

interface Message {
  readonly topic: string;
  readonly body: Record<string, unknown>;
  readonly userProperties: Record<string, unknown> | undefined;
}

const simulatorOver = (kind: BrokerKind) => () => {
  let broker: TestBroker;
  let simulator: DeviceSimulator;
  let watcher: MqttClient;
  const received: Message[] = [];

  beforeAll(async () => {
    // Kept before it starts, so that afterAll closes it even if it never listens.
    broker = kind.create();
    await broker.start();
    watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    watcher.on('message', (topic, payload, packet) =>
      received.push({
        topic,
        body: JSON.parse(payload.toString()) as Record<string, unknown>,
        userProperties: packet.properties?.userProperties,
      }),
    );
    await watcher.subscribeAsync(['sim/#', 'answers/#'], { qos: 1 });
  });
  afterEach(async () => {
    await simulator?.stop();
    received.length = 0;
  });
  afterAll(async () => {
    await watcher?.endAsync();
    await broker?.close();
  });

  const telemetry = () => received.filter((m) => m.topic.endsWith('/telemetry'));
  const answers = () => received.filter((m) => m.topic.startsWith('answers/'));
  const command = (id: string, name: string, correlation: string) =>
    watcher.publishAsync(`sim/${id}/commands/${name}`, '{}', {
      qos: 1,
      properties: { responseTopic: `answers/${id}/${name}`, correlationData: Buffer.from(correlation) },
    });

  it("publishes its devices' telemetry in turn, at the rate asked, on the protocol's topic", async () => {
    simulator = new DeviceSimulator({
      url: broker.url,
      devices: ['m-1', 'm-2', 'm-3'].map((id) => device(id)),
      rate: 100,
      protocol: PROTOCOL,
      blockChance: 0,
      failChance: 0,
    });
    // The clock starts once it is connected: nothing is owed for the time before, which on a busy machine can
    // be a good part of the 1.5 s.
    await waitUntil(() => simulator.client.connected, 'the simulator connects');
    const started = performance.now();
    simulator.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The rate is the simulator's own count over the clock (the machine may be busy: the rate is kept by
    // the clock, not by how often timers fire); then every message published reaches the broker's subscriber.
    const published = simulator.published;
    const perSecond = published / ((performance.now() - started) / 1000);
    expect(perSecond).toBeGreaterThan(80);
    expect(perSecond).toBeLessThan(110);
    await waitUntil(() => telemetry().length >= published, 'every message published');
    expect(new Set(telemetry().map((m) => m.topic))).toEqual(
      new Set(['m-1', 'm-2', 'm-3'].map((id) => `sim/dtmi:test:Machine;1/${id}/telemetry`)),
    );
    expect(telemetry()[0].body).toEqual({
      temperature: expect.any(Number),
      vibration: expect.any(Number),
      utilisation: expect.any(Number),
    });
  });

  it('runs a command once per correlation data, answers every copy alike, under the declared response name', async () => {
    simulator = new DeviceSimulator({ url: broker.url, devices: [device('m-1')], rate: 0, protocol: PROTOCOL });
    await waitUntil(() => simulator.listening, 'the simulator listens for commands');
    await command('m-1', 'runSelfTest', 'seq-1');
    await command('m-1', 'runSelfTest', 'seq-1');
    await waitUntil(() => answers().length === 2, 'both copies answered');
    expect(simulator.commandsExecuted).toBe(1);
    const [first, second] = answers();
    expect(first.body).toEqual({
      result: { passed: true, errorCount: 0, durationSeconds: expect.any(Number) },
    });
    expect(second.body).toEqual(first.body);
    // It reports the self-test in its diagnostics component, as a reported property.
    await waitUntil(() => telemetry().length === 1, 'the report');
    expect(telemetry()[0].body).toEqual({ diagnostics: { selfTestPassed: true } });
  });

  it('answers 501 to a command whose model declares a response it cannot give', async () => {
    simulator = new DeviceSimulator({ url: broker.url, devices: [device('m-1')], rate: 0, protocol: PROTOCOL });
    await waitUntil(() => simulator.listening, 'the simulator listens for commands');
    await command('m-1', 'calibrate', 'seq-2');
    await waitUntil(() => answers().length === 1, 'answered');
    expect(answers()[0].body).toEqual({});
    expect(answers()[0].userProperties).toMatchObject({ __stat: '501' });
  });

  it('brings a failed device back to idle on reboot, reporting its state and the state change', async () => {
    simulator = new DeviceSimulator({
      url: broker.url,
      devices: [device('m-9', 'failed')],
      rate: 0,
      protocol: PROTOCOL,
    });
    await waitUntil(() => simulator.listening, 'the simulator listens for commands');
    await command('m-9', 'runSelfTest', 'before');
    await waitUntil(() => answers().length === 1, 'answered');
    expect(answers()[0].body).toMatchObject({ result: { passed: false } });
    await command('m-9', 'reboot', 'reboot-1');
    await waitUntil(() => telemetry().some((m) => m.body.state === 'idle'), 'the new state is reported');
    expect(telemetry().find((m) => m.body.state === 'idle')!.body).toEqual({ state: 'idle', stateChange: 'idle' });
  });
};

for (const kind of BROKERS)
  describeWhen(kind.available, `devices: the simulator, through ${kind.name}`, kind.unavailable, simulatorOver(kind));
