/**
 * A test Azure Digital Twins server: an in-process node:http server on 127.0.0.1 speaking the subset of ADT's
 * data-plane REST API a mirror uses (models, twins, relationships, `SELECT * FROM DIGITALTWINS|RELATIONSHIPS`),
 * with ADT's status codes, error codes (`x-ms-error-code` header and `{"error":{"code","message"}}` body), weak
 * ETags and paging, exactly as `@azure/digital-twins-core` 1.1.0 sends it (see ../shared/reference/ADT.md §1,
 * §3, §5.3). Reach it as production does: `createSdkClient(server.url)` / `createAdt(server.url)` from
 * src/mirror/client.ts (an https endpoint whose HTTP client sends every request to this server's http URL).
 *
 * Beyond ADT it keeps a request log (with the twins each write counts against for ADT's per-twin limit) and
 * injects faults — throttling, 503s, dropped connections (before or after the write), latency and an optional
 * per-twin write limit — decided by a seeded PRNG, so runs are reproducible. A fault is always decided before
 * the request touches any state: a write is applied completely or not at all.
 *
 * Deliberately out of scope: DTDL validation (only references between models are checked; property values
 * are not checked against the model), relationship names/targets against the source's model, components
 * endpoints, telemetry, event routes, jobs, query language beyond `SELECT * FROM …`, query lag, 50k
 * relationship limits.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../../src/demo/random';

// ---------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------

export type JsonObject = { [key: string]: unknown };

/** A stored model, as the server keeps it (the `GET /models/{id}` body is this plus/minus `model`). */
export interface AdtStoredModel {
  readonly id: string;
  /** The DTDL definition as uploaded. */
  readonly model: JsonObject;
  /** ADT timestamp (ISO 8601, 7 fractional digits). */
  readonly uploadTime: string;
  readonly decommissioned: boolean;
  /** Language map (`{ en: … }` when the DTDL had a plain string; `{}` when absent). */
  readonly displayName: Record<string, string>;
  readonly description: Record<string, string>;
}

export interface AdtSnapshot {
  models: Record<string, AdtStoredModel>;
  /** Twin id → twin JSON exactly as `GET /digitaltwins/{id}` returns it. */
  twins: Record<string, JsonObject>;
  /** Source twin id → relationship id → relationship JSON as `GET …/relationships/{id}` returns it. */
  relationships: Record<string, Record<string, JsonObject>>;
}

export interface AdtServerState {
  readonly models: ReadonlyMap<string, AdtStoredModel>;
  readonly twins: ReadonlyMap<string, JsonObject>;
  /** Source id → (relationship id → relationship); a source without relationships has no entry. */
  readonly relationships: ReadonlyMap<string, ReadonlyMap<string, JsonObject>>;
  /** Plain deep copies, for `toEqual`. */
  snapshot(): AdtSnapshot;
  /** Empties models, twins and relationships (not the request log, not the faults). */
  reset(): void;
}

export type AdtOperation =
  | 'models.add'
  | 'models.list'
  | 'models.get'
  | 'models.decommission'
  | 'models.delete'
  | 'twins.get'
  | 'twins.put'
  | 'twins.patch'
  | 'twins.delete'
  | 'relationships.get'
  | 'relationships.put'
  | 'relationships.patch'
  | 'relationships.delete'
  | 'relationships.list'
  | 'relationships.listIncoming'
  | 'query'
  | 'unknown';

export type FaultKind = 'throttle' | 'unavailable' | 'drop' | 'drop-after-write' | 'refuse';

export interface AdtRequestLogEntry {
  /** Arrival, in epoch ms with sub-ms precision (`performance.timeOrigin + performance.now()`). */
  readonly time: number;
  readonly method: string;
  /** Path with each segment URL-decoded, without the query (`/digitaltwins/dtmi:x;1`). */
  readonly path: string;
  readonly op: AdtOperation;
  /** Whether the operation creates, updates or deletes something. */
  readonly write: boolean;
  /**
   * The twins the operation counts against for ADT's per-twin limit (10 create/update/delete per second on a
   * twin or its incoming/outgoing relationships): the twin for a twin PUT/PATCH/DELETE; source AND target
   * (old and new target when a PUT moves it) for a relationship PUT/PATCH/DELETE; `[]` for reads, models and
   * queries. Attributed when the request arrives, so faulted requests carry it too.
   */
  readonly twinIds: readonly string[];
  /**
   * The status sent; 0 when the connection was dropped before a response. For `drop-after-write` it is the
   * status the applied operation would have answered with.
   */
  status: number;
  /** Set when a fault answered the request (or dropped it). */
  faulted?: FaultKind;
  /** Extra latency injected, when any. */
  delayedMs?: number;
}

/** What a fault hook sees of a request (body read and parsed, twins attributed, nothing applied yet). */
export interface FaultContext {
  /** 0-based index of the request in this server's life (the request-log index, unless the log was cleared). */
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly op: AdtOperation;
  readonly write: boolean;
  readonly twinIds: readonly string[];
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when there was none or it did not parse). */
  readonly body: unknown;
  /** The server's seeded PRNG, for hooks that want reproducible randomness of their own. */
  readonly random: () => number;
}

export type Fault =
  /** 429 TooManyRequests with `Retry-After` (seconds, default 1). */
  | { readonly type: 'throttle'; readonly retryAfterSeconds?: number }
  /** 503 ServiceUnavailable (with `Retry-After` only when given). */
  | { readonly type: 'unavailable'; readonly retryAfterSeconds?: number }
  /** Destroy the socket without a response; with `afterWrite`, after applying the operation. */
  | { readonly type: 'drop'; readonly afterWrite?: boolean }
  /**
   * Answer normally, `ms` later. A client that gives up meanwhile cancels it, unless it `lands` (as ADT may
   * still apply a request whose caller stopped waiting): then it is applied all the same, unanswered.
   */
  | { readonly type: 'delay'; readonly ms: number; readonly lands?: boolean }
  /** Refuse the request with this error, applying nothing (ADT refusing what Twingraph accepted). */
  | { readonly type: 'refuse'; readonly status: number; readonly code: string; readonly message?: string };

export interface FaultSettings {
  throttle?: { probability: number; retryAfterSeconds?: number };
  unavailable?: { probability: number; retryAfterSeconds?: number };
  drop?: { probability: number; afterWrite?: boolean };
  /** Latency added to every request: fixed, or uniform in [min, max]. */
  delayMs?: number | readonly [number, number];
  /**
   * ADT's per-twin limit: a write whose `twinIds` include a twin that already had `perSecond` applied writes
   * in the trailing second gets 429 (Retry-After `retryAfterSeconds`, default 1).
   */
  perTwinWriteLimit?: { perSecond: number; retryAfterSeconds?: number };
  /** Restricts the probabilistic faults (not delay, not the per-twin limit) to matching requests. */
  appliesTo?: (request: FaultContext) => boolean;
}

