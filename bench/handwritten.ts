/**
 * The hand-written server that `npm run bench:api` measures Twingraph against (issue 13): what a person would
 * write for the handful of demo types the benchmark's workloads touch, on the same stack and the same data.
 * Plain Apollo Server 5 on Express 5 (@as-integrations/express5) with graphql-ws beside it, typeDefs written
 * out by hand, per-request DataLoaders over better-sqlite3 prepared statements on the very SQLite file
 * Twingraph writes (one batched statement per level of a traversal), Express ETags and Apollo's cache-control
 * plugin off and compression over 1 KB on, as Twingraph has them. Its answers to the benchmark's queries are
 * byte for byte Twingraph's (bench/api.ts checks that before it measures).
 *
 * It does what such a server does and no more: a patch reads the twin, applies the JSON Patch in JS, sets a new
 * ETag and the property's lastUpdateTime and UPDATEs the row, in one transaction (no model validation, no
 * change log, no outbox); `twinChanged` is an in-process hub that delivers inside the write: the write
 * resolves once every subscriber has taken the change and sent the one before it, so a writer is slowed to
 * what the subscribers can take rather than queueing for them.
 *
 * bench/api.ts transpiles this file with esbuild and runs it with plain node (no TypeScript hook: its cold
 * start is measured against Twingraph's), in one of two ways: `serve <db> <port>` (just the server), or
 * `host <json>` under fork(), answering the load generator over IPC (CPU, clock, the change driver) like
 * Twingraph's server process does.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import Database from 'better-sqlite3';
import compression from 'compression';
import DataLoader from 'dataloader';
import express from 'express';
import {
  buildSchema,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLScalarType,
  Kind,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

const MODEL = {
  Client: 'dtmi:twingraph:demo:Client;1',
  Engagement: 'dtmi:twingraph:demo:Engagement;1',
  Asset: 'dtmi:twingraph:demo:Asset;1',
  Device: 'dtmi:twingraph:demo:Device;1',
} as const;
const TYPE_OF_MODEL = new Map<string, string>(Object.entries(MODEL).map(([type, model]) => [model, type]));

const TYPE_DEFS = /* GraphQL */ `
  scalar JSON
  interface Twin {
    id: ID!
    etag: String!
  }
  type Client implements Twin {
    id: ID!
    etag: String!
    name: String
    industry: String
    hasEngagement(first: Int): EngagementConnection!
  }
  type Engagement implements Twin {
    id: ID!
    etag: String!
    title: String
    budget: Float
    covers(first: Int): AssetConnection!
  }
  type Asset implements Twin {
    id: ID!
    etag: String!
    name: String
    assetType: String
  }
  type Device implements Twin {
    id: ID!
    etag: String!
    deviceType: String
    capacity: Int
  }
  type Other implements Twin {
    id: ID!
    etag: String!
  }
  type ClientConnection {
    nodes: [Client!]!
  }
  type EngagementConnection {
    nodes: [Engagement!]!
  }
  type AssetConnection {
    nodes: [Asset!]!
  }
  enum PatchOp {
    add
    remove
    replace
  }
  input JsonPatchOperation {
    op: PatchOp!
    path: String!
    value: JSON
  }
  type TwinChange {
    seq: Float!
    twinId: ID!
  }
  type Query {
    twin(id: ID!): Twin
    clients(first: Int, after: String): ClientConnection!
  }
  type Mutation {
    patchTwin(id: ID!, patch: [JsonPatchOperation!]!): Twin!
  }
  type Subscription {
    twinChanged(ids: [ID!]): TwinChange!
  }
`;

type Doc = Record<string, unknown> & { $dtId: string; $etag: string; $metadata: Record<string, unknown> };
interface Row {
  anchor?: string;
  body: string;
}

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.NULL:
      return null;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      return undefined;
  }
}

type Resolvers = Record<string, Record<string, unknown>>;

/**
 * The typeDefs with the resolvers put on their fields (what @graphql-tools' makeExecutableSchema does, which
 * is not among this project's dependencies): one schema object for Apollo Server and graphql-ws alike.
 */
