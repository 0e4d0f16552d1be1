/**
 * Configuration from the environment (src/config.ts): defaults when nothing is set, sizes and durations in
 * readable units, and a ConfigError that names every variable that is wrong, what it holds and what it
 * should hold.
 */
import path from 'node:path';
import { ConfigError, loadConfig, PACKAGE_ROOT } from '../../src/config';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('defaults', () => {
  it('with nothing set', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      logLevel: 'info',
      store: { kind: 'sqlite', path: './data/twingraph.db' },
      dtdlDir: path.join(PACKAGE_ROOT, 'dtdl'),
      seedsDir: path.join(PACKAGE_ROOT, 'seeds'),
      seed: 'demo',
      seedAsOf: undefined,
      plugins: ['analytics', 'mirror', 'devices'],
      limits: {
        maxDepth: 12,
        maxAliases: 50,
        maxBodyBytes: 1024 * 1024,
        maxSubscriberLag: 10_000,
        streamStallMs: 30_000,
        maxSubscriptionsPerSocket: 100,
      },
      changeRetention: { olderThanMs: 7 * 86_400_000, keepLast: 100_000 },
      corsOrigins: [],
      allowedHosts: [],
      replication: { pollMs: 500, natsSubject: 'twingraph.commits', readyMaxLag: 10_000 },
      predictionThreads: expect.any(Number),
      // The devices feature's variables are the feature's own tests' business (test/devices).
      devices: expect.objectContaining({ url: undefined }),
      access: {
        auth: 'off',
        authExplicit: false,
        introspection: true,
        graphiql: true,
        maxCost: 200_000,
        ratePerMinute: 1_000_000,
        operationTimeoutMs: 30_000,
        maxResponseBytes: 32 * 1024 * 1024,
        maxSocketsPerIdentity: 50,
      },
    });
  });

  it('an empty variable counts as unset, and other variables are ignored', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '', HOME: '/root', PATH: '/bin' })).toMatchObject({
      port: 4000,
      logLevel: 'info',
    });
  });
});

