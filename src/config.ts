/**
 * Configuration from environment variables, validated once at start: a wrong value stops the server with a
 * message naming the variable, what it holds and what it should hold. Every variable is read here, with one
 * valibot schema, the store's too, so that the rest of the code takes a Config and never reads the environment.
 * Valibot rather than a bigger validator: this file is loaded at every `twingraph start`, and valibot loads in
 * a fifth of the time.
 *
 * Each schema's messages are the words that follow "expected" in the error (`PORT="x": expected a whole
 * number`), or whole sentences that name their variable. A default is the text the variable would hold, and is
 * checked and converted as that text would be.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { integer, oneOf } from './config-values';
import { DEVICES_ENV, devicesConfigOf, type DevicesConfig } from './devices/config';
import { DEFAULT_HEAP_GROWING_PERCENT, MAX_HEAP_GROWING_PERCENT } from './heap';
import { DEFAULT_SQLITE_PATH, type StoreConfig } from './store/open';

/** The package root (where dtdl/ and seeds/ ship), whether running from src/ (tsx, jest) or dist/. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

const bytes = v.pipe(
  v.string(),
  v.regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'a size such as 1mb, 512kb or 1048576'),
  v.transform((text) => {
    const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text)!;
    const unit = (m[2] ?? 'b').toLowerCase();
    return Math.round(Number(m[1]) * { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit as 'b']!);
  }),
);

const duration = v.pipe(
  v.string(),
  v.regex(/^\d+\s*(s|m|h|d)$/i, 'a duration such as 90s, 30m, 12h or 7d'),
  v.transform((text) => {
    const m = /^(\d+)\s*(s|m|h|d)$/i.exec(text)!;
    return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2].toLowerCase() as 's'];
  }),
);

/** The words a yes/no variable takes, in any case: the same list as before valibot, so no setting changes meaning. */
const TRUE_WORDS = ['true', '1', 'yes', 'on', 'y', 'enabled'];
const FALSE_WORDS = ['false', '0', 'no', 'off', 'n', 'disabled'];
const flag = v.pipe(
  v.string(),
  v.toLowerCase(),
  oneOf([...TRUE_WORDS, ...FALSE_WORDS]),
  v.transform((word) => TRUE_WORDS.includes(word)),
);

/**
 * An http:// or https:// URL, trimmed. The URL parser drops tabs and line breaks inside its input, so they are
 * dropped from the value kept too: what is used is what was checked.
 */
const httpUrl = (message: string) =>
  v.pipe(
    v.string(),
    v.trim(),
    // The slashes are required of the text: the parser supplies them (`https:/x` and `http:x` parse), a typo then.
    v.check((text) => /^https?:\/\//i.test(text) && URL.canParse(text), message),
    v.transform((text) => text.replace(/[\t\n\r]/g, '')),
  );

/**
 * An RFC 3339 date and time with seconds and a Z or ±hh:mm offset, the date checked against the calendar
 * (leap years too). Valibot's isoTimestamp is looser (a space for the T, offsets without a colon, no
 * February 29 check), so the pattern is spelt out.
 */
const ISO_DATETIME =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8])))T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** The feature plugins there are (TWINGRAPH_PLUGINS), each one of src/'s feature folders. */
export const PLUGINS = ['analytics', 'mirror', 'devices'] as const;
export type PluginName = (typeof PLUGINS)[number];

/** The items of a comma-separated list: spaces around them and empty ones dropped. */
const splitList = (text: string): string[] =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/**
 * A comma-separated list whose every item `accepts` takes, each kept once; otherwise `message(refused)` names
 * what was expected and the items that are not.
 */
const commaList = (accepts: (item: string) => boolean, message: (refused: readonly string[]) => string) =>
  v.pipe(
    v.string(),
    v.rawTransform(({ dataset: { value: text }, addIssue, NEVER }): string[] => {
      const items = splitList(text);
      const refused = items.filter((item) => !accepts(item));
      if (refused.length > 0) {
        addIssue({ message: message(refused) });
        return NEVER;
      }
      return [...new Set(items)];
    }),
  );

const quoted = (items: readonly string[]): string => items.map((item) => `'${item}'`).join(', ');

const plugins = v.pipe(
  commaList(
    (name) => (PLUGINS as readonly string[]).includes(name),
    (unknown) => `a comma-separated list of plugins, each one of ${PLUGINS.join(', ')} (not ${quoted(unknown)})`,
  ),
  v.transform((names) => names as PluginName[]),
);