function executableSchema(typeDefs: string, resolvers: Resolvers): GraphQLSchema {
  const schema = buildSchema(typeDefs);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (type instanceof GraphQLScalarType) {
      Object.assign(type, { serialize: (v: unknown) => v, parseValue: (v: unknown) => v, parseLiteral: literal });
    } else if (type instanceof GraphQLInterfaceType) {
      type.resolveType = fields.__resolveType as GraphQLInterfaceType['resolveType'];
    } else if (type instanceof GraphQLObjectType) {
      const defined = type.getFields();
      for (const [name, resolver] of Object.entries(fields)) {
        if (typeof resolver === 'function') defined[name].resolve = resolver as GraphQLFieldResolver<unknown, unknown>;
        else Object.assign(defined[name], resolver);
      }
    } else throw new Error(`No type ${typeName} to resolve.`);
  }
  return schema;
}

interface Change {
  readonly seq: number;
  readonly twinId: string;
}

/** One subscriber's queue; `sent` tells the hub that the change it took last has been sent. */
class HubSubscription implements AsyncIterableIterator<{ twinChanged: Change }> {
  private readonly queue: { change: Change; taken: () => void }[] = [];
  private waiter: ((r: IteratorResult<{ twinChanged: Change }>) => void) | undefined;
  private inFlight: (() => void) | undefined;
  private done = false;

  constructor(
    readonly ids: ReadonlySet<string> | undefined,
    private readonly release: (s: HubSubscription) => void,
  ) {}