describe('values', () => {
  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'silent',
      TWINGRAPH_DB: '/tmp/x.db',
      TWINGRAPH_SQLITE_SYNCHRONOUS: 'full',
      TWINGRAPH_DTDL_DIR: '/models',
      TWINGRAPH_SEEDS_DIR: '/seeds',
      TWINGRAPH_SEED: 'none',
      TWINGRAPH_SEED_AS_OF: '2026-11-25T01:00:00+01:00',
      TWINGRAPH_PLUGINS: 'mirror',
      TWINGRAPH_MAX_DEPTH: '20',
      TWINGRAPH_MAX_ALIASES: '5',
      TWINGRAPH_MAX_BODY: '512kb',
      TWINGRAPH_MAX_SUBSCRIBER_LAG: '500',
      TWINGRAPH_STREAM_STALL_MS: '5000',
      TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET: '7',
      TWINGRAPH_CORS_ORIGINS: 'http://localhost:5173, https://app.example.com,http://localhost:5173',
      TWINGRAPH_ALLOWED_HOSTS: 'Twins.Example.com, other.example,',
      TWINGRAPH_CHANGE_RETENTION: '12h',
      TWINGRAPH_CHANGE_KEEP_LAST: '0',
      TWINGRAPH_AUTH: 'required',
      TWINGRAPH_JWT_JWKS_URL: 'https://login.example.com/keys',
      TWINGRAPH_JWT_ISSUER: 'https://login.example.com/',
      TWINGRAPH_JWT_AUDIENCE: 'api://twingraph',
      TWINGRAPH_JWT_ROLES_CLAIM: 'groups',
      TWINGRAPH_JWT_MODELS_CLAIM: 'models',
      TWINGRAPH_INTROSPECTION: 'false',
      TWINGRAPH_GRAPHIQL: '0',
      TWINGRAPH_MAX_COST: '1000',
      TWINGRAPH_RATE_LIMIT: '0',
      TWINGRAPH_OPERATION_TIMEOUT_MS: '5000',
      TWINGRAPH_MAX_RESPONSE: '1mb',
      TWINGRAPH_MAX_SOCKETS_PER_IDENTITY: '3',
      TWINGRAPH_PREDICTION_THREADS: '0',
      TWINGRAPH_HEAP_GROWING_PERCENT: '0',
      TWINGRAPH_LOG_POLL_MS: '100',
      TWINGRAPH_NATS_URL: 'nats://user:secret@bus:4222',
      TWINGRAPH_NATS_SUBJECT: 'plant1.commits',
      TWINGRAPH_READY_MAX_LAG: '50',
    });
    expect(config).toEqual({
      port: 0,
      host: '0.0.0.0',
      logLevel: 'silent',
      store: { kind: 'sqlite', path: '/tmp/x.db', synchronous: 'FULL' },
      dtdlDir: '/models',
      seedsDir: '/seeds',
      seed: 'none',
      seedAsOf: Date.parse('2026-11-25T00:00:00Z'),
      plugins: ['mirror'],
      limits: {
        maxDepth: 20,
        maxAliases: 5,
        maxBodyBytes: 512 * 1024,
        maxSubscriberLag: 500,
        streamStallMs: 5000,
        maxSubscriptionsPerSocket: 7,
      },
      changeRetention: { olderThanMs: 12 * 3_600_000, keepLast: 0 },
      corsOrigins: ['http://localhost:5173', 'https://app.example.com'],
      allowedHosts: ['twins.example.com', 'other.example'],
      replication: {
        pollMs: 100,
        natsUrl: 'nats://user:secret@bus:4222',
        natsSubject: 'plant1.commits',
        readyMaxLag: 50,
      },
      predictionThreads: 0,
      devices: expect.objectContaining({ url: undefined }),
      access: {
        auth: 'required',
        authExplicit: true,
        jwt: {
          jwksUrl: 'https://login.example.com/keys',
          issuer: 'https://login.example.com/',
          audience: 'api://twingraph',
          rolesClaim: 'groups',
          modelsClaim: 'models',
        },
        introspection: false,
        graphiql: false,
        maxCost: 1000,
        ratePerMinute: 0,
        operationTimeoutMs: 5000,
        maxResponseBytes: 1024 * 1024,
        maxSocketsPerIdentity: 3,
      },
    });
  });

  it.each([
    ['1048576', 1048576],
    ['100b', 100],
    ['1.5kb', 1536],
    ['2 MB', 2 * 1024 * 1024],
    ['1gb', 1024 ** 3],
  ])('TWINGRAPH_MAX_BODY=%s is %d bytes', (text, bytes) => {
    expect(loadConfig({ TWINGRAPH_MAX_BODY: text }).limits.maxBodyBytes).toBe(bytes);
  });

  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['7d', 7 * 86_400_000],
  ])('TWINGRAPH_CHANGE_RETENTION=%s is %d ms', (text, ms) => {
    expect(loadConfig({ TWINGRAPH_CHANGE_RETENTION: text }).changeRetention.olderThanMs).toBe(ms);
  });

  it.each([
    ['analytics,mirror', ['analytics', 'mirror']],
    ['mirror, analytics', ['mirror', 'analytics']],
    ['analytics,,analytics', ['analytics']],
    ['', []],
    [' ', []],
  ])('TWINGRAPH_PLUGINS=%j turns on %j (empty: none)', (text, plugins) => {
    expect(loadConfig({ TWINGRAPH_PLUGINS: text }).plugins).toEqual(plugins);
  });

  it('NEO4J_URI selects Neo4j, with its credentials', () => {
    expect(
      loadConfig({
        NEO4J_URI: 'neo4j://db:7687',
        NEO4J_USER: 'neo4j',
        NEO4J_PASSWORD: 'secret',
        NEO4J_DATABASE: 'twins',
      }).store,
    ).toEqual({
      kind: 'neo4j',
      uri: 'neo4j://db:7687',
      user: 'neo4j',
      password: 'secret',
      database: 'twins',
    });
  });
});

