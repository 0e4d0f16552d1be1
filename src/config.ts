/**
 * Configuration from environment variables, validated once at start: a wrong value stops the server with a
 * message naming the variable, what it holds and what it should hold. Every variable is read here, with one
 * zod schema, the store's too, so that the rest of the code takes a Config and never reads the environment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEVICES_ENV, devicesConfigOf, type DevicesConfig } from './devices/config';
import { DEFAULT_HEAP_GROWING_PERCENT, MAX_HEAP_GROWING_PERCENT } from './heap';
import { DEFAULT_SQLITE_PATH, type StoreConfig } from './store/open';

/** The package root (where dtdl/ and seeds/ ship), whether running from src/ (tsx, jest) or dist/. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'a size such as 1mb, 512kb or 1048576')
  .transform((text) => {
    const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text)!;
    const unit = (m[2] ?? 'b').toLowerCase();
    return Math.round(Number(m[1]) * { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit as 'b']!);
  });

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `a whole number from ${min} to ${max}`);

const duration = z
  .string()
  .regex(/^\d+\s*(s|m|h|d)$/i, 'a duration such as 90s, 30m, 12h or 7d')
  .transform((text) => {
    const m = /^(\d+)\s*(s|m|h|d)$/i.exec(text)!;
    return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2].toLowerCase() as 's'];
  });

/** The feature plugins there are (TWINGRAPH_PLUGINS), each one of src/'s feature folders. */
export const PLUGINS = ['analytics', 'mirror', 'devices'] as const;
export type PluginName = (typeof PLUGINS)[number];

const plugins = z.string().transform((text, context): PluginName[] => {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(PLUGINS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    context.issues.push({
      code: 'custom',
      input: text,
      message: `a comma-separated list of plugins, each one of ${PLUGINS.join(', ')} (not ${unknown.map((n) => `'${n}'`).join(', ')})`,
    });
    return z.NEVER;
  }
  return [...new Set(names)] as PluginName[];
});

/** Browser origins such as https://app.example.com or http://localhost:5173: scheme, host and port, nothing else. */
const origins = z.string().transform((text, context): string[] => {
  const list = text
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  const bad = list.filter((o) => {
    try {
      const url = new URL(o);
      return url.origin !== o || !/^https?:$/.test(url.protocol);
    } catch {
      return true;
    }
  });
  if (bad.length > 0) {
    context.issues.push({
      code: 'custom',
      input: text,
      message: `a comma-separated list of origins such as https://app.example.com or http://localhost:5173 (scheme, host and port; no path or trailing slash): not ${bad.map((o) => `'${o}'`).join(', ')}`,
    });
    return z.NEVER;
  }
  return [...new Set(list)];
});

/** The URI schemes the Neo4j driver takes: routing or direct, plain or encrypted. */
const NEO4J_URI = /^(neo4j|neo4j\+s|neo4j\+ssc|bolt|bolt\+s|bolt\+ssc):\/\/[^\s]+$/;

/**
 * The store's variables: Neo4j when NEO4J_URI is set (with NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE),
 * otherwise SQLite at TWINGRAPH_DB, with TWINGRAPH_SQLITE_SYNCHRONOUS=FULL for power-loss durability. Their
 * messages are whole sentences naming the variable, as they were when the store read them itself.
 */
const STORE = z.object({
  TWINGRAPH_DB: z.string().trim().optional(),
  TWINGRAPH_SQLITE_SYNCHRONOUS: z
    .string()
    .trim()
    .refine((mode) => /^(NORMAL|FULL)$/i.test(mode), {
      error: (issue) => `TWINGRAPH_SQLITE_SYNCHRONOUS must be NORMAL or FULL; got '${String(issue.input)}'.`,
    })
    .transform((mode) => mode.toUpperCase() as 'NORMAL' | 'FULL')
    .optional(),
  // Only spaces count as unset, as an empty value does.
  NEO4J_URI: z
    .string()
    .trim()
    .refine((uri) => uri === '' || NEO4J_URI.test(uri), {
      error: (issue) =>
        `NEO4J_URI must be a neo4j:// or bolt:// URI (for example neo4j://localhost:7687); got '${String(issue.input)}'.`,
    })
    .optional(),
  NEO4J_USER: z.string().optional(),
  NEO4J_PASSWORD: z.string().optional(),
  NEO4J_DATABASE: z.string().optional(),
});

