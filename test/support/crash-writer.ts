/**
 * The writer that test/store/crash.test.ts kills with SIGKILL. It opens the store (outbox on): a SQLite file,
 * or the Neo4j server at a neo4j:// or bolt:// URI (credentials from NEO4J_USER and NEO4J_PASSWORD), makes
 * sure its model exists, reads what the database already holds (so that kill/restart rounds build on each
 * other), then writes forever: creates, patches, relationship puts and deletes, batches of twins, metric
 * batches and cascading twin deletes, chosen by a seeded PRNG.
 *
 * After each write's promise resolves it prints one JSON line describing the acknowledged write, with the
 * change-log `seq` before (`prev`) and after (`seq`) it. The line goes straight to fd 1 with a blocking
 * write, so a printed line has left the process: nothing acknowledged can be lost in a buffer.
 *
 * Two of its writes are several at once. `patchTwins` is the bulk path: one call, one transaction. The other
 * issues several patchTwin calls in the same turn of the event loop, which the SQLite store commits as a
 * group (the first alone, the rest in one transaction, each in its own savepoint); each call's resolution
 * prints a `patched` line at once, before the others may have resolved, and the set's line follows. So a kill
 * can land between a group's commit and its acknowledgements, or between two of them.
 *
 *   node --require tsx/cjs test/support/crash-writer.ts <database file or Neo4j URI> <seed> <round>
 *
 * Any unexpected error goes to stderr and exits with code 1 (the test expects to be the one that ends it).
 */
import { mulberry32 } from '../../src/demo/random';
import fs from 'node:fs';
import { isTwingraphError } from '../../src/errors';
import type { JsonValue, MetricPoint, ModelInput, PatchOperation, TwinInput } from '../../src/store';
import { openStore, type StoreConfig } from '../../src/store/open';
import { neo4jFromEnv } from '../neo4j/server';

export const CRASH_MODEL = 'dtmi:twingraph:test:CrashCounter;1';
export const CRASH_RELATIONSHIP = 'feeds';
export const CRASH_TELEMETRY = 'temperature';

export interface TwinAck {
  readonly id: string;
  readonly etag: string;
  readonly counter: number;
}

export interface RelationshipAck {
  readonly sourceId: string;
  readonly relationshipId: string;
  readonly targetId: string;
  readonly etag: string;
}

export interface RelationshipKey {
  readonly sourceId: string;
  readonly relationshipId: string;
}

/** The change-log `seq` before the write and after it: the write's entries are `prev + 1 … seq`. */
export interface Acked {
  readonly prev: number;
  readonly seq: number;
}

/** One line of the writer's output: `ready` once the state is read, then one line per acknowledged write. */
export type WriterLine =
  | {
      readonly op: 'ready';
      readonly round: number;
      readonly latestSeq: number;
      readonly twins: number;
      readonly relationships: number;
    }
  | (Acked & { readonly op: 'putModels'; readonly model: string })
  | (Acked & { readonly op: 'createTwin'; readonly twin: TwinAck })
  | (Acked & { readonly op: 'createTwins'; readonly twins: readonly TwinAck[] })
  | (Acked & { readonly op: 'patchTwin'; readonly twin: TwinAck })
  | (Acked & { readonly op: 'patchTwins'; readonly twins: readonly TwinAck[] })
  | (Acked & { readonly op: 'patchConcurrently'; readonly twins: readonly TwinAck[] })
  | PatchedLine
  | BeginLine
  | (Acked & { readonly op: 'putRelationship'; readonly relationship: RelationshipAck; readonly replaced: boolean })
  | (Acked & { readonly op: 'deleteRelationship'; readonly relationship: RelationshipKey })
  | (Acked & { readonly op: 'deleteTwin'; readonly id: string; readonly relationships: readonly RelationshipKey[] })
  | (Acked & { readonly op: 'appendMetrics'; readonly points: readonly MetricPoint[] });

/** The most twins one write of the writer touches (a batch, a bulk patch, a concurrent set). */
export const MAX_TWINS_AT_ONCE = 8;

