/**
 * The firm's telemetry as batches of metric points, simulated again from each twin's plan as they are
 * needed: seven million points never sit in memory at once.
 */
import type { MetricPoint } from '../store/types';
import type { Catalogue } from './catalogue';
import type { Firm } from './firm';
import { HOUR_MS, simulateDevice, simulateEngagement, windowStart } from './simulate';

const r2 = (x: number): number => Math.round(x * 100) / 100;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** How many points the firm's telemetry has, for progress displays. */
export function telemetrySize(firm: Firm, catalogue: Catalogue): number {
  const hours = catalogue.telemetryDays * 24;
  let states = 0;
  for (const plan of firm.devices) states += simulateDevice(plan, catalogue, firm.asOf).states.length;
  return firm.devices.length * 3 * hours + states + firm.engagements.length * 2 * hours;
}

function hourTimes(start: number, hours: number): string[] {
  return Array.from({ length: hours }, (_, h) => new Date(start + h * HOUR_MS).toISOString());
}

/**
 * Batches of about `twinsPerBatch` twins' telemetry: devices' temperature, vibration, utilisation and state
 * changes, then engagements' hours booked and spend to date. Points of one time come together, which is how
 * live telemetry arrives and lets the store parse each time once.
 */
export function* telemetryBatches(firm: Firm, catalogue: Catalogue, twinsPerBatch = 40): Generator<MetricPoint[]> {
  const hours = catalogue.telemetryDays * 24;
  const deviceTimes = hourTimes(windowStart(firm.asOf, hours), hours);
  for (let i = 0; i < firm.devices.length; i += twinsPerBatch) {
    const plans = firm.devices.slice(i, i + twinsPerBatch);
    const histories = plans.map((plan) => simulateDevice(plan, catalogue, firm.asOf));
    const points: MetricPoint[] = [];
    for (let h = 0; h < hours; h++) {
      const time = deviceTimes[h];
      for (let k = 0; k < plans.length; k++) {
        const twinId = plans[k].id;
        const run = histories[k];
        points.push(
          { twinId, name: 'temperature', time, value: r2(run.temperature[h]) },
          { twinId, name: 'vibration', time, value: r3(run.vibration[h]) },
          { twinId, name: 'utilisation', time, value: r3(run.utilisation[h]) },
        );
      }
    }
    for (let k = 0; k < plans.length; k++) {
      for (const s of histories[k].states)
        points.push({ twinId: plans[k].id, name: 'stateChange', time: new Date(s.time).toISOString(), value: s.state });
    }
    yield points;
  }
  for (let i = 0; i < firm.engagements.length; i += twinsPerBatch) {
    const points: MetricPoint[] = [];
    for (const plan of firm.engagements.slice(i, i + twinsPerBatch)) {
      const run = simulateEngagement(plan, catalogue);
      const times = hourTimes(run.start, hours);
      for (let h = 0; h < hours; h++) {
        points.push(
          { twinId: plan.id, name: 'hoursBooked', time: times[h], value: run.hoursBooked[h] },
          { twinId: plan.id, name: 'spendToDate', time: times[h], value: run.spendToDate[h] },
        );
      }
    }
    yield points;
  }
}
