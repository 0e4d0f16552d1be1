/**
 * The demo firm's devices as the simulator starts them: where each one is now in the store (its newest
 * temperature, vibration and utilisation points and its `state`: the seed's last hour, or what the simulator
 * last sent in an earlier run), so that live telemetry continues the history rather than jumping away from
 * it; for a device the store has no such values for, the seed generator's last hour (the same plans the seed
 * writes, ../demo/firm.ts); and how they talk,
 * read from the demo's Device model (its Mqtt co-type: topics and payload format; its Commands' responses),
 * so that the simulator says what the model says and nothing of its own.
 */
import type { ModelSet } from '../dtdl';
import type { MetricStore, TwinReads } from '../store/port';
import { readCatalogue } from '../demo/catalogue';
import { currentHour, planFirm } from '../demo/firm';
import { bindingOf, type DeviceBindings } from './bindings';
import type { DeviceProtocol, DeviceStart, SimulatedState } from './simulator';

/** The demo's Device model (dtdl/Device.json). */
export const DEMO_DEVICE = 'dtmi:twingraph:demo:Device;1';

/**
 * The demo devices, in the seed's order: all of them, or (`only`) those with these ids, at most `limit`.
 * `asOf` is the hour the seed's history ends at; the simulator carries on from there.
 */
export function demoDevices(
  catalogueFile: string,
  options: { asOf?: number; limit?: number; only?: ReadonlySet<string> } = {},
): DeviceStart[] {
  const firm = planFirm(readCatalogue(catalogueFile), options.asOf ?? currentHour());
  // The plan simulated each device's history once already: its truth keeps where each one ended.
  const devices = options.only ? firm.truth.devices.filter((d) => options.only!.has(d.id)) : firm.truth.devices;
  return devices.slice(0, options.limit ?? Infinity).map(({ id, last }) => ({ id, ...last }));
}

/** The telemetry a simulated device carries on from. */
const CARRIED = ['temperature', 'vibration', 'utilisation'] as const;
const STATES: ReadonlySet<string> = new Set<SimulatedState>(['idle', 'processing', 'blocked', 'failed']);
/** Twins read at once. */
const CHUNK = 1000;

/**
 * Where the demo devices `ids` are now, from the store: each device's newest point of each carried telemetry
 * and its `state`. A device missing any of them (no telemetry stored, a state the simulator does not know) is
 * left out, for the caller to start from the seed's plan.
 */
export async function storedDeviceStarts(
  store: Pick<TwinReads, 'getTwins'> & Pick<MetricStore, 'latestMetrics'>,
  ids: readonly string[],
): Promise<Map<string, Omit<DeviceStart, 'id'>>> {
  const starts = new Map<string, Omit<DeviceStart, 'id'>>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const [twins, latest] = await Promise.all([
      store.getTwins(chunk),
      store.latestMetrics(chunk.flatMap((twinId) => CARRIED.map((name) => ({ twinId, name })))),
    ]);
    chunk.forEach((id, k) => {
      const state = twins[k]?.state;
      const [temperature, vibration, utilisation] = CARRIED.map((_, j) => latest[k * CARRIED.length + j]?.value);
      if (
        typeof state === 'string' &&
        STATES.has(state) &&
        typeof temperature === 'number' &&
        typeof vibration === 'number' &&
        typeof utilisation === 'number'
      )
        starts.set(id, { temperature, vibration, utilisation, state: state as SimulatedState });
    });
  }
  return starts;
}

/**
 * How twins of the demo's Device model talk MQTT: its own Mqtt co-type, or (a store seeded before the model
 * had one) the default binding; undefined, with the reason, when neither gives a telemetry topic, a command
 * topic and a payload format the simulator can write.
 */
export function demoDeviceProtocol(
  models: ModelSet,
  bindings: DeviceBindings,
): { protocol: DeviceProtocol } | { problem: string } {
  const model = models.interfaces.get(DEMO_DEVICE);
  if (!model) return { problem: `there is no ${DEMO_DEVICE} model` };
  const binding = bindingOf(bindings, DEMO_DEVICE);
  if (!binding?.telemetry || !binding.commands || !binding.format)
    return {
      problem: `${DEMO_DEVICE} has no telemetry topic, command topic and payload format Twingraph can write (give it an Mqtt co-type, or keep the default topics on)`,
    };
  const responses: Record<string, string> = {};
  for (const content of model.contents.values())
    if (content.kind === 'Command' && content.response) responses[content.name] = content.response.name;
  return {
    protocol: {
      modelId: DEMO_DEVICE,
      telemetryTopic: binding.telemetry.text,
      commandTopic: binding.commands.text,
      format: binding.format,
      responses,
    },
  };
}