/** Browser origins such as https://app.example.com or http://localhost:5173: scheme, host and port, nothing else. */
const origins = commaList(
  (o) => {
    try {
      const url = new URL(o);
      return url.origin === o && /^https?:$/.test(url.protocol);
    } catch {
      return false;
    }
  },
  (bad) =>
    `a comma-separated list of origins such as https://app.example.com or http://localhost:5173 (scheme, host and port; no path or trailing slash): not ${quoted(bad)}`,
);

/** The URI schemes the Neo4j driver takes: routing or direct, plain or encrypted. */
const NEO4J_URI = /^(neo4j|neo4j\+s|neo4j\+ssc|bolt|bolt\+s|bolt\+ssc):\/\/[^\s]+$/;

/**
 * The store's variables: Neo4j when NEO4J_URI is set (with NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE),
 * otherwise SQLite at TWINGRAPH_DB, with TWINGRAPH_SQLITE_SYNCHRONOUS=FULL for power-loss durability. Their
 * messages are whole sentences naming the variable, as they were when the store read them itself.
 */
const STORE = v.object({
  TWINGRAPH_DB: v.optional(v.pipe(v.string(), v.trim())),
  TWINGRAPH_SQLITE_SYNCHRONOUS: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.check(
        (mode) => /^(NORMAL|FULL)$/i.test(mode),
        (issue) => `TWINGRAPH_SQLITE_SYNCHRONOUS must be NORMAL or FULL; got '${String(issue.input)}'.`,
      ),
      v.transform((mode) => mode.toUpperCase() as 'NORMAL' | 'FULL'),
    ),
  ),
  // Only spaces count as unset, as an empty value does.
  NEO4J_URI: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.check(
        (uri) => uri === '' || NEO4J_URI.test(uri),
        (issue) =>
          `NEO4J_URI must be a neo4j:// or bolt:// URI (for example neo4j://localhost:7687); got '${String(issue.input)}'.`,
      ),
    ),
  ),
  NEO4J_USER: v.optional(v.string()),
  NEO4J_PASSWORD: v.optional(v.string()),
  NEO4J_DATABASE: v.optional(v.string()),
});

