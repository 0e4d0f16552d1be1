/**
 * When two subscribers may share an execution (src/api/shared-execution.ts): exactly when its inputs are equal
 * (schema, document, operation, variables, role, scope, and how the identity was established), whoever the
 * identity is; a root field's `since` is not an input, so resuming subscribers share with live ones; anything
 * the key cannot judge (values a JSON message cannot carry, custom resolvers) is never shared.
 */
import { buildSchema, execute, parse, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { Identity } from '../../src/access/identity';
import { sharedExecution } from '../../src/api/shared-execution';

const sdl = `
  type Query { ok: Boolean }
  type Change { seq: Int, subject: String, near(since: Int): Int }
  type Subscription { twinChanged(twinIds: [ID!], since: Int): Change }
`;
const schema = buildSchema(sdl);
const partner: Identity = { name: 'partner-a', via: 'key', role: 'reader', expiresAt: Date.now() + 60_000 };

function args(
  query: string,
  variableValues?: Record<string, unknown>,
  operationName?: string,
  on = schema,
): ExecutionArgs {
  return { schema: on, document: parse(query), variableValues, operationName };
}

function keyOf(
  query: string,
  variables?: Record<string, unknown>,
  identity: Identity = partner,
  operationName?: string,
  on?: GraphQLSchema,
): string {
  const shared = sharedExecution(args(query, variables, operationName, on), identity);
  if (!shared) throw new Error('not shareable');
  return shared.key;
}

const base = 'subscription { twinChanged(twinIds: ["a"]) { seq } }';

describe('subscribers share an execution', () => {
  it('whatever the spacing, comments and order of variables, and whoever they are within a role and scope', () => {
    expect(keyOf('subscription{twinChanged(twinIds:["a"]){seq}} # a comment')).toBe(keyOf(base));
    const withVars =
      'subscription ($ids: [ID!], $x: Boolean!) { twinChanged(twinIds: $ids) { seq subject @skip(if: $x) } }';
    expect(keyOf(withVars, { ids: ['a', 'b'], x: false })).toBe(keyOf(withVars, { x: false, ids: ['a', 'b'] }));
    const other: Identity = { name: 'partner-b', via: 'key', role: 'reader' };
    expect(keyOf(base, {}, other)).toBe(keyOf(base));
    const scopedA: Identity = { name: 'a', via: 'key', role: 'reader', models: ['m2', 'm1'] };
    const scopedB: Identity = { name: 'b', via: 'token', role: 'reader', models: ['m1', 'm2', 'm1'] };
    expect(keyOf(base, {}, scopedA)).toBe(keyOf(base, {}, { ...scopedB, via: 'key' }));
  });

  it("whatever their root field's since: a literal, a variable, a required variable, or none", () => {
    const live = keyOf(base);
    expect(keyOf('subscription { twinChanged(twinIds: ["a"], since: 12) { seq } }')).toBe(live);
    expect(
      keyOf('subscription ($since: Int) { twinChanged(twinIds: ["a"], since: $since) { seq } }', { since: 3 }),
    ).toBe(live);
    const required = 'subscription ($since: Int!) { twinChanged(twinIds: ["a"], since: $since) { seq } }';
    expect(keyOf(required, { since: 7 })).toBe(live);
    // The required variable goes with the argument: the shared document runs without it.
    const shared = sharedExecution(args(required, { since: 7 }), partner)!;
    expect(shared.variableValues).toEqual({});
    const result = execute({ ...shared, rootValue: { twinChanged: { seq: 1 } } });
    expect(result).toEqual({ data: { twinChanged: { seq: 1 } } });
  });

  it('and run it as their role and scope, with nothing else of theirs', () => {
    const shared = sharedExecution(args(base), { ...partner, models: ['m2', 'm1', 'm2'] })!;
    expect(shared.identity).toEqual({ name: 'subscription group', via: 'key', role: 'reader', models: ['m1', 'm2'] });
    expect(Object.isFrozen(shared.identity)).toBe(true);
  });
});

describe('subscribers do not share an execution', () => {
  it('with other variables, operations, documents or schemas', () => {
    const q = 'subscription ($ids: [ID!]) { twinChanged(twinIds: $ids) { seq } }';
    expect(keyOf(q, { ids: ['a', 'b'] })).not.toBe(keyOf(q, { ids: ['b', 'a'] }));
    expect(keyOf(q, { ids: null })).not.toBe(keyOf(q, {}));
    expect(keyOf(q, { ids: [] })).not.toBe(keyOf(q, {}));
    const two = 'subscription A { twinChanged { seq } } subscription B { twinChanged { seq subject } }';
    expect(keyOf(two, {}, partner, 'A')).not.toBe(keyOf(two, {}, partner, 'B'));
    expect(keyOf('subscription { twinChanged(twinIds: ["a"]) { seq subject } }')).not.toBe(keyOf(base));
    expect(keyOf(base, {}, partner, undefined, buildSchema(sdl))).not.toBe(keyOf(base));
  });

  it('with another role, scope or way of identifying', () => {
    const keys = [
      keyOf(base),
      keyOf(base, {}, { ...partner, role: 'writer' }),
      keyOf(base, {}, { ...partner, role: undefined }),
      keyOf(base, {}, { ...partner, models: ['m1'] }),
      keyOf(base, {}, { ...partner, models: ['m1', 'm2'] }),
      keyOf(base, {}, { ...partner, models: [] }),
      keyOf(base, {}, { ...partner, via: 'token' }),
      keyOf(base, {}, { name: 'anonymous', via: 'open', role: 'reader' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('with another since when the root field is inside a fragment, or a since variable that is used elsewhere too', () => {
    const fragment = 'subscription { ...F } fragment F on Subscription { twinChanged(since: 1) { seq } }';
    expect(keyOf(fragment)).not.toBe(keyOf(fragment.replace('since: 1', 'since: 2')));
    const reused = 'subscription ($s: Int) { twinChanged(since: $s) { seq near(since: $s) } }';
    expect(keyOf(reused, { s: 1 })).not.toBe(keyOf(reused, { s: 2 }));
    expect(sharedExecution(args(reused, { s: 1 }), partner)!.variableValues).toEqual({ s: 1 });
  });

  it('that carries what a JSON message cannot, or custom resolvers', () => {
    const q = 'subscription ($ids: [ID!]) { twinChanged(twinIds: $ids) { seq } }';
    expect(sharedExecution(args(q, { ids: [new Date()] }), partner)).toBeUndefined();
    expect(sharedExecution(args(q, { ids: [Number.NaN] }), partner)).toBeUndefined();
    expect(sharedExecution({ ...args(q), fieldResolver: () => null }, partner)).toBeUndefined();
    expect(sharedExecution(args('query { ok }'), partner)).toBeUndefined();
    expect(keyOf(q, { ids: [0] })).not.toBe(keyOf(q, { ids: [-0] }));
  });
});
