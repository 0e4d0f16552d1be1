/**
 * The demo firm, planned from the catalogue: its twins (in ADT JSON, ready to validate and store), the
 * relationships between them, and the plans from which each twin's telemetry is simulated. Pure: the same
 * catalogue and as-of time give the same firm.
 *
 * Money follows a model the analytics can learn: an engagement's final revenue is its budget give or take,
 * its margin depends on the service line, the client's industry, the lead's seniority, its length and its
 * overrun, and a few engagements burn money far faster than their peers.
 */
import { DEMO_MODELS } from './models';
import type { RelationshipWrite, TwinWrite } from '../store/port';
import type { JsonObject, TwinInput } from '../store/types';
import type { Catalogue, Offering } from './catalogue';
import { Random } from './random';
import { DAY_MS, HOUR_MS, simulateDevice, type DevicePlan, type DeviceState, type EngagementPlan } from './simulate';

/** What the generator knows that the data does not say outright: for checking the analytics against. */
export interface EngagementTruth {
  readonly id: string;
  readonly status: 'proposed' | 'active' | 'onHold' | 'closed';
  readonly offering: string;
  readonly finalRevenue: number;
  readonly finalSpend: number;
  readonly anomalous: boolean;
}

export interface DeviceTruth {
  readonly id: string;
  readonly wearing: boolean;
  readonly wornOutAt: number | undefined;
  /** When its wear trend reaches the failure limit at peak load, if it wears (maybe after the as-of time). */
  readonly wearLimitAt: number | undefined;
  /** How many points its stateChange telemetry has. */
  readonly stateChanges: number;
  /** Its telemetry of the last hour and its state at the end: where the live demo's simulator carries on. */
  readonly last: {
    readonly temperature: number;
    readonly vibration: number;
    readonly utilisation: number;
    readonly state: DeviceState;
  };
}