const ENV = v.object({
  // The devices feature's TWINGRAPH_MQTT_* variables, kept beside the code that reads them.
  ...DEVICES_ENV.entries,
  PORT: v.optional(integer(0, 65535), '4000'),
  HOST: v.optional(v.pipe(v.string(), v.minLength(1)), '127.0.0.1'),
  LOG_LEVEL: v.optional(oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
  TWINGRAPH_DTDL_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), path.join(PACKAGE_ROOT, 'dtdl')),
  TWINGRAPH_SEEDS_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), path.join(PACKAGE_ROOT, 'seeds')),
  /**
   * What an empty store gets at start: `demo`, the models in dtdl/ and the demo firm of seeds/ (the default);
   * `models`, the models only; `none`, nothing.
   */
  TWINGRAPH_SEED: v.optional(oneOf(['demo', 'models', 'none']), 'demo'),
  /** The feature plugins to turn on, comma-separated; empty for none. */
  TWINGRAPH_PLUGINS: v.optional(plugins, PLUGINS.join(',')),
  /** The hour the demo data ends at (ISO 8601, a whole hour in UTC); default: the current hour. */
  TWINGRAPH_SEED_AS_OF: v.optional(
    v.pipe(
      v.string(),
      v.regex(ISO_DATETIME, 'an ISO 8601 date and time with Z or an offset, such as 2026-11-25T00:00:00Z'),
      v.transform((text) => Date.parse(text)),
      v.check((t) => t % 3_600_000 === 0, 'a whole hour, such as 2026-11-25T00:00:00Z'),
    ),
  ),
  TWINGRAPH_MAX_DEPTH: v.optional(integer(1, 100), '12'),
  TWINGRAPH_MAX_ALIASES: v.optional(integer(1, 1000), '50'),
  TWINGRAPH_MAX_BODY: v.optional(bytes, '1mb'),
  /** Subscriptions one WebSocket connection may hold at once; one more is refused with LimitExceeded. */
  TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET: v.optional(integer(1, 100_000), '100'),
  /** Browser origins (other than the server's own) allowed to call the API, over HTTP (CORS) and WebSocket. */
  TWINGRAPH_CORS_ORIGINS: v.optional(origins, ''),
  /**
   * Host names a server without authentication answers to, besides localhost and IP addresses (see
   * api/host-check.ts: DNS rebinding); `*` for any.
   */
  TWINGRAPH_ALLOWED_HOSTS: v.optional(
    v.pipe(
      v.string(),
      v.transform((text) => splitList(text).map((h) => h.toLowerCase())),
    ),
    '',
  ),
  /**
   * How far a subscriber may lag behind the newest change before it is cut off (it resumes with since). A
   * client that does not read stops its own delivery (graphql-ws waits for each message to be flushed), so
   * lag, not a send buffer, is what grows: bounded here, nothing else accumulates in the server. One that
   * reads nothing at all is not told (it never asks for its next change): its connection is dropped (see
   * TWINGRAPH_STREAM_STALL_MS).
   */
  TWINGRAPH_MAX_SUBSCRIBER_LAG: v.optional(integer(100, 10_000_000), '10000'),
  /**
   * How long an event stream (Server-Sent Events) may take none of what the server wrote, its socket full,
   * before the server drops it (a client that reads, however slowly, is kept: src/api/sse-outlet.ts; the
   * kernel takes a slow reader's bytes in bursts, as TCP reopens its window, hence at least a second). A
   * client that reads nothing never asks for its next change, so the lag limit never ends it: without this it
   * would hold its subscriptions and its connection slot for as long as its socket stays open. (graphql-ws's
   * pings drop such a WebSocket within 12 to 24 s.)
   */
  TWINGRAPH_STREAM_STALL_MS: v.optional(integer(1000, 3_600_000), '30000'),
  /** The Azure Digital Twins instance to mirror to (https://…); http:// for a local test server. Unset: no mirror. */
  ADT_ENDPOINT: v.optional(
    httpUrl(
      'an https:// URL such as https://<name>.api.<region>.digitaltwins.azure.net (http:// only for a local test server)',
    ),
  ),
  /** ADT's documented rate limits per second (requests of models, creates and deletes, patches; writes per twin). */
  ADT_RATE_MODELS: v.optional(integer(1, 100_000), '100'),
  ADT_RATE_CREATE_DELETE: v.optional(integer(1, 100_000), '500'),
  ADT_RATE_PATCH: v.optional(integer(1, 100_000), '1000'),
  /** ADT allows 10 writes a second per twin, not adjustable: lower only. */
  ADT_RATE_PER_TWIN: v.optional(integer(1, 10), '10'),
  /** How long a request to ADT may take before it counts as failed (and is retried), ms. */
  ADT_REQUEST_TIMEOUT_MS: v.optional(integer(100, 600_000), '30000'),
  /** Mirror requests in flight at once: ADT's 1,000 patches a second at 100 ms a round trip need 100. */
  ADT_CONCURRENCY: v.optional(integer(1, 1000), '128'),
  /** How long the mirror lets a burst of changes gather before sending them (coalesced per twin), ms. */
  ADT_COALESCE_MS: v.optional(integer(0, 60_000), '50'),
  /** Backoff of retried changes: exponential from the base, with jitter (half of it random), up to the cap (ms); Retry-After wins when longer. */
  ADT_RETRY_BASE_MS: v.optional(integer(1, 3_600_000), '500'),
  ADT_RETRY_MAX_MS: v.optional(integer(1, 3_600_000), '60000'),
  /** How long claimed changes stay with a mirror process before another (or the same, restarted after a crash) takes them again, ms. */
  ADT_LEASE_MS: v.optional(integer(1000, 3_600_000), '60000'),
  /**
   * Of the replicas sharing a store, one mirrors at a time (ADT's rate limits are the instance's); if it dies,
   * another takes over this long after its last renewal, ms. It stops sending a fifth of this before then.
   */
  ADT_ACTIVE_LEASE_MS: v.optional(integer(2000, 600_000), '10000'),
  TWINGRAPH_CHANGE_RETENTION: v.optional(duration, '7d'),
  /**
   * Whether callers must show who they are: `required`, or `off` (everyone may do everything). Unset: off
   * only while the server listens on a loopback address.
   */
  TWINGRAPH_AUTH: v.optional(oneOf(['required', 'off'])),
  /** Where the token issuer publishes its signing keys (OIDC's jwks_uri), fetched and cached. */
  TWINGRAPH_JWT_JWKS_URL: v.optional(httpUrl('an https:// URL of a JSON Web Key Set')),
  /** The tokens' public key instead: PEM text, or the path of a PEM file. */
  TWINGRAPH_JWT_PUBLIC_KEY: v.optional(v.pipe(v.string(), v.minLength(1))),
  TWINGRAPH_JWT_ISSUER: v.optional(v.pipe(v.string(), v.minLength(1))),
  TWINGRAPH_JWT_AUDIENCE: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** The claim holding the caller's roles (Entra ID puts app roles in `roles`). */
  TWINGRAPH_JWT_ROLES_CLAIM: v.optional(v.pipe(v.string(), v.minLength(1)), 'roles'),
  /** The claim limiting a caller to twins of some models (with their subtypes). */
  TWINGRAPH_JWT_MODELS_CLAIM: v.optional(v.pipe(v.string(), v.minLength(1)), 'twingraph_models'),
  TWINGRAPH_INTROSPECTION: v.optional(flag, 'true'),
  TWINGRAPH_GRAPHIQL: v.optional(flag, 'true'),
  /** The most an operation may cost, estimated before it runs (nodes it may return plus expensive fields). */
  TWINGRAPH_MAX_COST: v.optional(integer(1, 1_000_000_000_000), '200000'),
  /** Cost points one identity may spend a minute (0: no limit). */
  TWINGRAPH_RATE_LIMIT: v.optional(integer(0, 1_000_000_000), '1000000'),
  /** How long one operation may run, ms. */
  TWINGRAPH_OPERATION_TIMEOUT_MS: v.optional(integer(100, 3_600_000), '30000'),
  /** The largest response one operation may produce. */
  TWINGRAPH_MAX_RESPONSE: v.optional(bytes, '32mb'),
  /**
   * Worker threads for forecasts and failure risks, so that they do not hold up the event loop (0: on it).
   * Default: the cores but one, at most 4.
   */
  TWINGRAPH_PREDICTION_THREADS: v.optional(
    integer(0, 64),
    String(Math.max(1, Math.min(4, os.availableParallelism() - 1))),
  ),
  /**
   * How far V8's old generation may grow past what the last full collection kept, in % (src/heap.ts): 100
   * keeps the resident size after a load 30 to 60 MB lower than V8's own factor (up to 4×, which 0 leaves);
   * lower values save more memory for more full collections. A `--heap-growing-percent` given to node wins.
   * Only checked here (a wrong value stops the start, naming it): the process's entry point reads and applies it
   * before it compiles anything (bin/twingraph.js, heapGrowingPercentOf), so no part of Config carries it.
   */
  TWINGRAPH_HEAP_GROWING_PERCENT: v.optional(
    integer(0, MAX_HEAP_GROWING_PERCENT),
    String(DEFAULT_HEAP_GROWING_PERCENT),
  ),
  /**
   * How often this replica asks the store whether other replicas have committed changes, ms (0: never; a
   * single Twingraph on its store needs no polling, but it costs one cheap read).
   */
  TWINGRAPH_LOG_POLL_MS: v.optional(integer(0, 60_000), '500'),
  /** NATS for commit announcements between replicas (nats://host:4222): changes reach them in milliseconds. */
  TWINGRAPH_NATS_URL: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^nats:\/\/[^\s]+$/,
        'a NATS URL such as nats://127.0.0.1:4222 (credentials as nats://user:pass@host:4222)',
      ),
    ),
  ),
  /** The NATS subject commits are announced on: one per store, when deployments share a NATS. */
  TWINGRAPH_NATS_SUBJECT: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a NATS subject such as twingraph.commits')),
    'twingraph.commits',
  ),
  /** /readyz says not ready while this replica's feed is more than this many changes behind the log. */
  TWINGRAPH_READY_MAX_LAG: v.optional(integer(0, 100_000_000), '10000'),
  /** WebSocket connections one identity may hold at once. */
  TWINGRAPH_MAX_SOCKETS_PER_IDENTITY: v.optional(integer(1, 100_000), '50'),
  TWINGRAPH_CHANGE_KEEP_LAST: v.optional(integer(0, 1_000_000_000), '100000'),
});