export interface AdtFaults {
  /** Replaces the fault settings (the hook stays). */
  set(settings: FaultSettings): void;
  /** Removes the settings and the hook. */
  clear(): void;
  /**
   * A hook asked first for every request; a fault it returns wins over the probabilistic ones (a `delay` it
   * returns adds to `delayMs`). Pass undefined to remove it.
   */
  hook(fn: ((request: FaultContext) => Fault | undefined) | undefined): void;
}

export interface AdtServerOptions {
  /** Seed of the fault PRNG (default 1). */
  seed?: number;
  /** Page size of `GET …/relationships` and `…/incomingrelationships` (ADT takes no header for it; default 100). */
  relationshipPageSize?: number;
  /** Page size of `POST /query` when the request has no `max-items-per-page` header (default 100). */
  queryPageSize?: number;
}

export interface AdtServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly state: AdtServerState;
  /** Every request, in arrival order; clear it with `requests.length = 0`. */
  readonly requests: AdtRequestLogEntry[];
  readonly faults: AdtFaults;
  readonly seed: number;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------

class AdtHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const fail = (status: number, code: string, message: string): never => {
  throw new AdtHttpError(status, code, message);
};

const twinNotFound = (id: string): never =>
  fail(
    404,
    'DigitalTwinNotFound',
    `There is no digital twin instance that exists with the ID ${id}. Please verify that the twin id is valid and ensure that the twin is not deleted. See section on querying the twins http://aka.ms/adtv2query.`,
  );

const modelNotFound = (id: string): never =>
  fail(
    404,
    'ModelNotFound',
    `There is no Model(s) available that matches the provided id(s) ${id}. Check that the Model ID provided is valid by doing a Model_List API call.`,
  );

const patchInvalid = (message: string): never => fail(400, 'JsonPatchInvalid', message);

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

const MAX_TWIN_BODY = 32 * 1024;
const MAX_MODELS_PER_CALL = 250;
const MODEL_PAGE = 100;
const QUERY_PAGE = 100;
const QUERY_PAGE_MAX = 1000;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);
const newEtag = (): string => `W/"${randomUUID()}"`;

function languageMap(v: unknown): Record<string, string> {
  if (typeof v === 'string') return { en: v };
  if (isObject(v))
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return {};
}

function types(item: JsonObject): string[] {
  const t = item['@type'];
  return typeof t === 'string' ? [t] : Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

/** The ids a DTDL interface refers to (string references only; inline definitions are not followed). */
function modelReferences(def: JsonObject): { extends: string[]; components: string[]; targets: string[] } {
  const ext = def.extends;
  const extendsIds =
    typeof ext === 'string' ? [ext] : Array.isArray(ext) ? ext.filter((x): x is string => typeof x === 'string') : [];
  const components: string[] = [];
  const targets: string[] = [];
  const contents = Array.isArray(def.contents) ? def.contents : [];
  for (const item of contents) {
    if (!isObject(item)) continue;
    const t = types(item);
    if (t.includes('Component') && typeof item.schema === 'string') components.push(item.schema);
    if (t.includes('Relationship') && typeof item.target === 'string') targets.push(item.target);
  }
  return { extends: extendsIds, components, targets };
}

function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || !path.startsWith('/'))
    return patchInvalid(`Invalid JSON Patch path '${String(path)}': a path must be a JSON pointer starting with '/'.`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  segments: string[];
  value?: unknown;
}

function parsePatch(body: unknown): PatchOp[] {
  if (!Array.isArray(body))
    return patchInvalid('The request body must be a JSON Patch document (an array of operations).');
  return body.map((raw) => {
    if (!isObject(raw)) return patchInvalid('Each JSON Patch operation must be an object.');
    const op = raw.op;
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      return patchInvalid(
        `Unsupported JSON Patch operation '${String(op)}'. Supported operations: add, replace, remove.`,
      );
    const segments = pointer(raw.path);
    if ((op === 'add' || op === 'replace') && !('value' in raw))
      return patchInvalid(`The '${op}' operation at path '${String(raw.path)}' has no value.`);
    return { op, path: raw.path as string, segments, value: raw.value };
  });
}

/** Applies one add/replace/remove at `segments` inside `doc` (mutating it); JsonPatchInvalid on a bad path. */
function applyAt(doc: JsonObject, op: PatchOp, segments: string[]): void {
  if (segments.length === 0 || (segments.length === 1 && segments[0] === ''))
    return patchInvalid(`The path '${op.path}' cannot be patched.`);
  let parent: unknown = doc;
  for (const s of segments.slice(0, -1)) {
    if (Array.isArray(parent) && /^\d+$/.test(s) && Number(s) < parent.length) parent = parent[Number(s)];
    else if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, s)) parent = parent[s];
    else return patchInvalid(`The path '${op.path}' does not exist.`);
  }
  const key = segments[segments.length - 1];
  const value = clone(op.value);
  if (Array.isArray(parent)) {
    if (op.op === 'add' && key === '-') {
      parent.push(value);
      return;
    }
    if (!/^\d+$/.test(key)) return patchInvalid(`The path '${op.path}' does not exist.`);
    const i = Number(key);
    if (op.op === 'add') {
      if (i > parent.length) return patchInvalid(`The path '${op.path}' does not exist.`);
      parent.splice(i, 0, value);
    } else if (i >= parent.length) return patchInvalid(`The path '${op.path}' does not exist.`);
    else if (op.op === 'replace') parent[i] = value;
    else parent.splice(i, 1);
    return;
  }
  if (!isObject(parent)) return patchInvalid(`The path '${op.path}' does not exist.`);
  const exists = Object.prototype.hasOwnProperty.call(parent, key);
  if (op.op !== 'add' && !exists)
    return patchInvalid(`The path '${op.path}' does not exist; '${op.op}' needs an existing value.`);
  if (op.op === 'remove') delete parent[key];
  else parent[key] = value;
}

function etagMatches(header: string | undefined, etag: unknown): boolean {
  if (header === undefined) return true;
  return header
    .split(',')
    .map((s) => s.trim())
    .some((e) => e === '*' || e === etag);
}