describe('a wrong value is a ConfigError naming the variable', () => {
  it.each([
    ['PORT', 'http', /PORT="http": expected a whole number/],
    ['PORT', '70000', /PORT="70000": expected a whole number from 0 to 65535/],
    ['PORT', '-1', /PORT="-1"/],
    [
      'LOG_LEVEL',
      'loud',
      /LOG_LEVEL="loud": expected one of "fatal"\|"error"\|"warn"\|"info"\|"debug"\|"trace"\|"silent"$/m,
    ],
    ['TWINGRAPH_MAX_BODY', 'lots', /TWINGRAPH_MAX_BODY="lots": expected a size such as 1mb, 512kb or 1048576/],
    ['TWINGRAPH_MAX_BODY', '10tb', /TWINGRAPH_MAX_BODY="10tb"/],
    ['TWINGRAPH_MAX_DEPTH', '0', /TWINGRAPH_MAX_DEPTH="0": expected a whole number from 1 to 100/],
    ['TWINGRAPH_HEAP_GROWING_PERCENT', '1.5', /TWINGRAPH_HEAP_GROWING_PERCENT="1.5": expected a whole number/],
    ['TWINGRAPH_MAX_ALIASES', '2.5', /TWINGRAPH_MAX_ALIASES="2.5": expected a whole number/],
    [
      'TWINGRAPH_MAX_SUBSCRIBER_LAG',
      '10',
      /TWINGRAPH_MAX_SUBSCRIBER_LAG="10": expected a whole number from 100 to 10000000/,
    ],
    ['TWINGRAPH_SEED', 'sometimes', /TWINGRAPH_SEED="sometimes": expected one of "demo"\|"models"\|"none"$/m],
    [
      'TWINGRAPH_SEED_AS_OF',
      'yesterday',
      /TWINGRAPH_SEED_AS_OF="yesterday": expected an ISO 8601 date and time with Z or an offset, such as 2026-11-25T00:00:00Z/,
    ],
    [
      'TWINGRAPH_SEED_AS_OF',
      '2026-11-25T10:30:00Z',
      /TWINGRAPH_SEED_AS_OF="2026-11-25T10:30:00Z": expected a whole hour, such as 2026-11-25T00:00:00Z/,
    ],
    [
      'TWINGRAPH_CHANGE_RETENTION',
      'a week',
      /TWINGRAPH_CHANGE_RETENTION="a week": expected a duration such as 90s, 30m, 12h or 7d/,
    ],
    [
      'TWINGRAPH_PLUGINS',
      'analytics,drones',
      /TWINGRAPH_PLUGINS="analytics,drones": expected a comma-separated list of plugins, each one of analytics, mirror, devices \(not 'drones'\)$/m,
    ],
    [
      'TWINGRAPH_CORS_ORIGINS',
      'https://app.example.com/, localhost:5173',
      /TWINGRAPH_CORS_ORIGINS=.*expected a comma-separated list of origins .* not 'https:\/\/app.example.com\/', 'localhost:5173'/,
    ],
    ['TWINGRAPH_SQLITE_SYNCHRONOUS', 'OFF', /TWINGRAPH_SQLITE_SYNCHRONOUS must be NORMAL or FULL; got 'OFF'/],
    ['NEO4J_URI', 'http://db:7474', /NEO4J_URI must be a neo4j:\/\/ or bolt:\/\/ URI/],
  ])('%s=%s', (variable, value, message) => {
    const error = configError({ [variable]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(/^Twingraph cannot start: the configuration is wrong\./);
    expect(error.message).toMatch(message);
  });

  it('refuses an ADT endpoint without the mirror plugin, which alone reads the outbox', () => {
    const error = configError({
      ADT_ENDPOINT: 'https://x.api.weu.digitaltwins.azure.net',
      TWINGRAPH_PLUGINS: 'analytics',
    });
    expect(error.message).toMatch(/ADT_ENDPOINT=.*expected TWINGRAPH_PLUGINS to include mirror \(it is "analytics"\)/);
    const config = loadConfig({ ADT_ENDPOINT: 'https://x.api.weu.digitaltwins.azure.net' });
    expect(config.store.outbox).toBe(true);
    expect(loadConfig({}).store.outbox).toBeUndefined();
  });

  it('refuses a lease no longer than a request to ADT', () => {
    expect(
      configError({
        ADT_ENDPOINT: 'https://x.api.weu.digitaltwins.azure.net',
        ADT_LEASE_MS: '5000',
        ADT_REQUEST_TIMEOUT_MS: '5000',
      }).message,
    ).toMatch(/ADT_LEASE_MS=5000: expected more than ADT_REQUEST_TIMEOUT_MS \(5000\)/);
  });

  it('lists every wrong variable at once', () => {
    const error = configError({
      PORT: 'x',
      LOG_LEVEL: 'y',
      TWINGRAPH_MAX_BODY: 'z',
      TWINGRAPH_SQLITE_SYNCHRONOUS: 'w',
    });
    const lines = error.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    expect(lines).toEqual([
      expect.stringMatching(/^PORT="x"/),
      expect.stringMatching(/^LOG_LEVEL="y"/),
      expect.stringMatching(/^TWINGRAPH_MAX_BODY="z"/),
      expect.stringMatching(/^TWINGRAPH_SQLITE_SYNCHRONOUS/),
    ]);
  });
});
