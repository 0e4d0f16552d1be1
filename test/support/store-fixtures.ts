/**
 * Helpers for the store contract (test/store/contract): a controllable clock, a per-test store, error
 * assertions, and a small building domain (models, twins, relationships) that the suites share. Everything
 * goes through the public TwinStore port, so that every adapter runs the same suite.
 */
import { TwingraphError, type ErrorCode, type ErrorSubject } from '../../src/errors';
import type { TwinStore } from '../../src/store/port';
import type { Page } from '../../src/store/query';
import type { JsonObject, JsonValue, ModelInput, RelationshipInput, Twin, TwinInput } from '../../src/store/types';

// ── Opening stores ────────────────────────────────────────────────────────────────────────────────

export interface OpenOptions {
  outbox?: boolean;
  now?: () => number;
}

/** How a suite opens a fresh, empty store of the adapter under test. */
export type OpenStore = (options: OpenOptions) => Promise<TwinStore>;

/** A clock the test moves by hand; every store opened by `useStore` reads its time from one. */
export class TestClock {
  static readonly START = Date.parse('2024-05-01T12:00:00.000Z');
  private ms = TestClock.START;

  readonly now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }

  iso(offsetMs = 0): string {
    return new Date(this.ms + offsetMs).toISOString();
  }
}

export interface StoreHandle {
  /** The fresh store of the running test. */
  readonly store: TwinStore;
  readonly clock: TestClock;
}

/** Opens a fresh, empty store before each test of the enclosing `describe` and closes it after. */
export function useStore(open: OpenStore, options: { outbox?: boolean } = {}): StoreHandle {
  const handle = {} as { store: TwinStore; clock: TestClock };
  beforeEach(async () => {
    handle.clock = new TestClock();
    handle.store = await open({ ...options, now: handle.clock.now });
  });
  afterEach(async () => {
    await handle.store?.close();
  });
  return handle;
}

// ── Assertions ────────────────────────────────────────────────────────────────────────────────────

/**
 * Awaits a promise that must reject with a TwingraphError of this code (and, when given, these subject
 * fields); returns the error for further checks.
 */
export async function expectCode(
  promise: Promise<unknown>,
  code: ErrorCode,
  subject?: Partial<Record<keyof ErrorSubject, unknown>>,
): Promise<TwingraphError> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await promise };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok)
    throw new Error(`Expected ${code}, but the call succeeded with ${JSON.stringify(outcome.value)?.slice(0, 300)}`);
  const error = outcome.error as TwingraphError;
  // Code and message together, so that a failure shows what was raised instead.
  expect(`${error?.code}: ${error?.message}`).toMatch(new RegExp(`^${code}: `));
  expect(error).toBeInstanceOf(TwingraphError);
  if (subject) expect(error.subject).toMatchObject(subject as Record<string, unknown>);
  return error;
}

/** The state a failed write must leave untouched: the given twins (with their etags) and the change log. */
export async function snapshot(
  store: TwinStore,
  twinIds: readonly string[] = [],
): Promise<{ twins: (Twin | undefined)[]; latestSeq: number }> {
  return { twins: await store.getTwins(twinIds), latestSeq: await store.latestSeq() };
}

/** Runs a write that must fail with `code`, then checks that nothing changed. */
export async function expectRefused(
  store: TwinStore,
  twinIds: readonly string[],
  write: () => Promise<unknown>,
  code: ErrorCode,
  subject?: Partial<Record<keyof ErrorSubject, unknown>>,
): Promise<TwingraphError> {
  const before = await snapshot(store, twinIds);
  const error = await expectCode(write(), code, subject);
  expect(await snapshot(store, twinIds)).toEqual(before);
  return error;
}

export const ETAG = /^W\/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"$/;

export function ids(page: Page<Twin> | Twin[]): string[] {
  return (Array.isArray(page) ? page : page.items).map((t) => t.$dtId);
}

export function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

// ── Models ────────────────────────────────────────────────────────────────────────────────────────

export const M = {
  space: 'dtmi:test:Space;1',
  building: 'dtmi:test:Building;1',
  floor: 'dtmi:test:Floor;1',
  room: 'dtmi:test:Room;1',
  conferenceRoom: 'dtmi:test:ConferenceRoom;1',
  thermostat: 'dtmi:test:Thermostat;1',
  sensor: 'dtmi:test:Sensor;1',
  meetingPod: 'dtmi:test:MeetingPod;1',
} as const;

/**
 * A model as the services hand it to the store: its DTDL, every ancestor, and its direct dependencies
 * (what it extends and the schemas of its components).
 */
export function modelInput(
  id: string,
  options: {
    extends?: string[];
    ancestors?: string[];
    components?: Record<string, string>;
    contents?: JsonObject[];
  } = {},
): ModelInput {
  const bases = options.extends ?? [];
  const components = Object.entries(options.components ?? {});
  const name = id.replace(/^dtmi:test:/, '').replace(/;\d+$/, '');
  const definition: JsonObject = {
    '@context': 'dtmi:dtdl:context;3',
    '@id': id,
    '@type': 'Interface',
    displayName: name,
    ...(bases.length > 0 && { extends: bases }),
    contents: [
      ...components.map(([component, schema]) => ({ '@type': 'Component', name: component, schema })),
      ...(options.contents ?? []),
    ],
  };
  return {
    id,
    definition,
    ancestors: options.ancestors ?? bases,
    dependencies: [...bases, ...components.map(([, schema]) => schema)],
    displayName: { en: name },
  };
}

