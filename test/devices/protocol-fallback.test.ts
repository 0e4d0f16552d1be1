/**
 * MQTT 5 with a 3.1.1 fallback (TWINGRAPH_MQTT_PROTOCOL=auto, the default): against a broker that speaks only
 * MQTT 3.1.1 (aedes 1.x in a child process), the gateway's MQTT 5 CONNECT is refused with "unacceptable
 * protocol version"; it connects again as 3.1.1, subscribes to the models' topics and records telemetry from
 * 3.1.1 devices; a command with a declared response is still sent, and says that 3.1.1 cannot carry the answer
 * back (no response topic, no correlation data). With TWINGRAPH_MQTT_PROTOCOL=5 it does not fall back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DeviceApp, THERMOSTAT, waitUntil } from './support/device-app';

const CHILD = path.join(__dirname, 'support', 'mqtt311-broker-child.mjs');

async function startMqtt311Broker(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`the 3.1.1 broker exited with ${code}: ${log}`)));
  });
  return { url: `mqtt://127.0.0.1:${port}`, child };
}

describe('devices: MQTT 5 falling back to 3.1.1', () => {
  let broker: { url: string; child: ChildProcess };
  let t: DeviceApp;
  beforeAll(async () => {
    broker = await startMqtt311Broker();
    // aedes has no shared subscriptions: the gateway subscribes plainly, as on the embedded broker.
    t = await new DeviceApp(broker.url, { TWINGRAPH_MQTT_SHARE_GROUP: 'none' }).start();
    await t.twin('th-1', THERMOSTAT);
  });
  afterAll(async () => {
    await t?.close();
    broker?.child.kill('SIGTERM');
  });

  it('connects as MQTT 3.1.1 once the broker refuses MQTT 5, and subscribes to the models’ topics', () => {
    expect(t.gateway.status()).toMatchObject({ connected: true, protocolVersion: 4 });
    expect(t.gateway.status().subscriptions).toEqual(expect.arrayContaining([expect.stringContaining(`sensors/`)]));
  });

  it('records the telemetry a 3.1.1 device publishes', async () => {
    const device = await t.client({ protocolVersion: 4 });
    await t.publish(device, `sensors/${THERMOSTAT}/th-1/telemetry`, JSON.stringify({ temperature: 19.5 }));
    await waitUntil(
      async () => (await t.app.services.store.readMetrics({ twinId: 'th-1', name: 'temperature' })).length === 1,
      'the point is recorded',
    );
  });

  it('sends a command with a declared response, saying that 3.1.1 cannot carry the answer back', async () => {
    const device = await t.client({ protocolVersion: 4 });
    const received: string[] = [];
    device.on('message', (topic) => received.push(topic));
    await device.subscribeAsync('sensors/+/command/+', { qos: 1 });
    const { invokeDeviceCommand } = await t.ok(
      `mutation { invokeDeviceCommand(twinId: "th-1", command: "getReading", timeoutSeconds: 2) { status message attempts } }`,
    );
    expect(invokeDeviceCommand).toEqual({
      status: 'Sent',
      message: 'sent over MQTT 3.1.1, which cannot carry an answer back',
      attempts: 1,
    });
    await waitUntil(() => received.length === 1, 'the device receives the request');
    expect(received).toEqual(['sensors/th-1/command/getReading']);
  });
});

describe('devices: MQTT 5 without a fallback', () => {
  it('stays disconnected from a 3.1.1-only broker when TWINGRAPH_MQTT_PROTOCOL=5, saying why', async () => {
    const broker = await startMqtt311Broker();
    const t = new DeviceApp(broker.url, { TWINGRAPH_MQTT_PROTOCOL: '5', TWINGRAPH_MQTT_SHARE_GROUP: 'none' });
    try {
      await expect(t.start({ models: false })).rejects.toThrow(/connects to the broker/);
      expect(t.gateway.status()).toMatchObject({ connected: false, lastError: { message: expect.any(String) } });
    } finally {
      await t.close().catch(() => undefined);
      broker.child.kill('SIGTERM');
    }
  });
});
