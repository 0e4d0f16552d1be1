/**
 * `twingraph simulate`: the demo firm's devices, live, against any broker (`--url`, or the server's own
 * TWINGRAPH_MQTT_URL), printing a line of progress every ten seconds. They talk as the demo's Device model
 * in dtdl/ declares (its Mqtt co-type's topics and payload format); `--telemetry-topic` and
 * `--command-topic` override that for a server whose models say otherwise.
 */
import path from 'node:path';
import { collectDocuments, parseModels } from '../dtdl';
import { UsageError } from '../errors';
import { readBindings } from './bindings';
import type { SimulateOptions } from './commands';
import { demoDeviceProtocol, demoDevices } from './demo-devices';
import { DeviceSimulator, type DeviceProtocol } from './simulator';

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** How the demo's devices talk, from the Device model in dtdl/, with the command line's overrides. */
function protocolOf(opts: SimulateOptions): DeviceProtocol {
  const parsed = parseModels(collectDocuments([path.join(PACKAGE_ROOT, 'dtdl')]));
  if (!parsed.valid) throw new UsageError('the demo models in dtdl/ do not validate (twingraph dtdl validate dtdl/).');
  const found = demoDeviceProtocol(parsed.models, readBindings(parsed.models, undefined));
  if ('problem' in found) throw new UsageError(`cannot simulate the demo devices: ${found.problem}.`);
  return {
    ...found.protocol,
    ...(opts.telemetryTopic && { telemetryTopic: opts.telemetryTopic }),
    ...(opts.commandTopic && { commandTopic: opts.commandTopic }),
  };
}

export async function simulateCommand(opts: SimulateOptions): Promise<number> {
  const url = opts.url ?? process.env.TWINGRAPH_MQTT_URL;
  if (!url) throw new UsageError('simulate needs a broker: --url mqtt://host:1883, or TWINGRAPH_MQTT_URL.');
  const number = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${what} must be a positive number (it is '${text}').`);
    return n;
  };
  const rate = number(opts.rate, 'rate')!;
  const limit = number(opts.devices, 'devices');
  const seconds = number(opts.seconds, 'seconds');
  const protocol = protocolOf(opts);
  const devices = demoDevices(opts.catalogue ?? path.join(PACKAGE_ROOT, 'seeds', 'firm.json'), {
    ...(limit !== undefined && { limit }),
  });
  const simulator = new DeviceSimulator({ url, devices, rate, protocol });
  simulator.start();
  process.stderr.write(
    `simulating ${devices.length} devices at ${rate} messages/s against ${url} (telemetry on ${protocol.telemetryTopic})\n`,
  );
  const progress = setInterval(
    () =>
      process.stderr.write(
        `${simulator.published} messages published, ${simulator.commandsExecuted} commands executed\n`,
      ),
    10_000,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (seconds) setTimeout(resolve, seconds * 1000);
  });
  clearInterval(progress);
  await simulator.stop();
  process.stderr.write(`${simulator.published} messages published\n`);
  return 0;
}
