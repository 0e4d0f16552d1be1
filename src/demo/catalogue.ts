/**
 * The demo firm's catalogue (seeds/firm.json): the seed, the sizes, and everything the generator draws from.
 * Checked on load so that an edited catalogue fails with the path of the bad value, not with NaN in the data.
 */
import fs from 'node:fs';
import { z } from 'zod';

const share = z.number().min(0).max(1);
const positive = z.number().positive();

const CATALOGUE = z.object({
  seed: z.number().int(),
  counts: z.object({
    clients: z.number().int().min(1),
    employees: z.number().int().min(1),
    engagements: z.number().int().min(1),
    assets: z.number().int().min(1),
    devicesPerAsset: z.number().int().min(1),
  }),
  historyYears: positive,
  telemetryDays: z.number().int().min(2).max(366),
  offerings: z
    .array(
      z.object({
        line: z.string().min(1),
        name: z.string().min(1),
        targetMargin: share,
        margin: z.number().min(-1).max(1),
        marginSd: z.number().min(0),
        budgetMedian: positive,
        budgetSigma: z.number().min(0),
        durationMedianDays: positive,
      }),
    )
    .min(1),
  industries: z.array(z.object({ industry: z.string().min(1), marginEffect: z.number(), weight: positive })).min(1),
  roles: z
    .array(
      z.object({
        role: z.string().min(1),
        share: share,
        hourlyRate: positive,
        leadMarginEffect: z.number(),
        leads: z.boolean(),
      }),
    )
    .min(1)
    .refine((roles) => roles.some((r) => r.leads), 'at least one role must lead engagements'),
  economics: z.object({
    revenueDrift: z.number(),
    revenueSd: z.number().min(0),
    durationPenalty: z.number(),
    overrunMean: z.number(),
    overrunSd: z.number().min(0),
    onHoldShare: share,
    anomalyShare: share,
    anomalyBurnFactor: z.tuple([z.number().min(1), z.number().min(1)]),
    startsAheadDays: z.number().int().min(0),
  }),
  places: z
    .array(
      z.object({
        country: z.string().length(2),
        city: z.string(),
        street: z.string(),
        postalCode: z.string(),
        lat: z.number().min(-90).max(90),
        lon: z.number().min(-180).max(180),
      }),
    )
    .min(1),
  clientNames: z.object({ first: z.array(z.string().min(1)).min(1), second: z.array(z.string().min(1)).min(1) }),
  people: z.object({ first: z.array(z.string().min(1)).min(1), last: z.array(z.string().min(1)).min(1) }),
  emailDomain: z.string().min(1),
  assetTypes: z
    .array(
      z.object({
        assetType: z.string().min(1),
        weight: positive,
        names: z.array(z.string()).min(1),
        devices: z.array(z.string()).min(1),
      }),
    )
    .min(1),
  deviceTypes: z
    .array(
      z.object({
        deviceType: z.string().min(1),
        capacity: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
        temperature: z.number(),
        vibration: positive,
        load: z.enum(['shifts', 'office', 'continuous']),
      }),
    )
    .min(1),
  firmware: z.array(z.string()).min(1),
  devices: z.object({
    failureThreshold: positive,
    wearingShare: share,
    randomFailureRate: z.object({ shape: positive, meanPerDay: z.number().min(0) }),
    repairHours: z.tuple([positive, positive]),
    blockedPerDay: z.number().min(0),
  }),
});

export type Catalogue = z.infer<typeof CATALOGUE>;
export type Offering = Catalogue['offerings'][number];
export type DeviceType = Catalogue['deviceTypes'][number];

/** Checks a parsed catalogue; throws one message listing every bad value by path. */
export function checkCatalogue(value: unknown, source = 'the catalogue'): Catalogue {
  const result = CATALOGUE.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source} is not a valid demo catalogue:\n  ${problems.join('\n  ')}`);
  }
  const catalogue = result.data;
  const deviceTypes = new Set(catalogue.deviceTypes.map((d) => d.deviceType));
  for (const asset of catalogue.assetTypes) {
    for (const d of asset.devices)
      if (!deviceTypes.has(d))
        throw new Error(`${source}: asset type '${asset.assetType}' hosts unknown device type '${d}'.`);
  }
  const names = catalogue.clientNames.first.length * catalogue.clientNames.second.length;
  if (names < catalogue.counts.clients)
    throw new Error(`${source}: ${names} client name combinations for ${catalogue.counts.clients} clients.`);
  const people = catalogue.people.first.length * catalogue.people.last.length;
  if (people < catalogue.counts.employees)
    throw new Error(`${source}: ${people} name combinations for ${catalogue.counts.employees} employees.`);
  return catalogue;
}

export function readCatalogue(file: string): Catalogue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the demo catalogue ${file}: ${(error as Error).message}`);
  }
  return checkCatalogue(parsed, file);
}

/** The catalogue with every count multiplied by `scale` (at least 1 each): smaller firms for tests. */
export function scaled(catalogue: Catalogue, scale: number): Catalogue {
  if (!(scale > 0)) throw new Error(`The scale must be a positive number; got ${scale}.`);
  const c = catalogue.counts;
  const n = (x: number): number => Math.max(1, Math.round(x * scale));
  return {
    ...catalogue,
    counts: {
      ...c,
      clients: n(c.clients),
      employees: Math.max(n(c.employees), 2),
      engagements: n(c.engagements),
      assets: n(c.assets),
    },
  };
}