/** Space ← Building, Floor, Room ← ConferenceRoom; Room has a Thermostat component; Sensor stands alone. */
export const DOMAIN: readonly ModelInput[] = [
  modelInput(M.space, { contents: [{ '@type': 'Property', name: 'name', schema: 'string' }] }),
  modelInput(M.thermostat, { contents: [{ '@type': 'Property', name: 'setpoint', schema: 'double', writable: true }] }),
  modelInput(M.building, { extends: [M.space] }),
  modelInput(M.floor, { extends: [M.space] }),
  modelInput(M.room, { extends: [M.space], components: { thermostat: M.thermostat } }),
  modelInput(M.conferenceRoom, { extends: [M.room], ancestors: [M.room, M.space] }),
  modelInput(M.sensor),
];

export async function seedModels(store: TwinStore, models: readonly ModelInput[] = DOMAIN): Promise<void> {
  await store.putModels(models);
}

// ── Twins and relationships ───────────────────────────────────────────────────────────────────────

/** A twin body of a model: properties (and components) with `$metadata.$model` and optional metadata. */
export function twinInput(model: string, properties: JsonObject = {}, metadata: JsonObject = {}): TwinInput {
  return { ...properties, $metadata: { $model: model, ...metadata } } as TwinInput;
}

/** A component value: its properties and its own (here empty) `$metadata`. */
export function component(properties: JsonObject = {}, metadata: JsonObject = {}): JsonObject {
  return { ...properties, $metadata: metadata };
}

export function rel(targetId: string, name: string, properties: Record<string, JsonValue> = {}): RelationshipInput {
  return { $targetId: targetId, $relationshipName: name, ...properties };
}

/** The writable part of a twin: no `$dtId`, `$etag`, `$metadata` (components keep their values only). */
export function propertiesOf(twin: Twin): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(twin)) {
    if (key.startsWith('$')) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && '$metadata' in value) {
      const { $metadata: _metadata, ...rest } = value as JsonObject;
      out[key] = rest;
    } else out[key] = value as JsonValue;
  }
  return out;
}

/**
 * A small site graph, shared by the relationship-filter, traversal and neighbour tests:
 *
 *   b1 HQ ──hasFloor{order 1}──▶ f1 (level 1) ──hasRoom──▶ r1 (10), r2 (20)
 *      └───hasFloor{order 2}──▶ f2 (level 2) ──hasRoom──▶ r3 (30, a ConferenceRoom), r1
 *   b2 Annex ─hasFloor{order 1}─▶ f3 (level 3)
 *   r1 ─hasSensor{since 2024-01-01}─▶ s1 (temp)       r4 (40): no floor, no sensor
 *   r2 ─hasSensor{since 2024-03-01}─▶ s3 (temp)       r2 ─servedBy─▶ s1
 *   r3 ─hasSensor{since 2024-02-01}─▶ s2 (co2)        r3 ─hasSensor{since 2024-04-01}─▶ s3
 */
export const SITE = {
  twins: [
    ['b1', twinInput(M.building, { name: 'HQ' })],
    ['b2', twinInput(M.building, { name: 'Annex' })],
    ['f1', twinInput(M.floor, { level: 1 })],
    ['f2', twinInput(M.floor, { level: 2 })],
    ['f3', twinInput(M.floor, { level: 3 })],
    ['r1', twinInput(M.room, { name: 'R1', area: 10 })],
    ['r2', twinInput(M.room, { name: 'R2', area: 20 })],
    ['r3', twinInput(M.conferenceRoom, { name: 'R3', area: 30 })],
    ['r4', twinInput(M.room, { name: 'R4', area: 40 })],
    ['s1', twinInput(M.sensor, { kind: 'temp' })],
    ['s2', twinInput(M.sensor, { kind: 'co2' })],
    ['s3', twinInput(M.sensor, { kind: 'temp' })],
  ] as [string, TwinInput][],
  relationships: [
    ['b1', 'b1-f1', rel('f1', 'hasFloor', { order: 1 })],
    ['b1', 'b1-f2', rel('f2', 'hasFloor', { order: 2 })],
    ['b2', 'b2-f3', rel('f3', 'hasFloor', { order: 1 })],
    ['f1', 'f1-r1', rel('r1', 'hasRoom')],
    ['f1', 'f1-r2', rel('r2', 'hasRoom')],
    ['f2', 'f2-r3', rel('r3', 'hasRoom')],
    ['f2', 'f2-r1', rel('r1', 'hasRoom')],
    ['r1', 'r1-s1', rel('s1', 'hasSensor', { since: '2024-01-01' })],
    ['r2', 'r2-s3', rel('s3', 'hasSensor', { since: '2024-03-01' })],
    ['r2', 'r2-s1', rel('s1', 'servedBy')],
    ['r3', 'r3-s2', rel('s2', 'hasSensor', { since: '2024-02-01' })],
    ['r3', 'r3-s3', rel('s3', 'hasSensor', { since: '2024-04-01' })],
  ] as [string, string, RelationshipInput][],
};

export async function seedSite(store: TwinStore): Promise<void> {
  await seedModels(store);
  await store.createTwins(SITE.twins.map(([id, twin]) => ({ id, twin })));
  await store.putRelationships(
    SITE.relationships.map(([sourceId, relationshipId, relationship]) => ({ sourceId, relationshipId, relationship })),
  );
}