export interface Firm {
  readonly asOf: number;
  readonly twins: readonly TwinWrite[];
  readonly relationships: readonly RelationshipWrite[];
  readonly devices: readonly DevicePlan[];
  readonly engagements: readonly EngagementPlan[];
  readonly truth: { readonly engagements: readonly EngagementTruth[]; readonly devices: readonly DeviceTruth[] };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
/** The id of the demo's `n`th device (from 1), in the order planFirm makes them. */
const deviceId = (n: number): string => `device-${pad(n, 5)}`;

/**
 * The ids of the demo firm's devices, in planFirm's order, without planning the firm: every asset hosts
 * `devicesPerAsset` of them. What the live demo needs to look for them in a store, for a fraction of
 * planFirm's time (which simulates every device's history).
 */
export function demoDeviceIds(catalogue: Catalogue): string[] {
  return Array.from({ length: catalogue.counts.assets * catalogue.counts.devicesPerAsset }, (_, i) => deviceId(i + 1));
}
const isoDate = (time: number): string => new Date(time).toISOString().slice(0, 10);
const isoTime = (time: number): string => new Date(time).toISOString();
const round = (x: number, step: number): number => Math.round(x / step) * step;
const slug = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');

const SCOPES: Record<string, readonly string[]> = {
  consulting: ['operating model review', 'cost reduction programme', 'supply chain redesign'],
  auditAndAssurance: ['controls testing', 'asset verification', 'ESG assurance'],
  tax: ['capital allowances review', 'transfer pricing', 'energy tax relief'],
  technologyServices: ['IoT rollout', 'cloud migration', 'OT security hardening'],
  financialAdvisory: ['valuation', 'due diligence', 'sale-and-leaseback analysis'],
};

function twin(model: string, properties: JsonObject): TwinInput {
  return { ...properties, $metadata: { $model: model } };
}

function relationship(
  sourceId: string,
  name: string,
  targetId: string,
  properties: JsonObject = {},
): RelationshipWrite {
  const relationshipId = `${name}-${targetId}`;
  return {
    sourceId,
    relationshipId,
    relationship: {
      $relationshipId: relationshipId,
      $sourceId: sourceId,
      $relationshipName: name,
      $targetId: targetId,
      ...properties,
    },
  };
}

/** The as-of time the demo is generated for by default: the start of the current hour. */
export function currentHour(now = Date.now()): number {
  return Math.floor(now / HOUR_MS) * HOUR_MS;
}

export function planFirm(catalogue: Catalogue, asOf: number): Firm {
  if (!Number.isFinite(asOf) || asOf % HOUR_MS !== 0)
    throw new Error(`The as-of time must be a whole hour; got ${new Date(asOf).toISOString()}.`);
  const seed = catalogue.seed;
  const twins: TwinWrite[] = [];
  const relationships: RelationshipWrite[] = [];
  const { counts, economics } = catalogue;

  // Service offerings: one twin per service line.
  const offeringIds = new Map<string, string>();
  for (const o of catalogue.offerings) {
    const id = `offering-${slug(o.line)}`;
    offeringIds.set(o.line, id);
    twins.push({ id, twin: twin(DEMO_MODELS.offering, { name: o.name, line: o.line, targetMargin: o.targetMargin }) });
  }

  // Employees: roles by their shares, unique names.
  const people = new Random(seed, 'people');
  const personNames = people
    .shuffled(catalogue.people.first.flatMap((f) => catalogue.people.last.map((l) => [f, l] as const)))
    .slice(0, counts.employees);
  const employees = personNames.map(([first, last], i) => {
    const r = new Random(seed, `employee:${i}`);
    const role = i === 0 ? catalogue.roles.find((x) => x.leads)! : r.weighted(catalogue.roles, (x) => x.share);
    const place = r.pick(catalogue.places);
    const id = `employee-${pad(i + 1, 3)}`;
    twins.push({
      id,
      twin: twin(DEMO_MODELS.employee, {
        name: `${first} ${last}`,
        email: `${slug(first)}.${slug(last)}@${catalogue.emailDomain}`,
        country: place.country,
        role: role.role,
        hourlyRate: round(role.hourlyRate * r.normal(1, 0.06), 5),
        hiredOn: isoDate(asOf - r.between(0.3, 18) * 365 * DAY_MS),
      }),
    });
    return { id, role, place };
  });
  const leads = employees.filter((e) => e.role.leads);

  // Clients: unique names, industries by weight, a size that decides how much work and how many assets they have.
  const naming = new Random(seed, 'client-names');
  const clientNames = naming
    .shuffled(catalogue.clientNames.first.flatMap((f) => catalogue.clientNames.second.map((s) => `${f} ${s}`)))
    .slice(0, counts.clients);
  const clients = clientNames.map((name, i) => {
    const r = new Random(seed, `client:${i}`);
    const industry = r.weighted(catalogue.industries, (x) => x.weight);
    const place = r.pick(catalogue.places);
    const id = `client-${pad(i + 1, 2)}`;
    const size = r.logNormal(1, 0.6);
    twins.push({
      id,
      twin: twin(DEMO_MODELS.client, {
        name,
        email: `contact@${slug(name)}.example`,
        country: place.country,
        industry: industry.industry,
        address: {
          street: `${place.street} ${r.int(1, 180)}`,
          city: place.city,
          postalCode: place.postalCode,
          country: place.country,
        },
        tags: { segment: size > 1.4 ? 'enterprise' : 'midMarket', accountOwner: r.pick(leads).id },
      }),
    });
    return { id, name, industry, place, size, assets: [] as string[] };
  });

  // Assets, each owned by a client (bigger clients own more), each hosting devices.
  const devicePlans: DevicePlan[] = [];
  const deviceTruth: DeviceTruth[] = [];
  const assetRandom = new Random(seed, 'asset-owners');
  const deviceType = new Map(catalogue.deviceTypes.map((d) => [d.deviceType, d]));
  const assetNames = new Map<string, number>();
  for (let i = 0; i < counts.assets; i++) {
    const r = new Random(seed, `asset:${i}`);
    // Every client owns at least one asset; the rest go by size.
    const owner = i < clients.length ? clients[i] : assetRandom.weighted(clients, (c) => c.size);
    const type = r.weighted(catalogue.assetTypes, (t) => t.weight);
    const place = r.chance(0.7) ? owner.place : r.pick(catalogue.places);
    const id = `asset-${pad(i + 1, 4)}`;
    owner.assets.push(id);
    // Sites of one owner in one city are told apart by number, as owners do ("… Plant Munich 2").
    const baseName = `${owner.name.split(' ')[0]} ${r.pick(type.names)} ${place.city}`;
    const seen = (assetNames.get(baseName) ?? 0) + 1;
    assetNames.set(baseName, seen);
    twins.push({
      id,
      twin: twin(DEMO_MODELS.asset, {
        name: seen === 1 ? baseName : `${baseName} ${seen}`,
        assetType: type.assetType,
        location: {
          type: 'Point',
          coordinates: [round(place.lon + r.normal(0, 0.05), 1e-5), round(place.lat + r.normal(0, 0.03), 1e-5)],
        },
      }),
    });
    for (let k = 0; k < counts.devicesPerAsset; k++) {
      const dr = new Random(seed, `device-spec:${devicePlans.length}`);
      const dtype = deviceType.get(type.devices[k % type.devices.length])!;
      const plan: DevicePlan = {
        id: deviceId(devicePlans.length + 1),
        type: dtype,
        utcOffsetHours: Math.round(place.lon / 15),
        capacity: dr.int(dtype.capacity[0], dtype.capacity[1]),
      };
      devicePlans.push(plan);
      const history = simulateDevice(plan, catalogue, asOf);
      const lastHour = history.temperature.length - 1;
      deviceTruth.push({
        id: plan.id,
        wearing: history.wearing,
        wornOutAt: history.wornOutAt,
        wearLimitAt: history.wearLimitAt,
        stateChanges: history.states.length,
        last: {
          temperature: history.temperature[lastHour],
          vibration: history.vibration[lastHour],
          utilisation: history.utilisation[lastHour],
          state: history.final.state,
        },
      });
      const f = history.final;
      twins.push({
        id: plan.id,
        twin: twin(DEMO_MODELS.device, {
          deviceType: dtype.deviceType,
          firmwareVersion: dr.pick(catalogue.firmware),
          lastHeartbeat: isoTime(f.lastHeartbeat),
          state: f.state,
          capacity: plan.capacity,
          inUse: f.inUse,
          queueLength: f.queueLength,
          diagnostics: {
            $metadata: {},
            errorCount: history.randomFailures + history.blockedEpisodes,
            lastError:
              history.wornOutAt !== undefined
                ? 'Vibration above the 7.1 mm/s limit'
                : history.randomFailures > 0
                  ? 'Motor overcurrent trip'
                  : '',
            selfTestPassed: f.state !== 'failed',
          },
        }),
      });
      relationships.push(relationship(id, 'hosts', plan.id));
    }
  }

  // Engagements: over the history years up to a few weeks ahead; every client has at least one.
  const engagementPlans: EngagementPlan[] = [];
  const engagementTruth: EngagementTruth[] = [];
  const ownerRandom = new Random(seed, 'engagement-owners');
  const historyMs = catalogue.historyYears * 365 * DAY_MS;
  const covered = new Set<string>();
  for (let i = 0; i < counts.engagements; i++) {
    const r = new Random(seed, `engagement:${i}`);
    const client = i < clients.length ? clients[i] : ownerRandom.weighted(clients, (c) => c.size);
    const offering: Offering = r.pick(catalogue.offerings);
    const lead = r.pick(leads);
    const budget = Math.max(5000, round(r.logNormal(offering.budgetMedian, offering.budgetSigma), 1000));
    const plannedDays = Math.max(
      14,
      Math.round(r.logNormal(offering.durationMedianDays * Math.pow(budget / offering.budgetMedian, 0.3), 0.3)),
    );
    const start =
      Math.floor((asOf - historyMs + r.float() * (historyMs + economics.startsAheadDays * DAY_MS)) / DAY_MS) * DAY_MS;
    const overrun = Math.max(-0.15, r.normal(economics.overrunMean, economics.overrunSd));
    const actualDays = Math.max(7, Math.round(plannedDays * (1 + overrun)));
    const plannedEnd = start + plannedDays * DAY_MS;
    const actualEnd = start + actualDays * DAY_MS;
    const finalRevenue = round(budget * (1 + r.normal(economics.revenueDrift, economics.revenueSd)), 100);
    const margin =
      offering.margin +
      client.industry.marginEffect +
      lead.role.leadMarginEffect -
      economics.durationPenalty * (plannedDays / 180 - 1) -
      0.1 * Math.max(0, overrun) +
      r.normal(0, offering.marginSd);
    const anomalous = r.chance(economics.anomalyShare);
    const burn = anomalous ? r.between(economics.anomalyBurnFactor[0], economics.anomalyBurnFactor[1]) : 1;
    const finalSpend = round(finalRevenue * (1 - margin) * burn, 100);

    const status: EngagementTruth['status'] =
      start > asOf ? 'proposed' : actualEnd <= asOf ? 'closed' : r.chance(economics.onHoldShare) ? 'onHold' : 'active';
    const progress = status === 'closed' ? 1 : status === 'proposed' ? 0 : (asOf - start) / (actualEnd - start);
    const blendedRate = 0.5 * lead.role.hourlyRate + 70;
    // Proposals cost bid work; running engagements have spent their share so far (anomalies burn faster).
    const bidCost = round(budget * r.between(0.002, 0.01), 10);
    const spend =
      status === 'proposed'
        ? bidCost
        : status === 'closed'
          ? finalSpend
          : round(finalSpend * progress * r.normal(1, 0.04), 10);
    const revenue =
      status === 'proposed'
        ? 0
        : status === 'closed'
          ? finalRevenue
          : round(finalRevenue * progress * r.between(0.75, 0.95), 10);
    const id = `engagement-${pad(i + 1, 4)}`;
    const year = new Date(start).getUTCFullYear();
    twins.push({
      id,
      twin: twin(DEMO_MODELS.engagement, {
        title: `${offering.name} ${year}: ${client.name}`,
        startDate: isoDate(start),
        endDate: isoDate(status === 'closed' ? actualEnd : plannedEnd),
        budget,
        spend,
        revenue,
        status,
      }),
    });
    relationships.push(relationship(client.id, 'hasEngagement', id, { since: isoDate(start) }));
    relationships.push(relationship(id, 'uses', offeringIds.get(offering.line)!));
    relationships.push(relationship(id, 'ledBy', lead.id));
    const scopes = SCOPES[offering.line] ?? ['engagement scope'];
    const uncovered = client.assets.filter((a) => !covered.has(a));
    const pool = r.shuffled(uncovered.length > 0 ? uncovered : client.assets);
    for (const asset of pool.slice(0, Math.min(pool.length, r.int(1, 4)))) {
      covered.add(asset);
      relationships.push(relationship(id, 'covers', asset, { scope: r.pick(scopes) }));
    }
    const windowEnd = status === 'closed' ? actualEnd : asOf;
    const workingHours = Math.max(1, actualDays * (5 / 7) * 10);
    engagementPlans.push({
      id,
      start: status === 'proposed' ? asOf - r.int(5, 25) * DAY_MS : start,
      windowEnd: Math.floor(windowEnd / HOUR_MS) * HOUR_MS,
      blendedRate,
      hoursPerWorkingHour:
        status === 'proposed'
          ? r.between(0.05, 0.3)
          : (finalSpend / workingHours / blendedRate) * (status === 'onHold' ? 0.1 : 1),
      spendAtEnd: spend,
      utcOffsetHours: Math.round(client.place.lon / 15),
    });
    engagementTruth.push({ id, status, offering: offering.line, finalRevenue, finalSpend, anomalous });
  }
  // Assets no engagement covers yet go to an engagement of their owner, so every asset is reachable from work.
  for (const client of clients) {
    const own = relationships.filter(
      (x) => x.sourceId === client.id && x.relationship.$relationshipName === 'hasEngagement',
    );
    for (const [k, asset] of client.assets.entries()) {
      if (covered.has(asset) || own.length === 0) continue;
      const engagement = own[k % own.length].relationship.$targetId as string;
      covered.add(asset);
      relationships.push(relationship(engagement, 'covers', asset, { scope: 'site survey' }));
    }
  }

  return {
    asOf,
    twins,
    relationships,
    devices: devicePlans,
    engagements: engagementPlans,
    truth: { engagements: engagementTruth, devices: deviceTruth },
  };
}