const encodeToken = (v: JsonObject): string => Buffer.from(JSON.stringify(v)).toString('base64url');
function decodeToken(token: unknown): JsonObject | undefined {
  if (typeof token !== 'string' || token.length === 0) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Items after `after` (by key, ascending), at most `size`, and the key to continue after (if more remain). */
function page<T>(items: [string, T][], after: string | undefined, size: number): { items: T[]; next?: string } {
  items.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const start = after === undefined ? 0 : items.findIndex(([k]) => k > after);
  const rest = start < 0 ? [] : items.slice(start);
  const taken = rest.slice(0, size);
  return { items: taken.map(([, v]) => v), ...(rest.length > size && { next: taken[taken.length - 1][0] }) };
}

function pageSizeHeader(headers: IncomingHttpHeaders, fallback: number, max: number): number {
  const raw = headers['max-items-per-page'];
  if (raw === undefined) return fallback;
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isInteger(n) || n < 1)
    return fail(
      400,
      'InvalidArgument',
      `Invalid max-items-per-page header value '${String(raw)}': it must be a positive integer.`,
    );
  return Math.min(n, max);
}

const SELECT_ALL = /^\s*select\s+\*\s+from\s+(digitaltwins|relationships)\s*;?\s*$/i;

// ---------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------

interface Route {
  op: AdtOperation;
  write: boolean;
  params: string[];
}

