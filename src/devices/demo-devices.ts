/**
 * The demo firm's devices as the simulator starts them: the same plans the seed writes (ids, types,
 * capacities; ../demo/firm.ts) and, for each, the values of the seed generator's last hour, so that live
 * telemetry continues the history the seed stored rather than jumping away from it; and how they talk,
 * read from the demo's Device model (its Mqtt co-type: topics and payload format; its Commands' responses),
 * so that the simulator says what the model says and nothing of its own.
 */
import type { ModelSet } from '../dtdl';
import { readCatalogue } from '../demo/catalogue';
import { currentHour, planFirm } from '../demo/firm';
import { bindingOf, type DeviceBindings } from './bindings';
import type { DeviceProtocol, DeviceStart } from './simulator';

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
