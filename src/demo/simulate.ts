/**
 * Hour-by-hour histories of one device and one engagement: pure functions of their plan and the as-of time,
 * so the twin's properties (its state now, its spend) and its telemetry agree, and the telemetry can be
 * generated again, batch by batch, without being held in memory.
 */
import type { Catalogue, DeviceType } from './catalogue';
import { Random } from './random';

// Bound once: global lookups are slow inside jest's VM context (see random.ts).
const { floor, min, max, round, sin, abs, ceil, PI } = Math;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export type DeviceState = 'idle' | 'processing' | 'blocked' | 'failed';

export interface DevicePlan {
  readonly id: string;
  readonly type: DeviceType;
  /** Hours from UTC of the device's site (its working day follows local time). */
  readonly utcOffsetHours: number;
  readonly capacity: number;
}

export interface DeviceHistory {
  /** One value per hour of the window, oldest first. */
  readonly temperature: Float64Array;
  readonly vibration: Float64Array;
  readonly utilisation: Float64Array;
  /** Every state the device entered, with the time it did (the first one at the window's start). */
  readonly states: readonly { readonly time: number; readonly state: DeviceState }[];
  /** Whether the device is wearing out (its vibration climbs) and, if it crossed the limit, when. */
  readonly wearing: boolean;
  readonly wornOutAt: number | undefined;
  /** The hour its wear started and the vibration it adds per hour since (0 when not wearing). */
  readonly wearOnset: number | undefined;
  /** When its wear trend is set to reach the failure limit at peak load (maybe after the window): the truth failure risk is judged against. */
  readonly wearLimitAt: number | undefined;
  readonly wearPerHour: number;
  readonly randomFailures: number;
  readonly blockedEpisodes: number;
  readonly final: {
    readonly state: DeviceState;
    readonly inUse: number;
    readonly queueLength: number;
    readonly lastHeartbeat: number;
  };
}

/** The first hour of the telemetry window (the newest point is one hour before `asOf`). */
export function windowStart(asOf: number, hours: number): number {
  return asOf - hours * HOUR_MS;
}

/** The local hour of day and whether it is a weekday, by arithmetic (a Date per point costs more than the rest). */
function localHour(time: number, offset: number): { hour: number; weekday: boolean } {
  const local = time + offset * HOUR_MS;
  const days = floor(local / DAY_MS);
  // 1 January 1970 was a Thursday (4, counting Sunday as 0).
  const day = (((days + 4) % 7) + 7) % 7;
  return { hour: floor((local - days * DAY_MS) / HOUR_MS), weekday: day !== 0 && day !== 6 };
}

/** The share of capacity the device's work asks for at a time, before noise. */
function load(type: DeviceType, time: number, offset: number): number {
  const { hour, weekday } = localHour(time, offset);
  switch (type.load) {
    case 'shifts':
      if (hour >= 6 && hour < 22) return weekday ? 0.75 : 0.3;
      return 0.08;
    case 'office':
      if (hour >= 7 && hour < 19) return weekday ? 0.65 : 0.15;
      return 0.1;
    case 'continuous':
      return 0.6 + 0.15 * sin((2 * PI * (hour - 9)) / 24);
  }
}

/** Poisson event hours in [0, hours) at `perDay` events a day. */
function eventHours(random: Random, perDay: number, hours: number): number[] {
  const out: number[] = [];
  if (perDay <= 0) return out;
  for (let h = random.exponential(24 / perDay); h < hours; h += random.exponential(24 / perDay)) out.push(floor(h));
  return out;
}