/** Variables whose empty value says something (no plugins, an empty Neo4j password), rather than counting as unset. */
const EMPTY_IS_A_VALUE: ReadonlySet<string> = new Set(['TWINGRAPH_PLUGINS', 'NEO4J_USER', 'NEO4J_PASSWORD']);

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: v.InferOutput<typeof ENV>['LOG_LEVEL'];
  readonly store: StoreConfig;
  readonly dtdlDir: string;
  readonly seedsDir: string;
  readonly seed: 'demo' | 'models' | 'none';
  /** The hour the demo data ends at (epoch ms); the current hour when absent. */
  readonly seedAsOf: number | undefined;
  /** The feature plugins turned on (TWINGRAPH_PLUGINS), in the order given. */
  readonly plugins: readonly PluginName[];
  readonly limits: {
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxBodyBytes: number;
    /** WebSocket messages are capped at maxBodyBytes too; this caps the subscriptions of one connection. */
    readonly maxSubscriptionsPerSocket: number;
    readonly maxSubscriberLag: number;
    /** How long an event stream may take none of what is written to it before it is dropped. */
    readonly streamStallMs: number;
  };
  readonly changeRetention: { readonly olderThanMs: number; readonly keepLast: number };
  /** Browser origins besides the server's own allowed to call it (CORS for HTTP, the Origin check for WebSocket). */
  readonly corsOrigins: readonly string[];
  /** Host names (besides localhost and IP addresses) a server without authentication answers to; `*`: any. */
  readonly allowedHosts: readonly string[];
  /** The mirror to Azure Digital Twins; absent when ADT_ENDPOINT is not set. */
  readonly mirror?: MirrorConfig;
  readonly access: AccessConfig;
  /** How this replica follows the shared change log: other replicas' commits, by polling and over NATS. */
  readonly replication: {
    readonly pollMs: number;
    readonly natsUrl?: string;
    readonly natsSubject: string;
    /** Changes behind the log beyond which /readyz says not ready. */
    readonly readyMaxLag: number;
  };
  /** Worker threads for the analytics' forecasts and failure risks (0: on the event loop). */
  readonly predictionThreads: number;
  /** Devices over MQTT (the devices feature); connects to nothing without TWINGRAPH_MQTT_URL. */
  readonly devices: DevicesConfig;
}