const ENV = z.object({
  // The devices feature's TWINGRAPH_MQTT_* variables, kept beside the code that reads them.
  ...DEVICES_ENV.shape,
  PORT: integer(0, 65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TWINGRAPH_DTDL_DIR: z.string().min(1).default(path.join(PACKAGE_ROOT, 'dtdl')),
  TWINGRAPH_SEEDS_DIR: z.string().min(1).default(path.join(PACKAGE_ROOT, 'seeds')),
  /**
   * What an empty store gets at start: `demo`, the models in dtdl/ and the demo firm of seeds/ (the default);
   * `models`, the models only; `none`, nothing.
   */
  TWINGRAPH_SEED: z.enum(['demo', 'models', 'none']).default('demo'),
  /** The feature plugins to turn on, comma-separated; empty for none. */
  TWINGRAPH_PLUGINS: plugins.default([...PLUGINS]),
  /** The hour the demo data ends at (ISO 8601, a whole hour in UTC); default: the current hour. */
  TWINGRAPH_SEED_AS_OF: z.iso
    .datetime({ offset: true })
    .transform((text) => Date.parse(text))
    .refine((t) => t % 3_600_000 === 0, 'a whole hour, such as 2026-11-25T00:00:00Z')
    .optional(),
  TWINGRAPH_MAX_DEPTH: integer(1, 100).default(12),
  TWINGRAPH_MAX_ALIASES: integer(1, 1000).default(50),
  TWINGRAPH_MAX_BODY: bytes.default(1024 * 1024),
  /** Subscriptions one WebSocket connection may hold at once; one more is refused with LimitExceeded. */
  TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET: integer(1, 100_000).default(100),
  /** Browser origins (other than the server's own) allowed to call the API, over HTTP (CORS) and WebSocket. */
  TWINGRAPH_CORS_ORIGINS: origins.default([]),
  /**
   * Host names a server without authentication answers to, besides localhost and IP addresses (see
   * api/host-check.ts: DNS rebinding); `*` for any.
   */
  TWINGRAPH_ALLOWED_HOSTS: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== ''),
    )
    .default([]),
  /**
   * How far a subscriber may lag behind the newest change before it is cut off (it resumes with since). A
   * client that does not read stops its own delivery (graphql-ws waits for each message to be flushed), so
   * lag, not a send buffer, is what grows: bounded here, nothing else accumulates in the server.
   */
  TWINGRAPH_MAX_SUBSCRIBER_LAG: integer(100, 10_000_000).default(10_000),
  /** The Azure Digital Twins instance to mirror to (https://…); http:// for a local test server. Unset: no mirror. */
  ADT_ENDPOINT: z
    .url({
      protocol: /^https?$/,
      error:
        'an https:// URL such as https://<name>.api.<region>.digitaltwins.azure.net (http:// only for a local test server)',
    })
    .optional(),
  /** ADT's documented rate limits per second (requests of models, creates and deletes, patches; writes per twin). */
  ADT_RATE_MODELS: integer(1, 100_000).default(100),
  ADT_RATE_CREATE_DELETE: integer(1, 100_000).default(500),
  ADT_RATE_PATCH: integer(1, 100_000).default(1000),
  /** ADT allows 10 writes a second per twin, not adjustable: lower only. */
  ADT_RATE_PER_TWIN: integer(1, 10).default(10),
  /** How long a request to ADT may take before it counts as failed (and is retried), ms. */
  ADT_REQUEST_TIMEOUT_MS: integer(100, 600_000).default(30_000),
  /** Mirror requests in flight at once: ADT's 1,000 patches a second at 100 ms a round trip need 100. */
  ADT_CONCURRENCY: integer(1, 1000).default(128),
  /** How long the mirror lets a burst of changes gather before sending them (coalesced per twin), ms. */
  ADT_COALESCE_MS: integer(0, 60_000).default(50),
  /** Backoff of retried changes: exponential from the base, with jitter (half of it random), up to the cap (ms); Retry-After wins when longer. */
  ADT_RETRY_BASE_MS: integer(1, 3_600_000).default(500),
  ADT_RETRY_MAX_MS: integer(1, 3_600_000).default(60_000),
  /** How long claimed changes stay with a mirror process before another (or the same, restarted after a crash) takes them again, ms. */
  ADT_LEASE_MS: integer(1000, 3_600_000).default(60_000),
  /**
   * Of the replicas sharing a store, one mirrors at a time (ADT's rate limits are the instance's); if it dies,
   * another takes over this long after its last renewal, ms. It stops sending a fifth of this before then.
   */
  ADT_ACTIVE_LEASE_MS: integer(2000, 600_000).default(10_000),
  TWINGRAPH_CHANGE_RETENTION: duration.default(7 * 86_400_000),
  /**
   * Whether callers must show who they are: `required`, or `off` (everyone may do everything). Unset: off
   * only while the server listens on a loopback address.
   */
  TWINGRAPH_AUTH: z.enum(['required', 'off']).optional(),
  /** Where the token issuer publishes its signing keys (OIDC's jwks_uri), fetched and cached. */
  TWINGRAPH_JWT_JWKS_URL: z.url({ protocol: /^https?$/, error: 'an https:// URL of a JSON Web Key Set' }).optional(),
  /** The tokens' public key instead: PEM text, or the path of a PEM file. */
  TWINGRAPH_JWT_PUBLIC_KEY: z.string().min(1).optional(),
  TWINGRAPH_JWT_ISSUER: z.string().min(1).optional(),
  TWINGRAPH_JWT_AUDIENCE: z.string().min(1).optional(),
  /** The claim holding the caller's roles (Entra ID puts app roles in `roles`). */
  TWINGRAPH_JWT_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** The claim limiting a caller to twins of some models (with their subtypes). */
  TWINGRAPH_JWT_MODELS_CLAIM: z.string().min(1).default('twingraph_models'),
  TWINGRAPH_INTROSPECTION: z.stringbool().default(true),
  TWINGRAPH_GRAPHIQL: z.stringbool().default(true),
  /** The most an operation may cost, estimated before it runs (nodes it may return plus expensive fields). */
  TWINGRAPH_MAX_COST: integer(1, 1_000_000_000_000).default(200_000),
  /** Cost points one identity may spend a minute (0: no limit). */
  TWINGRAPH_RATE_LIMIT: integer(0, 1_000_000_000).default(1_000_000),
  /** How long one operation may run, ms. */
  TWINGRAPH_OPERATION_TIMEOUT_MS: integer(100, 3_600_000).default(30_000),
  /** The largest response one operation may produce. */
  TWINGRAPH_MAX_RESPONSE: bytes.default(32 * 1024 * 1024),
  /**
   * Worker threads for forecasts and failure risks, so that they do not hold up the event loop (0: on it).
   * Default: the cores but one, at most 4.
   */
  TWINGRAPH_PREDICTION_THREADS: integer(0, 64).default(Math.max(1, Math.min(4, os.availableParallelism() - 1))),
  /**
   * How far V8's old generation may grow past what the last full collection kept, in % (src/heap.ts): 100
   * keeps the resident size after a load 30 to 60 MB lower than V8's own factor (up to 4×, which 0 leaves);
   * lower values save more memory for more full collections. A `--heap-growing-percent` given to node wins.
   * Only checked here (a wrong value stops the start, naming it): the process's entry point reads and applies it
   * before it compiles anything (bin/twingraph.js, heapGrowingPercentOf), so no part of Config carries it.
   */
  TWINGRAPH_HEAP_GROWING_PERCENT: integer(0, MAX_HEAP_GROWING_PERCENT).default(DEFAULT_HEAP_GROWING_PERCENT),
  /**
   * How often this replica asks the store whether other replicas have committed changes, ms (0: never; a
   * single Twingraph on its store needs no polling, but it costs one cheap read).
   */
  TWINGRAPH_LOG_POLL_MS: integer(0, 60_000).default(500),
  /** NATS for commit announcements between replicas (nats://host:4222): changes reach them in milliseconds. */
  TWINGRAPH_NATS_URL: z
    .string()
    .regex(/^nats:\/\/[^\s]+$/, 'a NATS URL such as nats://127.0.0.1:4222 (credentials as nats://user:pass@host:4222)')
    .optional(),
  /** The NATS subject commits are announced on: one per store, when deployments share a NATS. */
  TWINGRAPH_NATS_SUBJECT: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a NATS subject such as twingraph.commits')
    .default('twingraph.commits'),
  /** /readyz says not ready while this replica's feed is more than this many changes behind the log. */
  TWINGRAPH_READY_MAX_LAG: integer(0, 100_000_000).default(10_000),
  /** WebSocket connections one identity may hold at once. */
  TWINGRAPH_MAX_SOCKETS_PER_IDENTITY: integer(1, 100_000).default(50),
  TWINGRAPH_CHANGE_KEEP_LAST: integer(0, 1_000_000_000).default(100_000),
});

