/**
 * Operation cost, estimated before anything runs: every GraphQL query the README shows passes the default
 * limit; nested, aliased and fragment-spread bombs are refused with QUERY_TOO_COSTLY and
 * `extensions.cost: { estimated, limit }`, in milliseconds and without a store read; identified callers
 * spend cost points from a budget a minute, and are told when to retry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, type OperationDefinitionNode } from 'graphql';
import { PACKAGE_ROOT } from '../../src/config';
import { fragmentsOf } from '../../src/api/authorize';
import { estimateCost } from '../../src/api/cost';
import { OperationLimits } from '../../src/api/operation-limits';
import { TestApp, useTestApp, waitUntil } from '../support/api-harness';
import { bearer, createKey, gqlAs } from '../support/auth';
import { cpuStopwatch } from '../support/cpu-time';

const t = useTestApp();

const costOf = (query: string, variables?: Record<string, unknown>): number => {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return estimateCost(t.app.services.models.current.schema, operation, fragmentsOf(document.definitions), variables);
};

const NESTED = (n: number) =>
  `{ clients(first: ${n}) { nodes { hasEngagement(first: ${n}) { nodes { covers(first: ${n}) { nodes { id } } } } } } }`;

describe('the estimate', () => {
  it('counts the objects a query may return, multiplying nested pages', () => {
    expect(costOf('{ twin(id: "x") { id } }')).toBe(1);
    // A connection counts one per parent, and its page as many as it asks: 1 + 10 clients, 10 + 100
    // engagements, 100 + 1,000 assets.
    expect(costOf(NESTED(10))).toBe(1 + 10 + 10 + 100 + 100 + 1000);
    expect(costOf(NESTED(10))).toBeLessThan(costOf(NESTED(20)));
  });

  it('reads page sizes from variables, and takes the default page size when none is asked', () => {
    const query = 'query($n: Int) { clients(first: $n) { nodes { id } } }';
    expect(costOf(query, { n: 7 })).toBe(1 + 7);
    expect(costOf('{ clients { nodes { id } } }')).toBe(1 + 100);
  });

  it('counts what a fragment asks where it is spread, aliases each time', () => {
    const spread = `{ a: clients(first: 10) { ...F } b: clients(first: 10) { ...F } } fragment F on ClientConnection { nodes { id } }`;
    expect(costOf(spread)).toBe(2 * (1 + 10));
  });

  it('counts telemetry windows from the range and the window length, and points from first/last (1,000 by default)', () => {
    const series = (selection: string) =>
      costOf(`{ twin(id: "d") { ... on Device { temperature { ${selection} } } } }`);
    const base = series('latest { value }') - 1;
    expect(
      series('aggregate(from: "2024-05-01T00:00:00Z", to: "2024-05-02T00:00:00Z", window: "PT1H") { avg }') - base,
    ).toBe(24);
    expect(series('aggregate(from: "2024-05-01T00:00:00Z", to: "2024-05-02T00:00:00Z") { avg }') - base).toBe(1);
    expect(series('points(last: 50) { value }') - base).toBe(50);
    expect(series('points(from: "2024-05-01T00:00:00Z") { value }') - base).toBe(1000);
  });

  it('weighs forecasts by their declared cost, per series asked', () => {
    const plain = costOf('{ devices(first: 10) { nodes { temperature { latest { value } } } } }');
    const forecasts = costOf(
      '{ devices(first: 10) { nodes { temperature { forecast(horizon: 24) { points { time } } } } } }',
    );
    expect(forecasts - plain).toBeGreaterThanOrEqual(10 * 1000);
  });

  it('lets every GraphQL query of the README through the default limit', () => {
    const readme = fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(5);
    for (const block of blocks) expect({ block, cost: costOf(block) }).toEqual({ block, cost: expect.any(Number) });
    const limit = t.config.access.maxCost;
    const over = blocks.filter((b) => costOf(b) > limit);
    expect(over).toEqual([]);
  });
});

describe('the limit', () => {
  it.each([
    [
      'four nested connections of 1,000',
      `{ clients(first: 1000) { nodes { hasEngagement(first: 1000) { nodes { covers(first: 1000) { nodes { id } } } } } } }`,
    ],
    [
      'aliases of a large page',
      `{ ${Array.from({ length: 45 }, (_, i) => `a${i}: clients(first: 1000) { nodes { hasEngagement(first: 100) { nodes { id } } } }`).join(' ')} }`,
    ],
    [
      'a fragment spread in many places',
      `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: clients(first: 100) { ...F }`).join(' ')} } fragment F on ClientConnection { nodes { hasEngagement(first: 100) { nodes { id } } } }`,
    ],
    [
      'a page of forecasts',
      `{ devices(first: 1000) { nodes { temperature { forecast(horizon: 24) { points { time } } } } } }`,
    ],
  ])('refuses %s with QUERY_TOO_COSTLY, fast, before any store read', async (_what, query) => {
    const reads = t.instrumented.total;
    // The CPU this process (client and server) spent on it, which a busy machine does not stretch as it does
    // the wall clock.
    const cpu = cpuStopwatch();
    const response = await t.gql(query);
    const elapsed = cpu();
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([
      expect.objectContaining({
        extensions: {
          code: 'QUERY_TOO_COSTLY',
          cost: { estimated: expect.any(Number), limit: t.config.access.maxCost },
        },
      }),
    ]);
    expect((response.errors![0].extensions as any).cost.estimated).toBeGreaterThan(t.config.access.maxCost);
    expect(t.instrumented.total).toBe(reads);
    expect(elapsed).toBeLessThan(1000);
  });

  it('refuses a costly subscription over WebSocket too', async () => {
    const received = await t.subscribe(
      `subscription { twinChanged { twin { ... on Client { hasEngagement(first: 1000) { nodes { covers(first: 1000) { nodes { hasEngagement: id } } } } } } } }`,
    );
    expect(received.errors[0]).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COSTLY' }) }),
    ]);
  });
});

describe('the budget a minute', () => {
  it('refuses an identified caller who has spent it with RATE_LIMITED and Retry-After, and refills with time', () => {
    let now = 0;
    const limits = new OperationLimits({ maxCost: 1000, ratePerMinute: 600 }, () => now);
    const schema = t.app.services.models.current.schema;
    const document = parse('{ clients(first: 199) { nodes { id } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const partner = { name: 'partner', via: 'key', role: 'reader' } as const;
    const run = () => limits.check(schema, operation, {}, undefined, partner);
    expect([run(), run(), run()]).toEqual([undefined, undefined, undefined]);
    const refused = run()!;
    expect(refused.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 20 });
    now += 20_000;
    expect(run()).toBeUndefined();
    // Someone else has their own budget; nobody is counted when authentication is off.
    expect(limits.check(schema, operation, {}, undefined, { ...partner, name: 'other' })).toBeUndefined();
  });

  it('answers 429 with Retry-After over HTTP', async () => {
    const app = useTestAppInline();
    await app.start();
    try {
      const key = await createKey(app.store, { name: 'busy', role: 'reader' });
      const first = await gqlAs(app.url, bearer(key), '{ clients(first: 80) { nodes { id } } }');
      expect(first.errors).toBeUndefined();
      const second = await gqlAs(app.url, bearer(key), '{ clients(first: 80) { nodes { id } } }');
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(second.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    } finally {
      await app.close();
    }
  });
});

function useTestAppInline(): TestApp {
  return new TestApp({ env: { TWINGRAPH_AUTH: 'required', TWINGRAPH_RATE_LIMIT: '100' } });
}

describe('time and size', () => {
  it('refuses the reads an operation would make after its deadline with OPERATION_TIMEOUT, answering what it has', async () => {
    const app = new TestApp({ env: { TWINGRAPH_OPERATION_TIMEOUT_MS: '200' } });
    await app.start();
    try {
      await app.ok(
        `mutation { createTwin(id: "c1", modelId: "dtmi:twingraph:demo:Client;1", properties: { name: "C" }) { id } }`,
      );
      const held = app.instrumented.hold('queryTwins');
      const answer = app.gql('{ clients(first: 1) { nodes { id hasEngagement(first: 1) { nodes { id } } } } }');
      await waitUntil(() => held.waiting() > 0, 'the query reads');
      await new Promise((resolve) => setTimeout(resolve, 300));
      held.release();
      const { errors } = await answer;
      expect(errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'OPERATION_TIMEOUT' }) }),
      ]);
    } finally {
      await app.close();
    }
  });

  it('replaces an answer heavier than TWINGRAPH_MAX_RESPONSE with RESPONSE_TOO_LARGE (413)', async () => {
    const app = new TestApp({ env: { TWINGRAPH_MAX_RESPONSE: '1kb' } });
    await app.start();
    try {
      const response = await app.gql('{ models { id displayName description } }');
      expect(response.status).toBe(413);
      expect(response.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE', size: expect.any(Number), limit: 1024 } }),
      ]);
    } finally {
      await app.close();
    }
  });
});