/** Who may call the API, and how much of it. */
export interface AccessConfig {
  /** Whether callers must authenticate; `off` lets everyone do everything. */
  readonly auth: 'required' | 'off';
  /** Whether TWINGRAPH_AUTH was set, rather than chosen from the address. */
  readonly authExplicit: boolean;
  /** Absent: bearer tokens are not accepted (API keys still are). */
  readonly jwt?: JwtConfig;
  readonly introspection: boolean;
  readonly graphiql: boolean;
  readonly maxCost: number;
  /** Cost points per identity per minute; 0: unlimited. */
  readonly ratePerMinute: number;
  readonly operationTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxSocketsPerIdentity: number;
}

export interface JwtConfig {
  readonly jwksUrl?: string;
  /** PEM text (a file named by TWINGRAPH_JWT_PUBLIC_KEY is read at start). */
  readonly publicKey?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly rolesClaim: string;
  readonly modelsClaim: string;
}

export interface MirrorConfig {
  readonly endpoint: string;
  readonly rates: {
    readonly models: number;
    readonly createDelete: number;
    readonly patch: number;
    readonly perTwin: number;
  };
  readonly concurrency: number;
  readonly coalesceMs: number;
  readonly retry: { readonly baseMs: number; readonly maxMs: number };
  readonly leaseMs: number;
  /** The active mirror's term among replicas (leadership.ts). */
  readonly activeLeaseMs: number;
  readonly requestTimeoutMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The variables `schema` knows in `env`, parsed; or a line per variable that is wrong. */
function parseEnv<S extends v.ObjectSchema<v.ObjectEntries, undefined>>(
  schema: S,
  env: NodeJS.ProcessEnv,
): { data: v.InferOutput<S> | undefined; problems: string[] } {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([k, value]) => k in schema.entries && value !== undefined && (value !== '' || EMPTY_IS_A_VALUE.has(k)),
    ),
  );
  const parsed = v.safeParse(schema, present);
  if (parsed.success) return { data: parsed.output, problems: [] };
  return {
    data: undefined,
    problems: parsed.issues.map((issue) => {
      const variable = String(issue.path?.[0]?.key);
      // A message that names its variable is a whole sentence already.
      if (issue.message.startsWith(`${variable} `)) return issue.message;
      return `${variable}=${JSON.stringify(env[variable])}: expected ${issue.message}`;
    }),
  };
}

