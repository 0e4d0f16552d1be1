/**
 * The demo firm's catalogue (seeds/firm.json): the seed, the sizes, and everything the generator draws from.
 * Checked on load so that an edited catalogue fails with the path of the bad value, not with NaN in the data.
 *
 * The checks are valibot's, with the messages and rules the catalogue's errors have always had ("Too small:
 * expected number to be >=1"), where valibot on its own would word or decide otherwise: a number must be
 * finite, an object must not be an array, a pair has exactly two items, a fraction where a whole number
 * belongs is reported alone, and a missing field is named with the type it should have.
 */
import fs from 'node:fs';
import * as v from 'valibot';

/** A value's type as the messages name it: NaN and Infinity by value; arrays, null and class instances apart. */
function typeName(input: unknown): string {
  if (typeof input === 'number') return Number.isFinite(input) ? 'number' : String(input);
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'object' && Object.getPrototypeOf(input) !== Object.prototype && input.constructor)
    return input.constructor.name;
  return typeof input;
}

const expected = (type: string) => (issue: v.BaseIssue<unknown>) =>
  `Invalid input: expected ${type}, received ${typeName(issue.input)}`;

const number = v.custom<number>((x) => typeof x === 'number' && Number.isFinite(x), expected('number'));
const text = v.string(expected('string'));
const min = (n: number) => v.check<number, string>((x) => x >= n, `Too small: expected number to be >=${n}`);
const max = (n: number) => v.check<number, string>((x) => x <= n, `Too big: expected number to be <=${n}`);
const nonEmpty = v.pipe(text, v.minLength(1, 'Too small: expected string to have >=1 characters'));

/**
 * A whole number, at least `least` and at most `most` when given. A fraction stops the checks that follow:
 * its range says nothing more worth reading.
 */
const int = (least?: number, most?: number) =>
  v.pipe(
    number,
    v.rawTransform<number, number>(({ dataset: { value }, addIssue, NEVER }) => {
      if (Number.isInteger(value)) return value;
      addIssue({ message: 'Invalid input: expected int, received number' });
      return NEVER;
    }),
    v.check<number, (issue: v.CheckIssue<number>) => string>(Number.isSafeInteger, (issue) =>
      (issue.input as number) > 0
        ? `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`
        : `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`,
    ),
    // Unbounded, these cannot fail; they are there so that int() has one type whatever its bounds.
    min(least ?? -Infinity),
    max(most ?? Infinity),
  );

/** A list of at least one item. */
const list = <const S extends v.GenericSchema>(item: S) =>
  v.pipe(v.array(item, expected('array')), v.minLength(1, 'Too small: expected array to have >=1 items'));

/**
 * Two items exactly. Too few is reported alone; too many is reported and the first two are checked all the
 * same, which a pipe cannot do (it stops at the first schema after an issue), hence the nested parse.
 */
const pair = <const S extends v.GenericSchema>(item: S) => {
  const items = v.tuple([item, item]);
  return v.pipe(
    v.array(v.unknown(), expected('tuple')),
    v.check((list) => list.length >= 2, 'Too small: expected array to have >=2 items'),
    v.rawTransform(({ dataset: { value }, addIssue, NEVER }) => {
      if (value.length > 2) addIssue({ message: 'Too big: expected array to have <=2 items' });
      const result = v.safeParse(items, value);
      for (const issue of result.issues ?? []) addIssue({ message: issue.message, path: issue.path });
      return result.success && value.length === 2 ? result.output : NEVER;
    }),
  );
};

/**
 * An object with `entries` (other keys are dropped). A missing entry is reported as its schema reports an
 * undefined value, with the type it should have.
 */
const record = <const E extends v.ObjectEntries>(entries: E) =>
  v.pipe(
    v.custom<object>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), expected('object')),
    v.object(entries, (issue) => {
      const key = issue.path?.[0]?.key as keyof E;
      return v.safeParse(entries[key]!, undefined).issues?.[0].message ?? issue.message;
    }),
  );

const share = v.pipe(number, min(0), max(1));
const positive = v.pipe(
  number,
  v.check<number, string>((x) => x > 0, 'Too small: expected number to be >0'),
);

const CATALOGUE = record({
  seed: int(),
  counts: record({
    clients: int(1),
    employees: int(1),
    engagements: int(1),
    assets: int(1),
    devicesPerAsset: int(1),
  }),
  historyYears: positive,
  telemetryDays: int(2, 366),
  offerings: list(
    record({
      line: nonEmpty,
      name: nonEmpty,
      targetMargin: share,
      margin: v.pipe(number, min(-1), max(1)),
      marginSd: v.pipe(number, min(0)),
      budgetMedian: positive,
      budgetSigma: v.pipe(number, min(0)),
      durationMedianDays: positive,
    }),
  ),
  industries: list(record({ industry: nonEmpty, marginEffect: number, weight: positive })),
  roles: v.pipe(
    list(
      record({
        role: nonEmpty,
        share: share,
        hourlyRate: positive,
        leadMarginEffect: number,
        leads: v.boolean(expected('boolean')),
      }),
    ),
    v.check((roles) => roles.some((r) => r.leads), 'at least one role must lead engagements'),
  ),
  economics: record({
    revenueDrift: number,
    revenueSd: v.pipe(number, min(0)),
    durationPenalty: number,
    overrunMean: number,
    overrunSd: v.pipe(number, min(0)),
    onHoldShare: share,
    anomalyShare: share,
    anomalyBurnFactor: pair(v.pipe(number, min(1))),
    startsAheadDays: int(0),
  }),
  places: list(
    record({
      country: v.pipe(
        text,
        v.length(2, (issue) =>
          (issue.input as string).length > 2
            ? 'Too big: expected string to have exactly 2 characters'
            : 'Too small: expected string to have exactly 2 characters',
        ),
      ),
      city: text,
      street: text,
      postalCode: text,
      lat: v.pipe(number, min(-90), max(90)),
      lon: v.pipe(number, min(-180), max(180)),
    }),
  ),
  clientNames: record({ first: list(nonEmpty), second: list(nonEmpty) }),
  people: record({ first: list(nonEmpty), last: list(nonEmpty) }),
  emailDomain: nonEmpty,
  assetTypes: list(
    record({
      assetType: nonEmpty,
      weight: positive,
      names: list(text),
      devices: list(text),
    }),
  ),
  deviceTypes: list(
    record({
      deviceType: nonEmpty,
      capacity: pair(int(1)),
      temperature: number,
      vibration: positive,
      load: v.picklist(
        ['shifts', 'office', 'continuous'],
        'Invalid option: expected one of "shifts"|"office"|"continuous"',
      ),
    }),
  ),
  firmware: list(text),
  devices: record({
    failureThreshold: positive,
    wearingShare: share,
    randomFailureRate: record({ shape: positive, meanPerDay: v.pipe(number, min(0)) }),
    repairHours: pair(positive),
    blockedPerDay: v.pipe(number, min(0)),
  }),
});

export type Catalogue = v.InferOutput<typeof CATALOGUE>;
export type Offering = Catalogue['offerings'][number];
export type DeviceType = Catalogue['deviceTypes'][number];

/** Checks a parsed catalogue; throws one message listing every bad value by path. */
export function checkCatalogue(value: unknown, source = 'the catalogue'): Catalogue {
  const result = v.safeParse(CATALOGUE, value);
  if (!result.success) {
    const problems = result.issues.map((i) => `${i.path?.map((p) => p.key).join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source} is not a valid demo catalogue:\n  ${problems.join('\n  ')}`);
  }
  const catalogue = result.output;
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