  push(change: Change, taken: () => void): void {
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = undefined;
      this.inFlight = taken;
      resolve({ done: false, value: { twinChanged: change } });
    } else this.queue.push({ change, taken });
  }

  next(): Promise<IteratorResult<{ twinChanged: Change }>> {
    // graphql-ws asks for the next change once it has sent the previous one.
    this.inFlight?.();
    this.inFlight = undefined;
    if (this.done) return Promise.resolve({ done: true, value: undefined });
    const item = this.queue.shift();
    if (item) {
      this.inFlight = item.taken;
      return Promise.resolve({ done: false, value: { twinChanged: item.change } });
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<{ twinChanged: Change }>> {
    this.done = true;
    this.inFlight?.();
    for (const item of this.queue.splice(0)) item.taken();
    this.waiter?.({ done: true, value: undefined });
    this.waiter = undefined;
    this.release(this);
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Subscribers of twinChanged: a change is published inside the write that made it. */
class Hub {
  readonly subscriptions = new Set<HubSubscription>();
  private seq = 0;

  subscribe(ids: readonly string[] | undefined): HubSubscription {
    const subscription = new HubSubscription(ids ? new Set(ids) : undefined, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Hands the change to its subscribers now; `delivered` resolves once every one of them has sent it. */
  publish(twinId: string): { seq: number; delivered: Promise<void> } {
    const change = { seq: ++this.seq, twinId };
    let remaining = 1;
    let resolve!: () => void;
    const delivered = new Promise<void>((r) => (resolve = r));
    const taken = (): void => {
      if (--remaining === 0) resolve();
    };
    for (const s of this.subscriptions) {
      if (s.ids && !s.ids.has(twinId)) continue;
      remaining++;
      s.push(change, taken);
    }
    taken();
    return { seq: change.seq, delivered };
  }
}

/** The JSON Patch of the write, applied to a parsed body: top-level and nested object paths. */
function applyPatch(doc: Doc, patch: readonly { op: string; path: string; value?: unknown }[], time: string): void {
  for (const { op, path, value } of patch) {
    const segments = path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (segments.length === 0 || segments[0].startsWith('$')) throw new Error(`Cannot patch ${path}.`);
    let parent = doc as Record<string, unknown>;
    for (const segment of segments.slice(0, -1)) {
      const next = parent[segment];
      if (next === null || typeof next !== 'object') throw new Error(`No object at ${path}.`);
      parent = next as Record<string, unknown>;
    }
    const last = segments[segments.length - 1];
    if (op === 'remove') {
      if (!(last in parent)) throw new Error(`Nothing at ${path}.`);
      delete parent[last];
    } else if (op === 'add' || op === 'replace') {
      if (op === 'replace' && !(last in parent)) throw new Error(`Nothing at ${path}.`);
      parent[last] = value;
    } else throw new Error(`Unknown op ${op}.`);
    doc.$metadata[segments[0]] = { lastUpdateTime: time };
  }
  doc.$metadata.$lastUpdateTime = time;
  doc.$etag = `W/"${randomUUID()}"`;
}

type PatchOps = readonly { op: string; path: string; value?: unknown }[];

export interface Handwritten {
  readonly url: string;
  readonly hub: Hub;
  /** The patch resolver's write, for the change driver: committed on return, delivered when `delivered` resolves. */
  patch(id: string, patch: PatchOps): { doc: Doc; seq: number; delivered: Promise<void> };
  close(): Promise<void>;
}

export async function startHandwritten(dbFile: string, port = 0): Promise<Handwritten> {
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  const byIds = db.prepare('SELECT body FROM twins WHERE id IN (SELECT value FROM json_each(?))');
  const byId = db.prepare('SELECT body FROM twins WHERE id = ?');
  const clientsFirst = db.prepare('SELECT body FROM twins WHERE model = ? ORDER BY id LIMIT ?');
  const clientsAfter = db.prepare('SELECT body FROM twins WHERE model = ? AND id > ? ORDER BY id LIMIT ?');
  // The related twins of many parents, each parent's first `n` by id: one statement per level. CROSS JOIN
  // keeps SQLite's planner from starting at the model index (every twin of the model) instead of the parents.
  const related = db.prepare(
    'SELECT anchor, body FROM (SELECT r.source AS anchor, o.body AS body, ' +
      'ROW_NUMBER() OVER (PARTITION BY r.source ORDER BY o.id, r.source, r.id) AS rn ' +
      'FROM relationships r CROSS JOIN twins o ON o.id = r.target ' +
      'WHERE r.source IN (SELECT value FROM json_each(?)) AND r.name = ? AND o.model = ?) WHERE rn <= ?',
  );
  const update = db.prepare('UPDATE twins SET etag = ?, body = ? WHERE id = ?');
  const hub = new Hub();

  const write = db.transaction((id: string, patch: PatchOps) => {
    const row = byId.get(id) as Row | undefined;
    if (!row) throw new Error(`No twin ${id}.`);
    const doc = JSON.parse(row.body) as Doc;
    applyPatch(doc, patch, new Date().toISOString());
    update.run(doc.$etag, JSON.stringify(doc), id);
    return doc;
  });
  const patch = (id: string, ops: PatchOps): { doc: Doc; seq: number; delivered: Promise<void> } => {
    const doc = write.immediate(id, ops);
    return { doc, ...hub.publish(id) };
  };

  interface Context {
    twins: DataLoader<string, Doc | null>;
    related: (name: string, model: string, first: number) => DataLoader<string, Doc[]>;
  }
  const context = (): Context => {
    const loaders = new Map<string, DataLoader<string, Doc[]>>();
    return {
      twins: new DataLoader(async (ids) => {
        const found = new Map<string, Doc>();
        for (const row of byIds.all(JSON.stringify(ids)) as Row[]) {
          const doc = JSON.parse(row.body) as Doc;
          found.set(doc.$dtId, doc);
        }
        return ids.map((id) => found.get(id) ?? null);
      }),
      related: (name, model, first) => {
        const key = `${name}\n${first}`;
        let loader = loaders.get(key);
        if (!loader) {
          loader = new DataLoader(async (ids) => {
            const found = new Map<string, Doc[]>();
            for (const row of related.all(JSON.stringify(ids), name, model, first) as Row[]) {
              let list = found.get(row.anchor!);
              if (!list) found.set(row.anchor!, (list = []));
              list.push(JSON.parse(row.body) as Doc);
            }
            return ids.map((id) => found.get(id) ?? []);
          });
          loaders.set(key, loader);
        }
        return loader;
      },
    };
  };
  const base = { id: (t: Doc) => t.$dtId, etag: (t: Doc) => t.$etag };
  const firstOf = (args: { first?: number | null }): number => Math.min(1000, Math.max(0, args.first ?? 10));
  const resolvers: Resolvers = {
    JSON: {},
    Twin: { __resolveType: (t: Doc) => TYPE_OF_MODEL.get(t.$metadata.$model as string) ?? 'Other' },
    Client: {
      ...base,
      hasEngagement: async (t: Doc, args: { first?: number }, ctx: Context) => ({
        nodes: await ctx.related('hasEngagement', MODEL.Engagement, firstOf(args)).load(t.$dtId),
      }),
    },
    Engagement: {
      ...base,
      covers: async (t: Doc, args: { first?: number }, ctx: Context) => ({
        nodes: await ctx.related('covers', MODEL.Asset, firstOf(args)).load(t.$dtId),
      }),
    },
    Asset: base,
    Device: base,
    Other: base,
    Query: {
      twin: (_: unknown, args: { id: string }, ctx: Context) => ctx.twins.load(args.id),
      clients: (_: unknown, args: { first?: number; after?: string | null }) => {
        // Twingraph's cursors (base64url JSON: the ordering's fingerprint, then the id) are read, so that the
        // benchmark can page both servers with the same variables.
        const after =
          args.after == null
            ? undefined
            : (JSON.parse(Buffer.from(args.after, 'base64url').toString('utf8')) as string[]).at(-1);
        const rows = (
          after === undefined
            ? clientsFirst.all(MODEL.Client, firstOf(args))
            : clientsAfter.all(MODEL.Client, after, firstOf(args))
        ) as Row[];
        return { nodes: rows.map((r) => JSON.parse(r.body) as Doc) };
      },
    },
    Mutation: {
      patchTwin: async (_: unknown, args: { id: string; patch: PatchOps }) => {
        const written = patch(args.id, args.patch);
        await written.delivered;
        return written.doc;
      },
    },
    Subscription: {
      twinChanged: {
        subscribe: (_: unknown, args: { ids?: string[] | null }) => hub.subscribe(args.ids ?? undefined),
        resolve: (payload: unknown) => (payload as { twinChanged: Change }).twinChanged,
      },
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(compression({ threshold: 1024 }));
  const httpServer = http.createServer(app);
  const schema = executableSchema(TYPE_DEFS, resolvers);
  const apollo = new ApolloServer<Context>({
    schema,
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: 1024 * 1024 }),
    expressMiddleware(apollo, { context: async () => context() }),
  );
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const ws = useServer({ schema }, wss);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, '127.0.0.1', () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/graphql`,
    hub,
    patch,
    close: async () => {
      await ws.dispose();
      await apollo.stop();
      db.close();
    },
  };
}

const now = (): number => performance.timeOrigin + performance.now();

/** `host <json>` under fork(): the server, and the calls bench/api.ts makes of a server process over IPC. */
async function host(options: { dbFile: string; clientIds: string[]; sentinelId: string }): Promise<void> {
  const server = await startHandwritten(options.dbFile);
  let patches = 0;
  const patchName = async (id: string): Promise<{ seq: number; at: number }> => {
    const written = server.patch(id, [{ op: 'replace', path: '/name', value: `${id} patch ${++patches}` }]);
    const at = now();
    await written.delivered;
    return { seq: written.seq, at };
  };
  const methods: Record<string, (...args: never[]) => Promise<unknown>> = {
    info: async () => ({ pid: process.pid, url: server.url }),
    cpu: async () => process.cpuUsage(),
    now: async () => now(),
    subscribers: async () => server.hub.subscriptions.size,
    sentinel: async () => (await patchName(options.sentinelId)).seq,
    drive: async (rate: number, count: number, maxMs: number) => {
      const result = { seqs: [] as number[], commitAt: [] as number[], targets: [] as number[], elapsedMs: 0 };
      const clients = options.clientIds;
      const started = performance.now();
      let lastWrite = started;
      for (let written = 0; written < count && performance.now() - started < maxMs;) {
        const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate));
        for (; written < due && performance.now() - started < maxMs; written++) {
          // Every client in turn, in a scattered order, as Twingraph's driver does; the commit time is taken
          // before the delivery the write waits for.
          const target = (written * 7919) % clients.length;
          const { seq, at } = await patchName(clients[target]);
          result.seqs.push(seq);
          result.commitAt.push(at);
          result.targets.push(target);
          lastWrite = performance.now();
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return { ...result, elapsedMs: lastWrite - started };
    },
    close: async () => server.close(),
  };
  process.on('message', (request: { id: number; method: string; args: never[] }) => {
    methods[request.method](...request.args).then(
      (result) => {
        process.send!({ id: request.id, result: result ?? null });
        if (request.method === 'close') process.disconnect();
      },
      (error: unknown) => process.send!({ id: request.id, error: (error as Error).stack ?? String(error) }),
    );
  });
  process.send!({ ready: true });
}

if (require.main === module) {
  const [mode, ...rest] = process.argv.slice(2);
  const fail = (error: unknown): void => {
    console.error(error);
    process.exit(1);
  };
  if (mode === 'serve') startHandwritten(rest[0], Number(rest[1])).catch(fail);
  else if (mode === 'host') host(JSON.parse(rest[0]) as Parameters<typeof host>[0]).catch(fail);
}
