/**
 * The demo firm's devices as the simulator starts them: the same plans the seed writes (ids, types,
 * capacities; ../demo/firm.ts) and, for each, the values of the seed generator's last hour, so that live
 * telemetry continues the history the seed stored rather than jumping away from it.
 */
import { readCatalogue } from '../demo/catalogue';
import { currentHour, planFirm } from '../demo/firm';
import { simulateDevice } from '../demo/simulate';
import type { DeviceStart } from './simulator';

export function demoDevices(catalogueFile: string, asOf: number = currentHour(), limit = Infinity): DeviceStart[] {
  const catalogue = readCatalogue(catalogueFile);
  const firm = planFirm(catalogue, asOf);
  return firm.devices.slice(0, limit).map((plan) => {
    const history = simulateDevice(plan, catalogue, asOf);
    const last = history.temperature.length - 1;
    return {
      id: plan.id,
      temperature: history.temperature[last],
      vibration: history.vibration[last],
      utilisation: history.utilisation[last],
      state: history.final.state,
    };
  });
}