function route(method: string, segments: string[]): Route | undefined {
  const [a, b, c, d, ...rest] = segments;
  if (rest.length > 0) return undefined;
  const r = (op: AdtOperation, write: boolean, ...params: string[]): Route => ({ op, write, params });
  if (a === 'models' && segments.length === 1)
    return method === 'POST' ? r('models.add', true) : method === 'GET' ? r('models.list', false) : undefined;
  if (a === 'models' && segments.length === 2 && b !== '') {
    if (method === 'GET') return r('models.get', false, b);
    if (method === 'PATCH') return r('models.decommission', true, b);
    if (method === 'DELETE') return r('models.delete', true, b);
    return undefined;
  }
  if (a === 'query' && segments.length === 1) return method === 'POST' ? r('query', false) : undefined;
  if (a === 'digitaltwins' && b !== undefined && b !== '') {
    if (segments.length === 2) {
      if (method === 'GET') return r('twins.get', false, b);
      if (method === 'PUT') return r('twins.put', true, b);
      if (method === 'PATCH') return r('twins.patch', true, b);
      if (method === 'DELETE') return r('twins.delete', true, b);
      return undefined;
    }
    if (segments.length === 3 && c === 'relationships' && method === 'GET') return r('relationships.list', false, b);
    if (segments.length === 3 && c === 'incomingrelationships' && method === 'GET')
      return r('relationships.listIncoming', false, b);
    if (segments.length === 4 && c === 'relationships' && d !== '') {
      if (method === 'GET') return r('relationships.get', false, b, d);
      if (method === 'PUT') return r('relationships.put', true, b, d);
      if (method === 'PATCH') return r('relationships.patch', true, b, d);
      if (method === 'DELETE') return r('relationships.delete', true, b, d);
    }
  }
  return undefined;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface FaultPlan {
  fault?: Exclude<Fault, { type: 'delay' }>;
  delayMs: number;
  /** Applied after the delay even if the client has gone. */
  lands?: boolean;
}

class AdtServerImpl implements AdtServer, AdtServerState, AdtFaults {
  readonly models = new Map<string, AdtStoredModel>();
  readonly twins = new Map<string, JsonObject>();
  readonly relationships = new Map<string, Map<string, JsonObject>>();
  /** Target id → (`source\0relId` → [source, relId]). */
  private readonly incoming = new Map<string, Map<string, [string, string]>>();
  readonly requests: AdtRequestLogEntry[] = [];
  readonly state: AdtServerState = this;
  readonly faults: AdtFaults = this;
  url = '';
  port = 0;

  private readonly server: Server;
  private readonly random: () => number;
  private settings: FaultSettings = {};
  private faultHook: ((request: FaultContext) => Fault | undefined) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly recentWrites = new Map<string, number[]>();
  private seq = 0;
  private lastMs = 0;
  private subTicks = 0;

  constructor(
    readonly seed: number,
    private readonly relationshipPageSize: number,
    private readonly queryPageSize: number,
  ) {
    this.random = mulberry32(seed);
    this.server = createServer((req, res) => void this.handle(req, res));
    // The SDK keeps connections alive; do not let the server close idle ones under it mid-test.
    this.server.keepAliveTimeout = 60_000;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // --- state -------------------------------------------------------------------------------------------

  snapshot(): AdtSnapshot {
    return {
      models: Object.fromEntries([...this.models].map(([k, v]) => [k, clone(v)])),
      twins: Object.fromEntries([...this.twins].map(([k, v]) => [k, clone(v)])),
      relationships: Object.fromEntries(
        [...this.relationships].map(([k, m]) => [k, Object.fromEntries([...m].map(([r, v]) => [r, clone(v)]))]),
      ),
    };
  }

  reset(): void {
    this.models.clear();
    this.twins.clear();
    this.relationships.clear();
    this.incoming.clear();
    this.recentWrites.clear();
  }

  // --- faults ------------------------------------------------------------------------------------------

  set(settings: FaultSettings): void {
    this.settings = { ...settings };
  }

  clear(): void {
    this.settings = {};
    this.faultHook = undefined;
  }

  hook(fn: ((request: FaultContext) => Fault | undefined) | undefined): void {
    this.faultHook = fn;
  }

  private planFaults(ctx: FaultContext): FaultPlan {
    const s = this.settings;
    // Always the same draws per request, so a run's fault sequence depends only on the seed and the requests.
    const rolls = [this.random(), this.random(), this.random()];
    let delayMs = 0;
    if (typeof s.delayMs === 'number') delayMs = s.delayMs;
    else if (s.delayMs) delayMs = s.delayMs[0] + Math.floor(this.random() * (s.delayMs[1] - s.delayMs[0] + 1));
    const hooked = this.faultHook?.(ctx);
    if (hooked?.type === 'delay') {
      delayMs += hooked.ms;
      if (hooked.lands) return { delayMs, lands: true };
    } else if (hooked) return { fault: hooked, delayMs };
    if (s.perTwinWriteLimit && ctx.write && ctx.twinIds.length > 0) {
      const now = performance.now();
      const limited = ctx.twinIds.some(
        (id) =>
          (this.recentWrites.get(id) ?? []).filter((t) => now - t < 1000).length >= s.perTwinWriteLimit!.perSecond,
      );
      if (limited)
        return { fault: { type: 'throttle', retryAfterSeconds: s.perTwinWriteLimit.retryAfterSeconds ?? 1 }, delayMs };
    }
    if (s.appliesTo && !s.appliesTo(ctx)) return { delayMs };
    if (s.throttle && rolls[0] < s.throttle.probability)
      return { fault: { type: 'throttle', retryAfterSeconds: s.throttle.retryAfterSeconds }, delayMs };
    if (s.unavailable && rolls[1] < s.unavailable.probability)
      return { fault: { type: 'unavailable', retryAfterSeconds: s.unavailable.retryAfterSeconds }, delayMs };
    if (s.drop && rolls[2] < s.drop.probability)
      return { fault: { type: 'drop', afterWrite: s.drop.afterWrite }, delayMs };
    return { delayMs };
  }

  private noteWrite(twinIds: readonly string[]): void {
    const now = performance.now();
    for (const id of twinIds) {
      const list = (this.recentWrites.get(id) ?? []).filter((t) => now - t < 1000);
      list.push(now);
      this.recentWrites.set(id, list);
    }
  }

  // --- HTTP --------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = performance.timeOrigin + performance.now();
    const seq = this.seq++;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    let segments: string[];
    let path: string;
    try {
      segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
      path = '/' + segments.join('/');
    } catch {
      segments = [];
      path = url.pathname;
    }
    if (segments.length > 0 && segments[segments.length - 1] === '' && segments.length > 1)
      segments = segments.slice(0, -1);
    const found = route(method, segments);
    const entry: AdtRequestLogEntry = {
      time,
      method,
      path,
      op: found?.op ?? 'unknown',
      write: found?.write ?? false,
      twinIds: [],
      status: 0,
    };
    this.requests.push(entry);

    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      return; // the client went away
    }

    const send = (reply: Reply): void => {
      entry.status = reply.status;
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
      res.writeHead(reply.status, headers);
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    };

    // Gatekeeping that ADT does before anything else: auth, api-version, route.
    const auth = req.headers.authorization;
    if (typeof auth !== 'string' || !/^Bearer\s+\S+/.test(auth))
      return send(
        errorReply(
          new AdtHttpError(401, 'Unauthorized', 'The request has no valid bearer token (Authorization: Bearer …).'),
        ),
      );
    if (!url.searchParams.get('api-version'))
      return send(errorReply(new AdtHttpError(400, 'MissingArgument', 'The api-version query parameter is required.')));
    if (!found) return send(errorReply(new AdtHttpError(404, 'NotFound', `No route matches ${method} ${path}.`)));

    let body: unknown;
    let bodyError: AdtHttpError | undefined;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        bodyError = new AdtHttpError(400, 'InvalidArgument', 'The request body is not valid JSON.');
      }
    }

    const twinIds = this.attribute(found, body);
    Object.assign(entry, { twinIds });
    const plan = this.planFaults({
      seq,
      method,
      path,
      op: found.op,
      write: found.write,
      twinIds,
      headers: req.headers,
      body,
      random: this.random,
    });
    if (plan.delayMs > 0) {
      entry.delayedMs = plan.delayMs;
      const alive = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve(true);
        }, plan.delayMs);
        this.timers.add(t);
        res.once('close', () => {
          if (!plan.lands && this.timers.delete(t)) {
            clearTimeout(t);
            resolve(false);
          }
        });
      });
      if (!alive) return;
    }

    const fault = plan.fault;
    if (fault?.type === 'throttle') {
      entry.faulted = 'throttle';
      const retryAfter = String(fault.retryAfterSeconds ?? 1);
      // ADT answers a throttled query with QuotaReachedError (ADT.md §1.1); other APIs with TooManyRequests.
      const code = found.op === 'query' ? 'QuotaReachedError' : 'TooManyRequests';
      return send(
        errorReply(
          new AdtHttpError(429, code, `Too many requests. Retry after ${retryAfter} seconds.`, {
            'Retry-After': retryAfter,
          }),
        ),
      );
    }
    if (fault?.type === 'refuse') {
      entry.faulted = 'refuse';
      return send(
        errorReply(
          new AdtHttpError(
            fault.status,
            fault.code,
            fault.message ?? `Refused by the test server's fault hook (${fault.code}).`,
          ),
        ),
      );
    }
    if (fault?.type === 'unavailable') {
      entry.faulted = 'unavailable';
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
      return send(
        errorReply(
          new AdtHttpError(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please retry.', headers),
        ),
      );
    }
    if (fault?.type === 'drop' && !fault.afterWrite) {
      entry.faulted = 'drop';
      req.socket.destroy();
      return;
    }

    let reply: Reply;
    try {
      if (bodyError) throw bodyError;
      reply = this.dispatch(found, req, url, body, rawBody);
    } catch (error) {
      // A bug in this server, not ADT behaviour: answer 500 with the message so the failing test shows it.
      reply = errorReply(
        error instanceof AdtHttpError
          ? error
          : new AdtHttpError(
              500,
              'InternalServerError',
              `Test ADT server bug: ${String((error as Error)?.stack ?? error)}`,
            ),
      );
    }
    if (found.write && reply.status < 400) this.noteWrite(twinIds);
    if (fault?.type === 'drop') {
      entry.faulted = 'drop-after-write';
      entry.status = reply.status;
      req.socket.destroy();
      return;
    }
    send(reply);
  }

  /** The twins a request counts against for the per-twin limit (read-only; see AdtRequestLogEntry.twinIds). */
  private attribute(r: Route, body: unknown): string[] {
    switch (r.op) {
      case 'twins.put':
      case 'twins.patch':
      case 'twins.delete':
        return [r.params[0]];
      case 'relationships.put':
      case 'relationships.patch':
      case 'relationships.delete': {
        const [source, relId] = r.params;
        const ids = new Set([source]);
        const existing = this.relationships.get(source)?.get(relId);
        if (r.op === 'relationships.put' && isObject(body) && typeof body.$targetId === 'string')
          ids.add(body.$targetId);
        if (existing) ids.add(existing.$targetId as string);
        return [...ids];
      }
      default:
        return [];
    }
  }

  private dispatch(r: Route, req: IncomingMessage, url: URL, body: unknown, rawBody: string): Reply {
    const h = req.headers;
    const header = (name: string): string | undefined => {
      const v = h[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const [p0, p1] = r.params;
    switch (r.op) {
      case 'models.add':
        return this.addModels(body);
      case 'models.list':
        return this.listModels(url, h);
      case 'models.get':
        return {
          status: 200,
          body: this.modelData(this.model(p0), url.searchParams.get('includeModelDefinition') === 'true'),
        };
      case 'models.decommission':
        return this.decommissionModel(p0, body);
      case 'models.delete':
        return this.deleteModel(p0);
      case 'twins.get': {
        const twin = this.twin(p0);
        return { status: 200, body: twin, headers: { ETag: twin.$etag as string } };
      }
      case 'twins.put':
        return this.putTwin(p0, body, rawBody, header('if-none-match'));
      case 'twins.patch':
        return this.patchTwin(p0, body, rawBody, header('if-match'));
      case 'twins.delete':
        return this.deleteTwin(p0, header('if-match'));
      case 'relationships.get': {
        const rel = this.relationship(p0, p1);
        return { status: 200, body: rel, headers: { ETag: rel.$etag as string } };
      }
      case 'relationships.put':
        return this.putRelationship(p0, p1, body, rawBody, header('if-none-match'));
      case 'relationships.patch':
        return this.patchRelationship(p0, p1, body, rawBody, header('if-match'));
      case 'relationships.delete':
        return this.deleteRelationship(p0, p1, header('if-match'));
      case 'relationships.list':
        return this.listRelationships(p0, url, req);
      case 'relationships.listIncoming':
        return this.listIncoming(p0, url, req);
      case 'query':
        return this.query(body, h);
      default:
        return fail(404, 'NotFound', 'No such route.');
    }
  }

  private timestamp(): string {
    // ADT's timestamps have 7 fractional digits; these are strictly increasing within the server.
    const ms = Date.now();
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.subTicks = 0;
    } else if (this.subTicks < 9999) this.subTicks++;
    else {
      this.lastMs++;
      this.subTicks = 0;
    }
    return new Date(this.lastMs).toISOString().replace('Z', `${String(this.subTicks).padStart(4, '0')}Z`);
  }

  private nextLink(req: IncomingMessage, path: string, params: Record<string, string | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    q.set('api-version', '2022-05-31');
    // https: the SDK's bearer policy refuses http URLs, and ADT's nextLinks are https.
    return `https://${req.headers.host ?? '127.0.0.1'}${path}?${q.toString()}`;
  }

  // --- models ------------------------------------------------------------------------------------------

  private model(id: string): AdtStoredModel {
    return this.models.get(id) ?? modelNotFound(id);
  }

  private modelData(m: AdtStoredModel, includeDefinition: boolean): JsonObject {
    return {
      id: m.id,
      displayName: clone(m.displayName),
      description: clone(m.description),
      uploadTime: m.uploadTime,
      decommissioned: m.decommissioned,
      ...(includeDefinition && { model: clone(m.model) }),
    };
  }

  private addModels(body: unknown): Reply {
    if (!Array.isArray(body) || body.length === 0)
      return fail(400, 'InvalidArgument', 'The request body must be a non-empty JSON array of DTDL interfaces.');
    if (body.length > MAX_MODELS_PER_CALL)
      return fail(
        400,
        'LimitExceeded',
        `Too many models in one request: ${body.length}. At most ${MAX_MODELS_PER_CALL} models can be uploaded per API call.`,
      );
    const batch = new Map<string, JsonObject>();
    for (const def of body) {
      if (!isObject(def) || typeof def['@id'] !== 'string' || def['@id'].length === 0)
        return fail(400, 'DTDLParserError', 'Every model must be a DTDL Interface object with an @id.');
      if (!types(def).includes('Interface'))
        return fail(400, 'DTDLParserError', `Model ${def['@id']}: every top-level element must be an Interface.`);
      if (batch.has(def['@id']))
        return fail(400, 'DTDLParserError', `Model ${def['@id']} appears more than once in the request.`);
      batch.set(def['@id'], def);
    }
    const existing = [...batch.keys()].filter((id) => this.models.has(id));
    if (existing.length > 0)
      return fail(
        409,
        'ModelAlreadyExists',
        `Model(s) ${existing.join(', ')} already exist. Models are immutable: upload a new version or delete the model first.`,
      );
    for (const [id, def] of batch) {
      const refs = modelReferences(def);
      const missing = [...refs.extends, ...refs.components, ...refs.targets].filter(
        (ref) => !batch.has(ref) && !this.models.has(ref),
      );
      if (missing.length > 0)
        return fail(
          400,
          'DTDLParserError',
          `Model ${id} refers to ${[...new Set(missing)].join(', ')}, which is neither in this request nor uploaded. Upload the referenced models first or in the same request.`,
        );
    }
    const uploadTime = this.timestamp();
    const stored = [...batch].map(([id, def]) => {
      const m: AdtStoredModel = {
        id,
        model: clone(def),
        uploadTime,
        decommissioned: false,
        displayName: languageMap(def.displayName),
        description: languageMap(def.description),
      };
      this.models.set(id, m);
      return m;
    });
    return { status: 201, body: stored.map((m) => this.modelData(m, false)) };
  }

  private listModels(url: URL, h: IncomingHttpHeaders): Reply {
    const size = pageSizeHeader(h, MODEL_PAGE, MODEL_PAGE);
    const include = url.searchParams.get('includeModelDefinition') === 'true';
    const deps = url.searchParams
      .getAll('dependenciesFor')
      .flatMap((v) => v.split(','))
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    let ids: string[];
    if (deps.length > 0) {
      const found = new Set<string>();
      const visit = (id: string): void => {
        if (found.has(id)) return;
        const m = this.model(id);
        found.add(id);
        const refs = modelReferences(m.model);
        for (const ref of [...refs.extends, ...refs.components]) if (this.models.has(ref)) visit(ref);
      };
      deps.forEach(visit);
      ids = [...found];
    } else ids = [...this.models.keys()];
    const token = url.searchParams.get('continuationToken');
    let after: string | undefined;
    if (token !== null) {
      const t = decodeToken(token);
      if (!t || t.k !== 'models' || typeof t.a !== 'string')
        return fail(400, 'BadRequest', 'An invalid continuationToken was provided.');
      after = t.a;
    }
    const p = page(
      ids.map((id) => [id, this.models.get(id)!] as [string, AdtStoredModel]),
      after,
      size,
    );
    const value = p.items.map((m) => this.modelData(m, include));
    if (p.next === undefined) return { status: 200, body: { value, nextLink: null } };
    const host = `https://${h.host ?? '127.0.0.1'}`;
    const q = new URLSearchParams();
    if (deps.length > 0) q.set('dependenciesFor', deps.join(','));
    if (include) q.set('includeModelDefinition', 'true');
    q.set('continuationToken', encodeToken({ k: 'models', a: p.next }));
    q.set('api-version', '2022-05-31');
    return { status: 200, body: { value, nextLink: `${host}/models?${q.toString()}` } };
  }

  private decommissionModel(id: string, body: unknown): Reply {
    const m = this.model(id);
    const ok =
      Array.isArray(body) &&
      body.length > 0 &&
      body.every((op) => isObject(op) && op.op === 'replace' && op.path === '/decommissioned' && op.value === true);
    if (!ok)
      return patchInvalid(
        'Only [{"op":"replace","path":"/decommissioned","value":true}] is allowed: \'decommissioned\' is the only model property that can be updated, and only to true.',
      );
    this.models.set(id, { ...m, decommissioned: true });
    return { status: 204 };
  }

  private deleteModel(id: string): Reply {
    this.model(id);
    const dependents = [...this.models.values()]
      .filter((m) => {
        const refs = modelReferences(m.model);
        return m.id !== id && (refs.extends.includes(id) || refs.components.includes(id));
      })
      .map((m) => m.id);
    if (dependents.length > 0)
      return fail(
        409,
        'ModelReferencesNotDeleted',
        `Model ${id} is referenced by model(s) ${dependents.join(', ')} (extends or component). Delete the referencing models first.`,
      );
    this.models.delete(id);
    return { status: 204 };
  }

  /** Component names of a model, through its extends chain. */
  private componentNames(modelId: string, seen = new Set<string>()): Set<string> {
    const names = new Set<string>();
    const m = this.models.get(modelId);
    if (!m || seen.has(modelId)) return names;
    seen.add(modelId);
    for (const item of Array.isArray(m.model.contents) ? m.model.contents : [])
      if (isObject(item) && types(item).includes('Component') && typeof item.name === 'string') names.add(item.name);
    for (const parent of modelReferences(m.model).extends)
      for (const n of this.componentNames(parent, seen)) names.add(n);
    return names;
  }

  /** A model a twin may be created with or moved to. */
  private checkModelUsable(modelId: unknown, twinId: string): string {
    if (typeof modelId !== 'string' || modelId.length === 0)
      return fail(400, 'ValidationFailed', `Invalid twin ${twinId}: $metadata.$model is required.`);
    const m = this.models.get(modelId);
    if (!m)
      return fail(
        400,
        'ValidationFailed',
        `Invalid twin ${twinId}: the model ${modelId} was not found. Upload the model before creating twins of it.`,
      );
    if (m.decommissioned)
      return fail(400, 'ModelDecommissioned', `The model ${modelId} is decommissioned: no new twins can use it.`);
    return modelId;
  }

  // --- twins -------------------------------------------------------------------------------------------

  private twin(id: string): JsonObject {
    return this.twins.get(id) ?? twinNotFound(id);
  }

  private putTwin(id: string, body: unknown, rawBody: string, ifNoneMatch: string | undefined): Reply {
    if (Buffer.byteLength(rawBody) > MAX_TWIN_BODY)
      return fail(
        400,
        'InvalidArgument',
        `The twin is too large: ${Buffer.byteLength(rawBody)} bytes; the maximum size of a twin is 32 KB.`,
      );
    if (!isObject(body)) return fail(400, 'InvalidArgument', 'The request body must be a JSON object (the twin).');
    if (ifNoneMatch !== undefined && ifNoneMatch !== '*')
      return fail(400, 'InvalidArgument', 'Invalid If-None-Match header value. Allowed value(s): If-None-Match: *');
    const existing = this.twins.get(id);
    if (existing && ifNoneMatch === '*')
      return fail(
        412,
        'PreconditionFailed',
        `If-None-Match: * header was specified but a twin with the id ${id} was found. Please specify a different twin id.`,
      );
    const meta = isObject(body.$metadata) ? body.$metadata : {};
    const modelId = meta.$model;
    const oldModel = existing ? ((existing.$metadata as JsonObject).$model as string) : undefined;
    if (!existing || modelId !== oldModel) this.checkModelUsable(modelId, id);
    else if (!this.models.has(oldModel!))
      fail(
        400,
        'ValidationFailed',
        `Invalid twin ${id}: the model ${oldModel} was not found; a twin whose model was deleted cannot be updated.`,
      );
    const components = this.componentNames(modelId as string);
    const now = this.timestamp();
    const twin: JsonObject = { $dtId: id, $etag: newEtag() };
    const twinMeta: JsonObject = { $model: modelId, $lastUpdateTime: now };
    for (const [key, value] of Object.entries(body)) {
      if (key.startsWith('$')) continue;
      if (components.has(key) && isObject(value)) {
        twin[key] = this.component(value, now);
        continue;
      }
      twin[key] = clone(value);
      twinMeta[key] = propertyMeta(now, meta[key]);
    }
    twin.$metadata = twinMeta;
    this.twins.set(id, twin);
    return { status: 200, body: clone(twin), headers: { ETag: twin.$etag as string } };
  }

  private component(value: JsonObject, now: string): JsonObject {
    const inMeta = isObject(value.$metadata) ? value.$metadata : {};
    const out: JsonObject = {};
    const meta: JsonObject = { $lastUpdateTime: now };
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$')) continue;
      out[k] = clone(v);
      meta[k] = propertyMeta(now, inMeta[k]);
    }
    out.$metadata = meta;
    return out;
  }

  private patchTwin(id: string, body: unknown, rawBody: string, ifMatch: string | undefined): Reply {
    if (Buffer.byteLength(rawBody) > MAX_TWIN_BODY)
      return fail(
        400,
        'InvalidArgument',
        `The patch is too large: ${Buffer.byteLength(rawBody)} bytes; the maximum request size is 32 KB.`,
      );
    const existing = this.twin(id);
    if (!etagMatches(ifMatch, existing.$etag))
      return fail(412, 'PreconditionFailed', `The If-Match header ${ifMatch} does not match the twin's current ETag.`);
    const ops = parsePatch(body);
    const twin = clone(existing);
    const meta = twin.$metadata as JsonObject;
    const oldModel = meta.$model as string;
    let components = this.componentNames(oldModel);
    const now = this.timestamp();
    const touched = new Set<string>();
    const touchedComponentProps = new Map<string, Set<string>>();
    for (const op of ops) {
      const [s0, s1, s2, s3, ...more] = op.segments;
      if (s0 === '$dtId' || s0 === '$etag') return patchInvalid(`The path '${op.path}' cannot be patched.`);
      if (s0 === '$metadata') {
        if (s1 === '$model' && op.segments.length === 2 && op.op !== 'remove') {
          meta.$model = this.checkModelUsable(op.value, id);
          components = this.componentNames(meta.$model as string);
        } else if (
          s1 !== undefined &&
          !s1.startsWith('$') &&
          s2 === 'sourceTime' &&
          s3 === undefined &&
          isObject(meta[s1])
        ) {
          if (op.op === 'remove') delete (meta[s1] as JsonObject).sourceTime;
          else (meta[s1] as JsonObject).sourceTime = op.value;
        } else
          return patchInvalid(
            `The path '${op.path}' cannot be patched: of $metadata only /$metadata/$model and /$metadata/<property>/sourceTime can.`,
          );
        continue;
      }
      if (components.has(s0) && s1 === '$metadata') {
        const cmeta = isObject(twin[s0]) ? ((twin[s0] as JsonObject).$metadata as JsonObject | undefined) : undefined;
        if (!cmeta || s2 === undefined || s3 !== 'sourceTime' || more.length > 0 || !isObject(cmeta[s2]))
          return patchInvalid(`The path '${op.path}' cannot be patched.`);
        if (op.op === 'remove') delete (cmeta[s2] as JsonObject).sourceTime;
        else (cmeta[s2] as JsonObject).sourceTime = op.value;
        continue;
      }
      if (s0.startsWith('$') || (s1 !== undefined && s1.startsWith('$') && components.has(s0)))
        return patchInvalid(`The path '${op.path}' cannot be patched.`);
      applyAt(twin, op, op.segments);
      if (components.has(s0) && s1 !== undefined) {
        const set = touchedComponentProps.get(s0) ?? new Set<string>();
        set.add(s1);
        touchedComponentProps.set(s0, set);
      } else touched.add(s0);
    }
    if (meta.$model === oldModel && !this.models.has(oldModel))
      return fail(
        400,
        'ValidationFailed',
        `Invalid twin ${id}: the model ${oldModel} was not found; a twin whose model was deleted cannot be updated.`,
      );
    for (const key of touched) {
      if (!Object.prototype.hasOwnProperty.call(twin, key)) delete meta[key];
      else if (components.has(key) && isObject(twin[key])) twin[key] = this.component(twin[key] as JsonObject, now);
      else meta[key] = { ...(isObject(meta[key]) ? meta[key] : {}), lastUpdateTime: now };
    }
    for (const [comp, props] of touchedComponentProps) {
      const c = twin[comp] as JsonObject;
      const cmeta = isObject(c.$metadata) ? c.$metadata : {};
      for (const p of props) {
        if (!Object.prototype.hasOwnProperty.call(c, p)) delete cmeta[p];
        else cmeta[p] = { ...(isObject(cmeta[p]) ? cmeta[p] : {}), lastUpdateTime: now };
      }
      cmeta.$lastUpdateTime = now;
      c.$metadata = cmeta;
    }
    meta.$lastUpdateTime = now;
    twin.$etag = newEtag();
    // Keep ADT's key order: $dtId, $etag, properties and components, $metadata last.
    const { $dtId, $etag, $metadata, ...rest } = twin;
    const stored: JsonObject = { $dtId, $etag, ...rest, $metadata };
    this.twins.set(id, stored);
    return { status: 204, headers: { ETag: $etag as string } };
  }

  private deleteTwin(id: string, ifMatch: string | undefined): Reply {
    const twin = this.twin(id);
    if (!etagMatches(ifMatch, twin.$etag))
      return fail(412, 'PreconditionFailed', `The If-Match header ${ifMatch} does not match the twin's current ETag.`);
    if ((this.relationships.get(id)?.size ?? 0) > 0 || (this.incoming.get(id)?.size ?? 0) > 0)
      return fail(
        400,
        'RelationshipsNotDeleted',
        `Twin ${id} has active relationships. Cannot delete a twin unless all the relationships are deleted. Please ensure that the active relationships on the twin are deleted. See section on retrieving relationships https://aka.ms/adtv2twins.`,
      );
    this.twins.delete(id);
    return { status: 204 };
  }

  // --- relationships -----------------------------------------------------------------------------------

  private relationship(source: string, relId: string): JsonObject {
    this.twin(source);
    return (
      this.relationships.get(source)?.get(relId) ??
      fail(
        404,
        'RelationshipNotFound',
        `There is no relationship with the ID ${relId} on the digital twin ${source}. Please verify that the relationship id is valid.`,
      )
    );
  }

  private storeRelationship(source: string, relId: string, rel: JsonObject | undefined): void {
    const previous = this.relationships.get(source)?.get(relId);
    const key = `${source}\u0000${relId}`;
    if (previous) {
      const set = this.incoming.get(previous.$targetId as string);
      set?.delete(key);
      if (set?.size === 0) this.incoming.delete(previous.$targetId as string);
    }
    if (rel) {
      const out = this.relationships.get(source) ?? new Map<string, JsonObject>();
      out.set(relId, rel);
      this.relationships.set(source, out);
      const target = rel.$targetId as string;
      const set = this.incoming.get(target) ?? new Map<string, [string, string]>();
      set.set(key, [source, relId]);
      this.incoming.set(target, set);
    } else {
      const out = this.relationships.get(source);
      out?.delete(relId);
      if (out?.size === 0) this.relationships.delete(source);
    }
  }

  private putRelationship(
    source: string,
    relId: string,
    body: unknown,
    rawBody: string,
    ifNoneMatch: string | undefined,
  ): Reply {
    if (Buffer.byteLength(rawBody) > MAX_TWIN_BODY)
      return fail(
        400,
        'InvalidArgument',
        `The relationship is too large: ${Buffer.byteLength(rawBody)} bytes; the maximum request size is 32 KB.`,
      );
    if (ifNoneMatch !== undefined && ifNoneMatch !== '*')
      return fail(400, 'InvalidArgument', 'Invalid If-None-Match header value. Allowed value(s): If-None-Match: *');
    this.twin(source);
    if (!isObject(body))
      return fail(400, 'InvalidArgument', 'The request body must be a JSON object (the relationship).');
    if (typeof body.$targetId !== 'string' || body.$targetId.length === 0)
      return fail(400, 'InvalidArgument', 'The relationship has no $targetId.');
    if (typeof body.$relationshipName !== 'string' || body.$relationshipName.length === 0)
      return fail(400, 'InvalidArgument', 'The relationship has no $relationshipName.');
    // ADT.md §1.1: OperationNotAllowed — a relationship cannot connect a twin to itself.
    if (body.$targetId === source)
      return fail(
        400,
        'OperationNotAllowed',
        `The relationship ${relId} cannot connect the digital twin ${source} to itself.`,
      );
    if (!this.twins.has(body.$targetId))
      return fail(
        404,
        'TargetTwinNotFound',
        `The target digital twin is invalid or does not exist. Please validate that the target twin is valid and ensure that the target twin is not deleted. Target twin id: ${body.$targetId}.`,
      );
    if (ifNoneMatch === '*' && this.relationships.get(source)?.has(relId))
      return fail(
        412,
        'PreconditionFailed',
        `If-None-Match: * header was specified but a relationship with the id ${relId} was found on twin ${source}. Please specify a different relationship id.`,
      );
    const rel: JsonObject = {
      $relationshipId: relId,
      $etag: newEtag(),
      $sourceId: source,
      $relationshipName: body.$relationshipName,
      $targetId: body.$targetId,
    };
    for (const [k, v] of Object.entries(body)) if (!k.startsWith('$')) rel[k] = clone(v);
    this.storeRelationship(source, relId, rel);
    return { status: 200, body: clone(rel), headers: { ETag: rel.$etag as string } };
  }

  private patchRelationship(
    source: string,
    relId: string,
    body: unknown,
    rawBody: string,
    ifMatch: string | undefined,
  ): Reply {
    if (Buffer.byteLength(rawBody) > MAX_TWIN_BODY)
      return fail(
        400,
        'InvalidArgument',
        `The patch is too large: ${Buffer.byteLength(rawBody)} bytes; the maximum request size is 32 KB.`,
      );
    const existing = this.relationship(source, relId);
    if (!etagMatches(ifMatch, existing.$etag))
      return fail(
        412,
        'PreconditionFailed',
        `The If-Match header ${ifMatch} does not match the relationship's current ETag.`,
      );
    const ops = parsePatch(body);
    const rel = clone(existing);
    for (const op of ops) {
      if (op.segments[0].startsWith('$'))
        return patchInvalid(`The path '${op.path}' cannot be patched: only relationship properties can.`);
      applyAt(rel, op, op.segments);
    }
    rel.$etag = newEtag();
    this.storeRelationship(source, relId, rel);
    return { status: 204, headers: { ETag: rel.$etag as string } };
  }

  private deleteRelationship(source: string, relId: string, ifMatch: string | undefined): Reply {
    const rel = this.relationship(source, relId);
    if (!etagMatches(ifMatch, rel.$etag))
      return fail(
        412,
        'PreconditionFailed',
        `The If-Match header ${ifMatch} does not match the relationship's current ETag.`,
      );
    this.storeRelationship(source, relId, undefined);
    return { status: 204 };
  }

  private continuation(url: URL, kind: string): string | undefined {
    const token = url.searchParams.get('continuationToken');
    if (token === null) return undefined;
    const t = decodeToken(token);
    if (!t || t.k !== kind || typeof t.a !== 'string')
      return fail(400, 'BadRequest', 'An invalid continuationToken was provided.');
    return t.a;
  }

  private listRelationships(source: string, url: URL, req: IncomingMessage): Reply {
    this.twin(source);
    const name = url.searchParams.get('relationshipName') ?? undefined;
    const after = this.continuation(url, 'rels');
    const size = pageSizeHeader(req.headers, this.relationshipPageSize, QUERY_PAGE_MAX);
    const all = [...(this.relationships.get(source) ?? new Map<string, JsonObject>())].filter(
      ([, r]) => name === undefined || r.$relationshipName === name,
    );
    const p = page(all, after, size);
    const nextLink =
      p.next === undefined
        ? null
        : this.nextLink(req, `/digitaltwins/${encodeURIComponent(source)}/relationships`, {
            relationshipName: name,
            continuationToken: encodeToken({ k: 'rels', a: p.next }),
          });
    return { status: 200, body: { value: p.items.map((r) => clone(r)), nextLink } };
  }

  private listIncoming(target: string, url: URL, req: IncomingMessage): Reply {
    this.twin(target);
    const after = this.continuation(url, 'incoming');
    const size = pageSizeHeader(req.headers, this.relationshipPageSize, QUERY_PAGE_MAX);
    const all = [...(this.incoming.get(target) ?? new Map<string, [string, string]>())];
    const p = page(all, after, size);
    const value = p.items.map(([source, relId]) => {
      const rel = this.relationships.get(source)!.get(relId)!;
      return {
        $relationshipId: relId,
        $sourceId: source,
        $relationshipName: rel.$relationshipName,
        $relationshipLink: `/digitaltwins/${encodeURIComponent(source)}/relationships/${encodeURIComponent(relId)}`,
      };
    });
    const nextLink =
      p.next === undefined
        ? null
        : this.nextLink(req, `/digitaltwins/${encodeURIComponent(target)}/incomingrelationships`, {
            continuationToken: encodeToken({ k: 'incoming', a: p.next }),
          });
    return { status: 200, body: { value, nextLink } };
  }

  // --- query -------------------------------------------------------------------------------------------

  private query(body: unknown, h: IncomingHttpHeaders): Reply {
    if (!isObject(body))
      return fail(
        400,
        'InvalidArgument',
        'The request body must be a JSON object {"query": …} or {"continuationToken": …}.',
      );
    const size = pageSizeHeader(h, this.queryPageSize, QUERY_PAGE_MAX);
    let kind: 'twins' | 'rels';
    let after: string | undefined;
    if (body.continuationToken !== undefined && body.continuationToken !== null) {
      // ADT ignores `query` when a continuation token is given.
      const t = decodeToken(body.continuationToken);
      if (!t || (t.k !== 'q:twins' && t.k !== 'q:rels') || typeof t.a !== 'string')
        return fail(400, 'BadRequest', 'An invalid continuationToken was provided.');
      kind = t.k === 'q:twins' ? 'twins' : 'rels';
      after = t.a;
    } else {
      const m = typeof body.query === 'string' ? SELECT_ALL.exec(body.query) : null;
      if (!m)
        return fail(
          400,
          'SqlQueryError',
          `Query not supported by this test server: ${JSON.stringify(body.query)}. Only SELECT * FROM DIGITALTWINS and SELECT * FROM RELATIONSHIPS are.`,
        );
      kind = m[1].toLowerCase() === 'digitaltwins' ? 'twins' : 'rels';
    }
    const items: [string, JsonObject][] =
      kind === 'twins'
        ? [...this.twins]
        : [...this.relationships].flatMap(([source, rels]) =>
            [...rels].map(([relId, r]) => [`${source}\u0000${relId}`, r] as [string, JsonObject]),
          );
    const p = page(items, after, size);
    const continuationToken = p.next === undefined ? null : encodeToken({ k: `q:${kind}`, a: p.next });
    return {
      status: 200,
      body: { value: p.items.map((v) => clone(v)), continuationToken },
      headers: { 'query-charge': (1 + p.items.length * 0.05).toFixed(2) },
    };
  }
}

function propertyMeta(now: string, requested: unknown): JsonObject {
  const sourceTime = isObject(requested) ? requested.sourceTime : undefined;
  return { lastUpdateTime: now, ...(sourceTime !== undefined && { sourceTime }) };
}

function errorReply(error: AdtHttpError): Reply {
  return {
    status: error.status,
    headers: { 'x-ms-error-code': error.code, ...error.headers },
    body: { error: { code: error.code, message: error.message } },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

/** Starts a test ADT server on 127.0.0.1 (a free port). */
export async function startAdtServer(options: AdtServerOptions = {}): Promise<AdtServer> {
  const server = new AdtServerImpl(
    options.seed ?? 1,
    options.relationshipPageSize ?? 100,
    options.queryPageSize ?? QUERY_PAGE,
  );
  await server.listen();
  return server;
}