/** Printed before each write: what the write in flight is, should the kill come before its acknowledgement. */
export interface BeginLine {
  readonly op: 'begin';
  readonly write: WriteAck['op'];
}

/**
 * One patch of a `patchConcurrently` set, printed as its own promise resolves: acknowledged then, though the
 * set's line (with the seqs) may never come.
 */
export interface PatchedLine {
  readonly op: 'patched';
  readonly twin: TwinAck;
}

export type WriteAck = Exclude<WriterLine, { op: 'ready' } | PatchedLine | BeginLine>;

/** The store the writer and the test open: Neo4j for a neo4j:// or bolt:// URI, a SQLite file otherwise. */
export function crashStoreConfig(database: string): StoreConfig {
  if (/^(neo4j|bolt)(\+s|\+ssc)?:\/\//.test(database))
    return { kind: 'neo4j', ...neo4jFromEnv({ ...process.env, NEO4J_URI: database }), uri: database, outbox: true };
  return { kind: 'sqlite', path: database, outbox: true };
}

/** A seeded PRNG (mulberry32), so that every run is the same. */
export const seededRandom = mulberry32;

const MODEL: ModelInput = {
  id: CRASH_MODEL,
  definition: {
    '@context': 'dtmi:dtdl:context;3',
    '@id': CRASH_MODEL,
    '@type': 'Interface',
    contents: [
      { '@type': 'Property', name: 'counter', schema: 'integer' },
      { '@type': 'Property', name: 'label', schema: 'string' },
      { '@type': 'Property', name: 'notes', schema: 'string' },
      {
        '@type': 'Relationship',
        name: CRASH_RELATIONSHIP,
        properties: [{ '@type': 'Property', name: 'weight', schema: 'integer' }],
      },
      { '@type': 'Telemetry', name: CRASH_TELEMETRY, schema: 'double' },
    ],
  },
  ancestors: [],
  dependencies: [],
};

/** Metric points of round r are at 2024-01-01 + r × 10⁹ ms + n ms: never the same (series, time) twice. */
const METRIC_EPOCH = Date.UTC(2024, 0, 1);
const METRIC_ROUND_SPAN = 1e9;

/** Writes a whole line to a file descriptor, synchronously, retrying if the pipe is momentarily full. */
function writeLine(fd: number, text: string): void {
  const buffer = Buffer.from(`${text}\n`, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(fd, buffer, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

function relationshipKey(sourceId: string, relationshipId: string): string {
  return `${sourceId}\n${relationshipId}`;
}

async function main(): Promise<void> {
  const [database, seedArg, roundArg] = process.argv.slice(2);
  const round = Number(roundArg);
  if (!database || !Number.isInteger(Number(seedArg)) || !Number.isInteger(round) || round < 0) {
    throw new Error('usage: crash-writer.ts <database> <seed> <round>');
  }
  const random = seededRandom(Number(seedArg));
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const text = (length: number): string => {
    let out = '';
    while (out.length < length) out += Math.floor(random() * 2 ** 52).toString(36);
    return out.slice(0, length);
  };

  const store = await openStore(crashStoreConfig(database));
  let seq = await store.latestSeq();
  const acknowledge = async (line: Record<string, unknown> & { op: WriteAck['op'] }): Promise<void> => {
    const next = await store.latestSeq();
    writeLine(1, JSON.stringify({ ...line, prev: seq, seq: next }));
    seq = next;
  };

  try {
    await store.putModels([MODEL]);
    await acknowledge({ op: 'putModels', model: MODEL.id });
  } catch (error) {
    if (!isTwingraphError(error, 'ModelAlreadyExists')) throw error;
  }

  // Continue from what the database holds, acknowledged or not.
  const twins = new Map<string, { counter: number; etag: string }>();
  let cursor: string | undefined;
  do {
    const page = await store.queryTwins({ first: 1000, ...(cursor !== undefined && { after: cursor }) });
    for (const twin of page.items) twins.set(twin.$dtId, { counter: twin.counter as number, etag: twin.$etag });
    cursor = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
  } while (cursor !== undefined);
  const relationships = new Map<string, RelationshipAck>();
  for (const id of twins.keys()) {
    for (const r of await store.listRelationships(id)) {
      relationships.set(relationshipKey(r.$sourceId, r.$relationshipId), {
        sourceId: r.$sourceId,
        relationshipId: r.$relationshipId,
        targetId: r.$targetId,
        etag: r.$etag,
      });
    }
  }
  writeLine(
    1,
    JSON.stringify({ op: 'ready', round, latestSeq: seq, twins: twins.size, relationships: relationships.size }),
  );

  let nextTwin = 0;
  let nextRelationship = 0;
  let nextPoint = 0;
  const newTwin = (): { id: string; twin: TwinInput } => {
    const id = `r${round}-t${nextTwin++}`;
    const twin: TwinInput = { $metadata: { $model: CRASH_MODEL }, counter: 0, label: `twin ${id}` };
    // Some twins are large enough to span several pages, so that kills land in multi-page writes too.
    if (random() < 0.3) twin.notes = text(int(200, 3000));
    return { id, twin };
  };
  const removeTwin = (id: string): RelationshipKey[] => {
    twins.delete(id);
    const touching: RelationshipKey[] = [];
    for (const [key, r] of relationships) {
      if (r.sourceId === id || r.targetId === id) {
        touching.push({ sourceId: r.sourceId, relationshipId: r.relationshipId });
        relationships.delete(key);
      }
    }
    return touching;
  };

  /** `count` distinct twins (fewer when there are not that many), in a random order. */
  const distinct = (ids: readonly string[], count: number): string[] => {
    const left = [...ids];
    const out: string[] = [];
    while (out.length < count && left.length > 0) out.push(left.splice(Math.floor(random() * left.length), 1)[0]);
    return out;
  };
  /** The next counter of a twin, as a patch (and its notes, now and then, so that some span pages). */
  const counterPatch = (id: string): PatchOperation[] => {
    const patch: PatchOperation[] = [{ op: 'replace', path: '/counter', value: twins.get(id)!.counter + 1 }];
    if (random() < 0.15) patch.push({ op: 'add', path: '/notes', value: text(int(10, 2000)) });
    return patch;
  };
  /** Records a patched twin as the writer's state and as the acknowledgement of it. */
  const patchedAck = (twin: { $dtId: string; $etag: string; counter?: unknown }): TwinAck => {
    const ack = { id: twin.$dtId, etag: twin.$etag, counter: twin.counter as number };
    twins.set(ack.id, { counter: ack.counter, etag: ack.etag });
    return ack;
  };

  type Op =
    | 'createTwin'
    | 'createTwins'
    | 'patchTwin'
    | 'patchTwins'
    | 'patchConcurrently'
    | 'putRelationship'
    | 'deleteRelationship'
    | 'deleteTwin'
    | 'appendMetrics';
  const choose = (): Op => {
    if (twins.size < 2) return random() < 0.5 ? 'createTwin' : 'createTwins';
    // Deletes outweigh creates once the graph is big enough, so the live set stays around 60 twins.
    const weights: [Op, number][] = [
      ['createTwin', 14],
      ['createTwins', 6],
      ['patchTwin', 30],
      ['patchTwins', 8],
      ['patchConcurrently', 8],
      ['putRelationship', 40],
      ['deleteRelationship', relationships.size === 0 ? 0 : relationships.size > 3 * twins.size ? 20 : 4],
      ['appendMetrics', 16],
      ['deleteTwin', twins.size > 60 ? 80 : 5],
    ];
    let r = random() * weights.reduce((sum, [, w]) => sum + w, 0);
    for (const [op, w] of weights) {
      if (r < w) return op;
      r -= w;
    }
    return 'patchTwin';
  };

  for (;;) {
    const op = choose();
    // Which write is in flight, should the kill come before its acknowledgement.
    writeLine(1, JSON.stringify({ op: 'begin', write: op } satisfies BeginLine));
    const ids = [...twins.keys()];
    switch (op) {
      case 'createTwin': {
        const { id, twin } = newTwin();
        const created = await store.createTwin(id, twin, { ifNoneMatch: '*' });
        twins.set(id, { counter: 0, etag: created.$etag });
        await acknowledge({ op, twin: { id, etag: created.$etag, counter: 0 } });
        break;
      }
      case 'createTwins': {
        const batch = Array.from({ length: int(2, MAX_TWINS_AT_ONCE) }, newTwin);
        const created = await store.createTwins(batch, { ifNoneMatch: '*' });
        for (const t of created) twins.set(t.$dtId, { counter: 0, etag: t.$etag });
        await acknowledge({ op, twins: created.map((t) => ({ id: t.$dtId, etag: t.$etag, counter: 0 })) });
        break;
      }
      case 'patchTwin': {
        const id = pick(ids);
        const patched = await store.patchTwin(id, counterPatch(id), { ifMatch: twins.get(id)!.etag });
        await acknowledge({ op, twin: patchedAck(patched) });
        break;
      }
      case 'patchTwins': {
        const chosen = distinct(ids, int(2, MAX_TWINS_AT_ONCE));
        const patched = await store.patchTwins(
          chosen.map((id) => ({ id, patch: counterPatch(id), ifMatch: twins.get(id)!.etag })),
        );
        await acknowledge({ op, twins: patched.map(patchedAck) });
        break;
      }
      case 'patchConcurrently': {
        const chosen = distinct(ids, int(2, MAX_TWINS_AT_ONCE));
        // Every call is made before any is awaited: one turn, so the store can group them.
        const acked = await Promise.all(
          chosen.map((id) =>
            store.patchTwin(id, counterPatch(id), { ifMatch: twins.get(id)!.etag }).then((twin) => {
              const ack = patchedAck(twin);
              writeLine(1, JSON.stringify({ op: 'patched', twin: ack } satisfies PatchedLine));
              return ack;
            }),
          ),
        );
        await acknowledge({ op, twins: acked });
        break;
      }
      case 'putRelationship': {
        const sourceId = pick(ids);
        const own = [...relationships.values()].filter((r) => r.sourceId === sourceId);
        const replaced = own.length > 0 && random() < 0.3;
        const relationshipId = replaced ? pick(own).relationshipId : `r${round}-e${nextRelationship++}`;
        let targetId = pick(ids);
        while (targetId === sourceId) targetId = pick(ids);
        const put = await store.putRelationship(sourceId, relationshipId, {
          $targetId: targetId,
          $relationshipName: CRASH_RELATIONSHIP,
          weight: int(0, 1000),
        });
        const relationship: RelationshipAck = { sourceId, relationshipId, targetId, etag: put.$etag };
        relationships.set(relationshipKey(sourceId, relationshipId), relationship);
        await acknowledge({ op, relationship, replaced });
        break;
      }
      case 'deleteRelationship': {
        const r = pick([...relationships.values()]);
        await store.deleteRelationship(r.sourceId, r.relationshipId, { ifMatch: r.etag });
        relationships.delete(relationshipKey(r.sourceId, r.relationshipId));
        await acknowledge({ op, relationship: { sourceId: r.sourceId, relationshipId: r.relationshipId } });
        break;
      }
      case 'deleteTwin': {
        const id = pick(ids);
        await store.deleteTwin(id, { cascade: true, ifMatch: twins.get(id)!.etag });
        await acknowledge({ op, id, relationships: removeTwin(id) });
        break;
      }
      case 'appendMetrics': {
        const chosen = new Set(Array.from({ length: int(1, 3) }, () => pick(ids)));
        const points: MetricPoint[] = [];
        for (const twinId of chosen) {
          for (let i = int(1, 20); i > 0; i--) {
            const time = new Date(METRIC_EPOCH + round * METRIC_ROUND_SPAN + nextPoint++).toISOString();
            const value: JsonValue =
              random() < 0.9 ? Math.round(random() * 100_000) / 100 : { status: pick(['ok', 'warn', 'alarm']) };
            points.push({ twinId, name: CRASH_TELEMETRY, time, value });
          }
        }
        await store.appendMetrics(points);
        await acknowledge({ op, points });
        break;
      }
    }
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    writeLine(2, error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
