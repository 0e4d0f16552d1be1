/**
 * Commands out, against a real Mosquitto and against the live demo's embedded broker: an invocation recorded
 * in the change log (by `invokeDeviceCommand` or by a generated command mutation) is published on the model's
 * commandTopic with an MQTT 5 response topic and the invocation's seq as correlation data; the device's
 * answer comes back checked against the DTDL Command's response, and the generated mutation of a Command
 * with a response returns it typed by the response schema. Idempotent commands are sent again while no
 * answer comes, others once; Cacheable answers are reused within their ttl (the invocation still recorded).
 */
import type { IPublishPacket, MqttClient } from 'mqtt';
import { decodeCbor, encodeCbor } from '../../src/devices/cbor';
import { describeWhen } from '../support/shared';
import { BROKERS, type BrokerKind } from './support/brokers';
import { DeviceApp, METER, PLAIN, THERMOSTAT, waitUntil } from './support/device-app';

interface Request {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
}

const INVOKE = `mutation ($twinId: String!, $command: String!, $request: JSON, $timeout: Float) {
  invokeDeviceCommand(twinId: $twinId, command: $command, request: $request, timeoutSeconds: $timeout) {
    seq twinId command status response message attempts
  }
}`;

const commandsOver = (kind: BrokerKind) => () => {
  const broker = kind.create();
  let t: DeviceApp;
  let device: MqttClient;
  const requests: Request[] = [];
  /** How the simulated device answers a request; undefined: it does not. */
  let answer: (r: Request) => { payload: Buffer; stat?: string; message?: string } | undefined = () => undefined;

  beforeAll(async () => {
    await broker.start();
    t = await new DeviceApp(broker.url, kind.env).start();
    await t.twin('th-1', THERMOSTAT);
    await t.twin('meter-1', METER);
    await t.twin('plain-1', PLAIN);
    device = await t.client();
    device.on('message', (topic, payload, packet) => {
      const request = { topic, payload, packet };
      requests.push(request);
      const reply = answer(request);
      const { responseTopic, correlationData } = packet.properties ?? {};
      if (!reply || !responseTopic) return;
      device.publish(responseTopic, reply.payload, {
        qos: 1,
        properties: {
          correlationData,
          ...(reply.stat && { userProperties: { __stat: reply.stat, __stMsg: reply.message ?? '' } }),
        },
      });
    });
    await device.subscribeAsync(['sensors/+/command/+', 'meters/+/+', 'devices/+/commands/+'], { qos: 1 });
  });
  beforeEach(() => {
    requests.length = 0;
    answer = () => undefined;
  });
  afterAll(async () => {
    await t?.close();
    await broker.close();
  });

  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const invoke = async (variables: Record<string, unknown>) => (await t.ok(INVOKE, variables)).invokeDeviceCommand;

  it('publishes the request on the commandTopic in its implied outer structure and returns the typed answer', async () => {
    answer = () => ({ payload: json({ previous: 19.5 }) });
    const result = await invoke({ twinId: 'th-1', command: 'setTarget', request: 21 });
    expect(result).toMatchObject({ status: 'Completed', response: 19.5, attempts: 1, twinId: 'th-1' });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.topic).toBe('sensors/th-1/command/setTarget');
    expect(JSON.parse(request.payload.toString())).toEqual({ target: 21 });
    expect(request.packet.properties?.correlationData?.toString()).toBe(String(result.seq));
    expect(request.packet.properties?.responseTopic).toBe('twingraph/responses/sensors/th-1/command/setTarget');
  });

  it('records each invocation in the change log as a Command.Invoke change', async () => {
    answer = () => ({ payload: json({ previous: 21 }) });
    const result = await invoke({ twinId: 'th-1', command: 'setTarget', request: 22 });
    const [change] = await t.app.services.store.readChanges({ after: result.seq - 1, limit: 1 });
    expect(change).toMatchObject({
      seq: result.seq,
      type: 'Command.Invoke',
      twinId: 'th-1',
      body: { command: 'setTarget', request: 22 },
    });
  });

  it('sends a command without a response once and reports it Sent when the broker has it', async () => {
    const result = await invoke({ twinId: 'th-1', command: 'beep' });
    expect(result).toMatchObject({ status: 'Sent', response: null, attempts: 1 });
    await waitUntil(() => requests.length === 1, 'the device gets it');
    expect(JSON.parse(requests[0].payload.toString())).toEqual({});
  });

  it('sends a command that is not Idempotent only once, and times out when the device does not answer', async () => {
    const started = Date.now();
    const result = await invoke({ twinId: 'th-1', command: 'setTarget', request: 23, timeout: 0.8 });
    expect(result).toMatchObject({ status: 'TimedOut', response: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(750);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(requests).toHaveLength(1);
  });

  it('sends an Idempotent command again, with the same correlation data, until the device answers', async () => {
    let seen = 0;
    answer = () => (++seen === 2 ? { payload: json({ offset: -0.3 }) } : undefined);
    const result = await invoke({ twinId: 'th-1', command: 'calibrate' });
    expect(result).toMatchObject({ status: 'Completed', response: -0.3, attempts: 2 });
    expect(requests).toHaveLength(2);
    expect(requests[1].packet.properties?.correlationData).toEqual(requests[0].packet.properties?.correlationData);
  });

  it('reuses a Cacheable answer to an identical request within its ttl without sending anything', async () => {
    let reading = 20;
    answer = () => ({ payload: json({ reading: reading++ }) });
    const first = await invoke({ twinId: 'th-1', command: 'getReading' });
    const second = await invoke({ twinId: 'th-1', command: 'getReading' });
    expect(first).toMatchObject({ status: 'Completed', response: 20 });
    // Recorded like any invocation (who asked belongs in the log), answered from the cache.
    expect(second).toMatchObject({ status: 'Cached', response: 20, attempts: 0 });
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await invoke({ twinId: 'th-1', command: 'getReading' })).toMatchObject({
      status: 'Completed',
      response: 21,
    });
  });

  it('reports an error status from the device as Failed, with its message', async () => {
    answer = () => ({ payload: json({}), stat: '503', message: 'heater busy' });
    const result = await invoke({ twinId: 'th-1', command: 'setTarget', request: 18 });
    expect(result).toMatchObject({ status: 'Failed', message: 'the device answered 503: heater busy' });
  });

  it('reports an answer without the declared response as Failed', async () => {
    answer = () => ({ payload: json({ old: 1 }) });
    const result = await invoke({ twinId: 'th-1', command: 'setTarget', request: 18 });
    expect(result.status).toBe('Failed');
    expect(result.message).toContain('{ "previous": … }');
  });

  it('reports an answer that does not match the declared response schema as Failed, saying why', async () => {
    answer = () => ({ payload: json({ previous: 'warm' }) });
    const result = await invoke({ twinId: 'th-1', command: 'setTarget', request: 18 });
    expect(result.status).toBe('Failed');
    expect(result.message).toMatch(/^the answer is not the declared response: .*does not match/);
  });

  it('refuses an invalid request as the command mutations do, and publishes nothing', async () => {
    const { errors } = await t.gql(INVOKE, { twinId: 'th-1', command: 'setTarget', request: 'warm' });
    expect(errors?.[0].extensions.code).toBe('ValidationFailed');
    const missing = await t.gql(INVOKE, { twinId: 'nobody', command: 'beep' });
    expect(missing.errors?.[0].extensions.code).toBe('DigitalTwinNotFound');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(requests).toHaveLength(0);
  });

  it('carries the generated command mutations (beepThermostat) to the device too', async () => {
    await t.ok(`mutation { beepThermostat(id: "th-1") { seq } }`);
    await waitUntil(() => requests.length === 1, 'the device gets it');
    expect(requests[0].topic).toBe('sensors/th-1/command/beep');
  });

  it('speaks CBOR to a model whose payloadFormat is CBOR', async () => {
    answer = () => ({ payload: encodeCbor({ energy: 4321.5 }) });
    const result = await invoke({ twinId: 'meter-1', command: 'reset' });
    expect(result).toMatchObject({ status: 'Completed', response: 4321.5 });
    expect(requests[0].topic).toBe('meters/meter-1/reset');
    expect(decodeCbor(requests[0].payload)).toEqual({});
  });

  it('uses the default command topic for models without an Mqtt co-type', async () => {
    answer = () => ({ payload: json({ stoppedAt: '2026-05-01T12:00:00Z' }) });
    const result = await invoke({ twinId: 'plain-1', command: 'stop' });
    expect(result).toMatchObject({ status: 'Completed', response: '2026-05-01T12:00:00Z' });
    expect(requests[0].topic).toBe('devices/plain-1/commands/stop');
  });

  describe('a generated mutation of a Command with a response', () => {
    it('waits for the answer and returns it typed by the response schema, enums by their GraphQL names', async () => {
      answer = (r) =>
        r.topic.endsWith('/getState')
          ? { payload: json({ state: { mode: 'heating', heating: true, since: '2026-05-01T12:00:00Z' } }) }
          : undefined;
      const { getStateOnThermostat } = await t.ok(
        'mutation { getStateOnThermostat(id: "th-1") { __typename seq twinId command status attempts message response { mode heating since } } }',
      );
      expect(getStateOnThermostat).toEqual({
        __typename: 'ThermostatGetStateResult',
        seq: expect.any(Number),
        twinId: 'th-1',
        command: 'getState',
        status: 'Completed',
        attempts: 1,
        message: null,
        response: { mode: 'Heating', heating: true, since: '2026-05-01T12:00:00Z' },
      });
      expect(requests[0].packet.properties?.correlationData?.toString()).toBe(String(getStateOnThermostat.seq));
    });

    it('takes its request typed, and a scalar answer comes back as that scalar', async () => {
      answer = (r) => (r.topic.endsWith('/setTarget') ? { payload: json({ previous: 19 }) } : undefined);
      const { setTargetOnThermostat } = await t.ok(
        'mutation { setTargetOnThermostat(id: "th-1", target: 20.5) { request status response } }',
      );
      expect(setTargetOnThermostat).toEqual({ request: 20.5, status: 'Completed', response: 19 });
      expect(JSON.parse(requests[0].payload.toString())).toEqual({ target: 20.5 });
    });

    it('gives up after timeoutSeconds with TimedOut and a null response, the invocation recorded', async () => {
      const started = Date.now();
      const { setTargetOnThermostat } = await t.ok(
        'mutation { setTargetOnThermostat(id: "th-1", target: 17, timeoutSeconds: 0.5) { seq status response message } }',
      );
      expect(setTargetOnThermostat).toMatchObject({ status: 'TimedOut', response: null });
      expect(setTargetOnThermostat.message).toContain('500 ms');
      expect(Date.now() - started).toBeLessThan(1400);
      const [change] = await t.app.services.store.readChanges({ after: setTargetOnThermostat.seq - 1, limit: 1 });
      expect(change).toMatchObject({ type: 'Command.Invoke', body: { command: 'setTarget', request: 17 } });
    });

    it('refuses a timeoutSeconds out of range before recording anything', async () => {
      const before = await t.app.services.store.latestSeq();
      const { errors } = await t.gql(
        'mutation { setTargetOnThermostat(id: "th-1", target: 17, timeoutSeconds: 0) { seq } }',
      );
      expect(errors?.[0].extensions.code).toBe('InvalidArgument');
      expect(await t.app.services.store.latestSeq()).toBe(before);
    });

    it('keeps CommandInvocation for Commands without a response, and the deprecated name answers alike', async () => {
      const { beepOnThermostat } = await t.ok('mutation { beepOnThermostat(id: "th-1") { __typename seq } }');
      expect(beepOnThermostat.__typename).toBe('CommandInvocation');
      answer = () => ({ payload: json({ previous: 18 }) });
      const { setTargetThermostat } = await t.ok(
        'mutation { setTargetThermostat(id: "th-1", target: 18) { __typename status response } }',
      );
      expect(setTargetThermostat).toEqual({
        __typename: 'ThermostatSetTargetResult',
        status: 'Completed',
        response: 18,
      });
    });
  });

  it('counts commands in mqttStatus', async () => {
    const { mqttStatus } = await t.ok('{ mqttStatus { commands { sent completed timedOut failed cached } } }');
    expect(mqttStatus.commands).toMatchObject({ cached: 1 });
    expect(mqttStatus.commands.timedOut).toBeGreaterThanOrEqual(1);
    expect(mqttStatus.commands.completed).toBeGreaterThanOrEqual(6);
  });
};

for (const kind of BROKERS)
  describeWhen(
    kind.available,
    `devices: commands out over MQTT, through ${kind.name}`,
    kind.unavailable,
    commandsOver(kind),
  );