/** Variables whose empty value says something (no plugins, an empty Neo4j password), rather than counting as unset. */
const EMPTY_IS_A_VALUE: ReadonlySet<string> = new Set(['TWINGRAPH_PLUGINS', 'NEO4J_USER', 'NEO4J_PASSWORD']);

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: z.infer<typeof ENV>['LOG_LEVEL'];
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
function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv,
): { data: z.infer<S> | undefined; problems: string[] } {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([k, v]) => k in schema.shape && v !== undefined && (v !== '' || EMPTY_IS_A_VALUE.has(k)),
    ),
  );
  // Without zod's compiled fast path for objects: it builds and compiles a parser of the whole schema (a
  // 47 KB function, kept for the process's life) to parse the environment once; interpreted, the same checks
  // take a fifth of the time (about 1.5 ms instead of 5 to 13 at a start).
  const parsed = schema.safeParse(present, { jitless: true });
  if (parsed.success) return { data: parsed.data, problems: [] };
  return {
    data: undefined,
    problems: parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0]);
      // A message that names its variable is a whole sentence already.
      if (issue.message.startsWith(`${variable} `)) return issue.message;
      // zod words its own messages "Invalid input: expected …" and (enums) "Invalid option: expected one of …".
      return `${variable}=${JSON.stringify(env[variable])}: expected ${issue.message.replace(/^Invalid (?:input|option): (?:expected )?/, '')}`;
    }),
  };
}

function configError(problems: readonly string[]): ConfigError {
  return new ConfigError(`Twingraph cannot start: the configuration is wrong.\n  ${problems.join('\n  ')}`);
}

function storeConfigOf(e: z.infer<typeof STORE>): StoreConfig {
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