export function simulateDevice(plan: DevicePlan, catalogue: Catalogue, asOf: number): DeviceHistory {
  const hours = catalogue.telemetryDays * 24;
  const start = windowStart(asOf, hours);
  const random = new Random(catalogue.seed, `device:${plan.id}`);
  const d = catalogue.devices;
  const baseTemperature = plan.type.temperature + random.normal(0, 2);
  const baseVibration = plan.type.vibration * random.logNormal(1, 0.15);

  // Wear: vibration climbs linearly from an onset, reaching the limit some days later (maybe after the window).
  const wearing = random.chance(d.wearingShare);
  let wearOnset: number | undefined;
  let wearPerHour = 0;
  let daysToLimit = 0;
  if (wearing) {
    wearOnset = random.int(0, max(0, hours - 72));
    daysToLimit = random.between(4, 40);
    wearPerHour = max(0, d.failureThreshold - baseVibration * 1.3) / (daysToLimit * 24);
  }
  const rate =
    d.randomFailureRate.meanPerDay > 0
      ? random.gamma(d.randomFailureRate.shape, d.randomFailureRate.meanPerDay / d.randomFailureRate.shape)
      : 0;
  const failureStarts = eventHours(random, rate, hours);
  const blockedStarts = eventHours(random, d.blockedPerDay, hours);
  const down = new Uint8Array(hours);
  for (const h of failureStarts) {
    const repair = ceil(random.between(d.repairHours[0], d.repairHours[1]));
    for (let i = h; i < min(hours, h + repair); i++) down[i] = 1;
  }
  const blocked = new Uint8Array(hours);
  for (const h of blockedStarts) for (let i = h; i < min(hours, h + random.int(1, 3)); i++) blocked[i] = 1;

  const temperature = new Float64Array(hours);
  const vibration = new Float64Array(hours);
  const utilisation = new Float64Array(hours);
  const states: { time: number; state: DeviceState }[] = [];
  let state: DeviceState | undefined;
  let wornOutAt: number | undefined;
  let uNoise = 0;
  let tNoise = 0;
  let vNoise = 0;
  for (let h = 0; h < hours; h++) {
    const time = start + h * HOUR_MS;
    uNoise = 0.7 * uNoise + random.normal(0, 0.05);
    tNoise = 0.8 * tNoise + random.normal(0, 0.35);
    vNoise = 0.5 * vNoise + random.normal(0, 0.06 * baseVibration);
    const wear = wearOnset !== undefined && h >= wearOnset ? wearPerHour * (h - wearOnset) : 0;
    const failed = wornOutAt !== undefined || down[h] === 1;
    const u = failed ? 0 : min(1, max(0, load(plan.type, time, plan.utcOffsetHours) + uNoise));
    const v = failed ? 0.02 + abs(vNoise) * 0.2 : max(0.01, baseVibration * (1 + 0.4 * u) + wear + vNoise);
    utilisation[h] = u;
    vibration[h] = v;
    temperature[h] = baseTemperature - (failed ? 8 : 0) + 10 * u + 15 * (wear / d.failureThreshold) + tNoise;
    if (wornOutAt === undefined && v >= d.failureThreshold) wornOutAt = time;
    const next: DeviceState =
      wornOutAt !== undefined || down[h] === 1
        ? 'failed'
        : blocked[h] === 1
          ? 'blocked'
          : u > 0.35
            ? 'processing'
            : 'idle';
    if (next !== state) {
      // Transitions happen within the hour, not on it, so the state series does not look sampled.
      states.push({ time: h === 0 ? time : time + random.int(0, 59) * 60_000, state: next });
      state = next;
    }
  }
  const last = hours - 1;
  const finalState = state ?? 'idle';
  return {
    temperature,
    vibration,
    utilisation,
    states,
    wearing,
    wornOutAt,
    wearOnset: wearOnset === undefined ? undefined : start + wearOnset * HOUR_MS,
    wearLimitAt: wearOnset === undefined ? undefined : start + wearOnset * HOUR_MS + daysToLimit * DAY_MS,
    wearPerHour,
    randomFailures: failureStarts.length,
    blockedEpisodes: blockedStarts.length,
    final: {
      state: finalState,
      inUse: finalState === 'failed' ? 0 : round(utilisation[last] * plan.capacity),
      queueLength: finalState === 'blocked' ? random.int(3, 15) : finalState === 'processing' ? random.int(0, 3) : 0,
      lastHeartbeat: wornOutAt ?? asOf - random.int(5, 300) * 1000,
    },
  };
}

export interface EngagementPlan {
  readonly id: string;
  readonly start: number;
  /** When its telemetry window ends: its actual end when closed, otherwise the as-of time. */
  readonly windowEnd: number;
  /** Cost per booked hour, EUR. */
  readonly blendedRate: number;
  /** Booked hours per working hour while it runs (its team size, in effect). */
  readonly hoursPerWorkingHour: number;
  /** The spend property: what spendToDate reaches at the window's end. */
  readonly spendAtEnd: number;
  readonly utcOffsetHours: number;
}

export interface EngagementHistory {
  readonly hoursBooked: Float64Array;
  readonly spendToDate: Float64Array;
  /** The first hour of the window. */
  readonly start: number;
}

/**
 * Hours booked in working hours while the engagement runs, and the spend they add up to: the cumulative
 * series ends at the engagement's spend (scaled down when the engagement is younger than the window).
 */
export function simulateEngagement(plan: EngagementPlan, catalogue: Catalogue): EngagementHistory {
  const hours = catalogue.telemetryDays * 24;
  const start = windowStart(plan.windowEnd, hours);
  const random = new Random(catalogue.seed, `engagement-telemetry:${plan.id}`);
  const hoursBooked = new Float64Array(hours);
  let total = 0;
  for (let h = 0; h < hours; h++) {
    const time = start + h * HOUR_MS;
    if (time < plan.start) continue;
    const { hour, weekday } = localHour(time, plan.utcOffsetHours);
    if (!weekday || hour < 8 || hour >= 18) continue;
    const booked = max(0, plan.hoursPerWorkingHour * random.normal(1, 0.2));
    hoursBooked[h] = round(booked * 4) / 4;
    total += hoursBooked[h] * plan.blendedRate;
  }
  const scale = total > plan.spendAtEnd && total > 0 ? plan.spendAtEnd / total : 1;
  const spendToDate = new Float64Array(hours);
  let after = 0;
  for (let h = hours - 1; h >= 0; h--) {
    spendToDate[h] = max(0, round((plan.spendAtEnd - after) * 100) / 100);
    after += hoursBooked[h] * plan.blendedRate * scale;
  }
  if (scale < 1) for (let h = 0; h < hours; h++) hoursBooked[h] = round(hoursBooked[h] * scale * 4) / 4;
  return { hoursBooked, spendToDate, start };
}