function configError(problems: readonly string[]): ConfigError {
  return new ConfigError(`Twingraph cannot start: the configuration is wrong.\n  ${problems.join('\n  ')}`);
}

function storeConfigOf(e: v.InferOutput<typeof STORE>): StoreConfig {
  if (e.NEO4J_URI) {
    return {
      kind: 'neo4j',
      uri: e.NEO4J_URI,
      ...(e.NEO4J_USER !== undefined && { user: e.NEO4J_USER }),
      ...(e.NEO4J_PASSWORD !== undefined && { password: e.NEO4J_PASSWORD }),
      ...(e.NEO4J_DATABASE && { database: e.NEO4J_DATABASE }),
    };
  }
  return {
    kind: 'sqlite',
    path: e.TWINGRAPH_DB || DEFAULT_SQLITE_PATH,
    ...(e.TWINGRAPH_SQLITE_SYNCHRONOUS && { synchronous: e.TWINGRAPH_SQLITE_SYNCHRONOUS }),
  };
}

/**
 * The store the environment asks for, alone, for a tool that needs no more; throws a ConfigError naming the
 * variable at fault.
 */
export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const { data, problems } = parseEnv(STORE, env);
  if (!data) throw configError(problems);
  return storeConfigOf(data);
}

/** Reads and checks the configuration; throws a ConfigError listing every variable that is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { data, problems: general } = parseEnv(ENV, env);
  const { data: storeData, problems: storeProblems } = parseEnv(STORE, env);
  const problems = [...general, ...storeProblems];
  if (data && data.ADT_ENDPOINT && data.ADT_LEASE_MS <= data.ADT_REQUEST_TIMEOUT_MS) {
    // A lease must outlast a request, or a slow answer lets the same change be claimed again meanwhile.
    problems.push(
      `ADT_LEASE_MS=${data.ADT_LEASE_MS}: expected more than ADT_REQUEST_TIMEOUT_MS (${data.ADT_REQUEST_TIMEOUT_MS})`,
    );
  }
  if (data && data.ADT_ENDPOINT && !data.TWINGRAPH_PLUGINS.includes('mirror')) {
    // Without the mirror nothing would read the outbox, and the change log could never be pruned past it.
    problems.push(
      `ADT_ENDPOINT=${JSON.stringify(data.ADT_ENDPOINT)}: expected TWINGRAPH_PLUGINS to include mirror (it is ${JSON.stringify(data.TWINGRAPH_PLUGINS.join(','))}), or no ADT_ENDPOINT`,
    );
  }
  if (data && data.TWINGRAPH_JWT_JWKS_URL && data.TWINGRAPH_JWT_PUBLIC_KEY)
    problems.push('TWINGRAPH_JWT_JWKS_URL and TWINGRAPH_JWT_PUBLIC_KEY are both set: expected one of them');
  const publicKey = data?.TWINGRAPH_JWT_PUBLIC_KEY && readPublicKey(data.TWINGRAPH_JWT_PUBLIC_KEY, problems);
  if (!data || !storeData || problems.length > 0) throw configError(problems);
  const e = data;
  const jwtKeys = e.TWINGRAPH_JWT_JWKS_URL || publicKey;
  const store = storeConfigOf(storeData);
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    // The mirror reads the outbox: with it on, every write also enqueues its change there (in the same transaction).
    store: e.ADT_ENDPOINT ? { ...store, outbox: true } : store,
    dtdlDir: e.TWINGRAPH_DTDL_DIR,
    seedsDir: e.TWINGRAPH_SEEDS_DIR,
    seed: e.TWINGRAPH_SEED,
    seedAsOf: e.TWINGRAPH_SEED_AS_OF,
    plugins: e.TWINGRAPH_PLUGINS,
    limits: {
      maxDepth: e.TWINGRAPH_MAX_DEPTH,
      maxAliases: e.TWINGRAPH_MAX_ALIASES,
      maxBodyBytes: e.TWINGRAPH_MAX_BODY,
      maxSubscriptionsPerSocket: e.TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxSubscriberLag: e.TWINGRAPH_MAX_SUBSCRIBER_LAG,
      streamStallMs: e.TWINGRAPH_STREAM_STALL_MS,
    },
    changeRetention: { olderThanMs: e.TWINGRAPH_CHANGE_RETENTION, keepLast: e.TWINGRAPH_CHANGE_KEEP_LAST },
    corsOrigins: e.TWINGRAPH_CORS_ORIGINS,
    allowedHosts: e.TWINGRAPH_ALLOWED_HOSTS,
    ...(e.ADT_ENDPOINT && {
      mirror: {
        endpoint: e.ADT_ENDPOINT,
        rates: {
          models: e.ADT_RATE_MODELS,
          createDelete: e.ADT_RATE_CREATE_DELETE,
          patch: e.ADT_RATE_PATCH,
          perTwin: e.ADT_RATE_PER_TWIN,
        },
        concurrency: e.ADT_CONCURRENCY,
        coalesceMs: e.ADT_COALESCE_MS,
        retry: { baseMs: e.ADT_RETRY_BASE_MS, maxMs: Math.max(e.ADT_RETRY_BASE_MS, e.ADT_RETRY_MAX_MS) },
        leaseMs: e.ADT_LEASE_MS,
        activeLeaseMs: e.ADT_ACTIVE_LEASE_MS,
        requestTimeoutMs: e.ADT_REQUEST_TIMEOUT_MS,
      },
    }),
    replication: {
      pollMs: e.TWINGRAPH_LOG_POLL_MS,
      ...(e.TWINGRAPH_NATS_URL && { natsUrl: e.TWINGRAPH_NATS_URL }),
      natsSubject: e.TWINGRAPH_NATS_SUBJECT,
      readyMaxLag: e.TWINGRAPH_READY_MAX_LAG,
    },
    predictionThreads: e.TWINGRAPH_PREDICTION_THREADS,
    devices: devicesConfigOf(e),
    access: {
      auth: e.TWINGRAPH_AUTH ?? (isLoopback(e.HOST) ? 'off' : 'required'),
      authExplicit: e.TWINGRAPH_AUTH !== undefined,
      ...(jwtKeys && {
        jwt: {
          ...(e.TWINGRAPH_JWT_JWKS_URL && { jwksUrl: e.TWINGRAPH_JWT_JWKS_URL }),
          ...(publicKey && { publicKey }),
          ...(e.TWINGRAPH_JWT_ISSUER && { issuer: e.TWINGRAPH_JWT_ISSUER }),
          ...(e.TWINGRAPH_JWT_AUDIENCE && { audience: e.TWINGRAPH_JWT_AUDIENCE }),
          rolesClaim: e.TWINGRAPH_JWT_ROLES_CLAIM,
          modelsClaim: e.TWINGRAPH_JWT_MODELS_CLAIM,
        },
      }),
      introspection: e.TWINGRAPH_INTROSPECTION,
      graphiql: e.TWINGRAPH_GRAPHIQL,
      maxCost: e.TWINGRAPH_MAX_COST,
      ratePerMinute: e.TWINGRAPH_RATE_LIMIT,
      operationTimeoutMs: e.TWINGRAPH_OPERATION_TIMEOUT_MS,
      maxResponseBytes: e.TWINGRAPH_MAX_RESPONSE,
      maxSocketsPerIdentity: e.TWINGRAPH_MAX_SOCKETS_PER_IDENTITY,
    },
  };
}

/** Whether `host` is a loopback address, where only this machine's users can reach the server. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** TWINGRAPH_JWT_PUBLIC_KEY as PEM text: the value itself, or the file it names. */
function readPublicKey(value: string, problems: string[]): string | undefined {
  if (value.includes('-----BEGIN')) return value;
  try {
    const text = fs.readFileSync(value, 'utf8');
    if (text.includes('-----BEGIN')) return text;
    problems.push(
      `TWINGRAPH_JWT_PUBLIC_KEY=${JSON.stringify(value)}: expected PEM text or a PEM file; the file holds no PEM`,
    );
  } catch (error) {
    problems.push(
      `TWINGRAPH_JWT_PUBLIC_KEY=${JSON.stringify(value)}: expected PEM text or the path of a PEM file (${(error as Error).message})`,
    );
  }
  return undefined;
}
