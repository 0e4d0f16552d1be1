/**
 * The batch mutations for integrations and imports — patchTwins, upsertTwins, upsertRelationships — over
 * HTTP, as a client uses them. A batch is one transaction: every item is written as its single write would be
 * (validated against its model, its own ifMatch / ifNoneMatch, its own change-log entry), or, when any item
 * is refused, nothing is, and the one error lists every refused item by index with its own ADT code. Batches
 * are bounded (1,000 items), cost what they write, need the writer role, and stay inside an identity's scope.
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { estimateCost } from '../../src/api/cost';
import type { ChangeEntry } from '../../src/store/types';
import { M, TestApp, twinInput, useTestApp, type GqlError } from '../support/api-harness';
import { bearer, createKey, gqlAs } from '../support/auth';

const PATCH = `mutation($ops: [TwinPatchInput!]!) { patchTwins(operations: $ops) { id etag ... on Engagement { title budget } } }`;
const UPSERT = `mutation($twins: [TwinUpsertInput!]!) { upsertTwins(twins: $twins) { id etag modelId json } }`;
const UPSERT_RELATIONSHIPS = `mutation($rels: [RelationshipUpsertInput!]!) {
  upsertRelationships(relationships: $rels) { id relationshipId name sourceId targetId etag properties }
}`;

interface ItemError {
  index: number;
  code: string;
  message: string;
  twinId?: string;
  relationshipId?: string;
  details?: { path: string; rule: string }[];
}

/** The refused items of a batch's one error, as `[index, code, twinId]`. */
function refused(errors: readonly GqlError[]): [number, string, string | undefined][] {
  expect(errors).toHaveLength(1);
  return (errors[0].extensions!.items as ItemError[]).map((i) => [i.index, i.code, i.twinId]);
}

const engagements = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({
    id: `eng-${from + i}`,
    modelId: M.engagement,
    properties: { title: `Engagement ${from + i}`, budget: 1000 + i, status: 'active' },
  }));

describe('batch writes', () => {
  const t = useTestApp();

  /** The twins' ETags and the change log's end: what a refused batch must leave as it was. */
  const state = async (ids: readonly string[]) => ({
    etags: (await t.store.getTwins(ids)).map((twin) => twin?.$etag),
    seq: await t.latestSeq(),
  });

  /** Runs a batch that must be refused whole, checks it left `ids` and the change log alone, returns its errors. */
  const refusedWhole = async (query: string, variables: Record<string, unknown>, ids: readonly string[]) => {
    const before = await state(ids);
    const errors = await t.fails(query, variables);
    expect(await state(ids)).toEqual(before);
    return errors;
  };

  beforeAll(async () => {
    await t.ok(UPSERT, { twins: engagements(20) });
  });

  describe('patchTwins', () => {
    it('patches every twin in one transaction, answering them in the order given with new ETags, one Twin.Update each', async () => {
      const before = await t.store.getTwins(['eng-3', 'eng-1', 'eng-2']);
      const seq = await t.latestSeq();
      const { patchTwins } = await t.ok(PATCH, {
        ops: [
          { id: 'eng-3', patch: [{ op: 'replace', path: '/budget', value: 3 }], ifMatch: before[0]!.$etag },
          { id: 'eng-1', patch: [{ op: 'replace', path: '/title', value: 'One' }] },
          { id: 'eng-2', patch: [{ op: 'add', path: '/spend', value: 2 }], ifMatch: '*' },
        ],
      });
      expect(patchTwins.map((p: { id: string; title: string; budget: number }) => [p.id, p.title, p.budget])).toEqual([
        ['eng-3', 'Engagement 3', 3],
        ['eng-1', 'One', 1001],
        ['eng-2', 'Engagement 2', 1002],
      ]);
      patchTwins.forEach((p: { etag: string }, i: number) => expect(p.etag).not.toBe(before[i]!.$etag));
      const changes = (await t.store.readChanges({ after: seq })) as ChangeEntry[];
      expect(changes.map((c) => [c.seq - seq, c.type, c.twinId, c.patch])).toEqual([
        [1, 'Twin.Update', 'eng-3', [{ op: 'replace', path: '/budget', value: 3 }]],
        [2, 'Twin.Update', 'eng-1', [{ op: 'replace', path: '/title', value: 'One' }]],
        [3, 'Twin.Update', 'eng-2', [{ op: 'add', path: '/spend', value: 2 }]],
      ]);
    });

    it('writes nothing when any item is refused, and names every refused item by index with its own code', async () => {
      const errors = await refusedWhole(
        PATCH,
        {
          ops: [
            { id: 'eng-4', patch: [{ op: 'replace', path: '/budget', value: 4 }] },
            { id: 'eng-5', patch: [{ op: 'replace', path: '/budget', value: 'lots' }] },
            { id: 'eng-6', patch: [{ op: 'replace', path: '/budget', value: 6 }], ifMatch: 'W/"stale"' },
            { id: 'nope', patch: [{ op: 'replace', path: '/budget', value: 7 }] },
            { id: 'eng-8', patch: [{ op: 'replace', path: '/nothing', value: 8 }] },
            { id: 'eng-9', patch: [{ op: 'replace', path: '/$metadata/$model', value: M.client }] },
          ],
        },
        ['eng-4', 'eng-5', 'eng-6', 'eng-8', 'eng-9'],
      );
      expect(refused(errors)).toEqual([
        [1, 'ValidationFailed', 'eng-5'],
        [2, 'PreconditionFailed', 'eng-6'],
        [3, 'DigitalTwinNotFound', 'nope'],
        [4, 'JsonPatchInvalid', 'eng-8'],
        [5, 'ValidationFailed', 'eng-9'],
      ]);
      const [error] = errors;
      // The batch's code is its first refused item's; the message says nothing was written and names the first few.
      expect(error.extensions).toMatchObject({ code: 'ValidationFailed', twinId: 'eng-5', failed: 5, total: 6 });
      expect(error.message).toMatch(/^Nothing was written: 5 of the 6 patches were refused\. item 1: Twin 'eng-5'/);
      const [invalid] = error.extensions!.items as ItemError[];
      expect(invalid.details).toEqual([expect.objectContaining({ path: '/budget', rule: 'type' })]);
    });

    it('refuses a twin named twice in one batch, naming both items, rather than guess which patch wins', async () => {
      const errors = await refusedWhole(
        PATCH,
        {
          ops: [
            { id: 'eng-10', patch: [{ op: 'replace', path: '/budget', value: 1 }] },
            { id: 'eng-11', patch: [{ op: 'replace', path: '/budget', value: 1 }] },
            { id: 'eng-10', patch: [{ op: 'replace', path: '/budget', value: 2 }] },
          ],
        },
        ['eng-10', 'eng-11'],
      );
      expect(refused(errors)).toEqual([[2, 'InvalidArgument', 'eng-10']]);
      expect(errors[0].message).toMatch(/appears twice in one batch \(items 0 and 2\)/);
    });

    it('takes an empty batch, writing nothing', async () => {
      const seq = await t.latestSeq();
      expect(await t.ok(PATCH, { ops: [] })).toEqual({ patchTwins: [] });
      expect(await t.latestSeq()).toBe(seq);
    });
  });

  describe('upsertTwins', () => {
    it("creates new twins and replaces existing ones (ADT's PUT), adding the components a body leaves out", async () => {
      const seq = await t.latestSeq();
      const { upsertTwins } = await t.ok(UPSERT, {
        twins: [
          { id: 'dev-1', modelId: M.device, properties: { deviceType: 'pump', capacity: 3 }, ifNoneMatch: true },
          { id: 'eng-12', modelId: M.engagement, properties: { title: 'Replaced' } },
        ],
      });
      expect(upsertTwins.map((u: { id: string; modelId: string }) => [u.id, u.modelId])).toEqual([
        ['dev-1', M.device],
        ['eng-12', M.engagement],
      ]);
      expect(upsertTwins[0].json).toMatchObject({ deviceType: 'pump', capacity: 3, diagnostics: { $metadata: {} } });
      // A replace is whole: the budget and status the body leaves out are gone.
      expect(upsertTwins[1].json).not.toHaveProperty('budget');
      const changes = await t.store.readChanges({ after: seq });
      expect(changes.map((c) => [c.type, c.twinId])).toEqual([
        ['Twin.Create', 'dev-1'],
        ['Twin.Update', 'eng-12'],
      ]);
    });

    it('checks every item before writing any: models, validation, conditions and shapes, each refusal by index', async () => {
      const current = (await t.store.getTwin('eng-13')).$etag;
      const errors = await refusedWhole(
        UPSERT,
        {
          twins: [
            { id: 'new-1', modelId: M.engagement, properties: { title: 'Fine' } },
            { id: 'new-2', modelId: 'dtmi:twingraph:demo:Nothing;1', properties: {} },
            { id: 'new-3', modelId: M.engagement, properties: { title: 3, colour: 'red' } },
            { id: 'eng-13', modelId: M.engagement, properties: {}, ifNoneMatch: true },
            { id: 'eng-14', modelId: M.engagement, properties: {}, ifMatch: current },
            { id: 'new-4', modelId: M.engagement, properties: {}, ifMatch: '*' },
            { id: 'new-5', modelId: M.engagement, properties: [1, 2] },
            { id: '', modelId: M.engagement },
          ],
        },
        ['new-1', 'eng-13', 'eng-14'],
      );
      expect(refused(errors)).toEqual([
        [1, 'ModelNotFound', 'new-2'],
        [2, 'ValidationFailed', 'new-3'],
        [3, 'PreconditionFailed', 'eng-13'],
        [4, 'PreconditionFailed', 'eng-14'],
        [5, 'DigitalTwinNotFound', 'new-4'],
        [6, 'ValidationFailed', 'new-5'],
        [7, 'InvalidArgument', undefined],
      ]);
      const items = errors[0].extensions!.items as ItemError[];
      expect(items[1].details!.map((d) => [d.path, d.rule]).sort()).toEqual([
        ['/colour', 'unknownProperty'],
        ['/title', 'type'],
      ]);
      expect(await t.store.getTwins(['new-1'])).toEqual([undefined]);
    });

    it('replaces a twin whose ifMatch holds', async () => {
      const current = await t.store.getTwin('eng-15');
      const { upsertTwins } = await t.ok(UPSERT, {
        twins: [{ id: 'eng-15', modelId: M.engagement, properties: { title: 'Kept' }, ifMatch: current.$etag }],
      });
      expect(upsertTwins[0].json.title).toBe('Kept');
    });
  });

  describe('upsertRelationships', () => {
    beforeAll(async () => {
      await t.ok(UPSERT, {
        twins: [
          { id: 'emp-1', modelId: M.employee, properties: { name: 'Eve' } },
          { id: 'client-1', modelId: M.client, properties: { name: 'Acme' } },
        ],
      });
    });

    it("creates relationships validated against both ends' models, with their properties and ETags", async () => {
      const { upsertRelationships } = await t.ok(UPSERT_RELATIONSHIPS, {
        rels: [
          { sourceId: 'eng-16', name: 'ledBy', targetId: 'emp-1', ifNoneMatch: true },
          {
            sourceId: 'client-1',
            id: 'c1-e16',
            name: 'hasEngagement',
            targetId: 'eng-16',
            properties: { since: '2024-01-01' },
          },
        ],
      });
      expect(upsertRelationships.map((r: Record<string, unknown>) => [r.relationshipId, r.name, r.properties])).toEqual(
        [
          ['eng-16-ledBy-emp-1', 'ledBy', {}],
          ['c1-e16', 'hasEngagement', { since: '2024-01-01' }],
        ],
      );
    });

    it('writes none when one is refused: a missing end, a name the model lacks, a target of the wrong model, a repeat', async () => {
      const before = await t.latestSeq();
      const errors = await t.fails(UPSERT_RELATIONSHIPS, {
        rels: [
          { sourceId: 'eng-17', name: 'ledBy', targetId: 'emp-1' },
          { sourceId: 'eng-17', name: 'ledBy', targetId: 'nobody' },
          { sourceId: 'nobody', name: 'ledBy', targetId: 'emp-1' },
          { sourceId: 'eng-17', name: 'likes', targetId: 'emp-1' },
          { sourceId: 'eng-17', name: 'ledBy', targetId: 'client-1', id: 'wrong-target' },
          { sourceId: 'eng-17', name: 'ledBy', targetId: 'eng-17' },
          { sourceId: 'eng-17', name: 'ledBy', targetId: 'emp-1', ifMatch: '*', id: 'not-there' },
          { sourceId: 'eng-17', name: 'ledBy', targetId: 'emp-1' },
        ],
      });
      expect(refused(errors)).toEqual([
        [1, 'TargetTwinNotFound', 'nobody'],
        [2, 'DigitalTwinNotFound', 'nobody'],
        [3, 'InvalidRelationship', 'eng-17'],
        [4, 'InvalidRelationship', 'eng-17'],
        [5, 'OperationNotAllowed', 'eng-17'],
        [6, 'RelationshipNotFound', 'eng-17'],
        [7, 'InvalidArgument', 'eng-17'],
      ]);
      expect(await t.latestSeq()).toBe(before);
      expect(await t.store.listRelationships('eng-17')).toEqual([]);
    });
  });

  describe('limits and hostile input', () => {
    it('refuses a batch of more than 1,000 items with LimitExceeded, writing nothing', async () => {
      const errors = await refusedWhole(UPSERT, { twins: engagements(1001, 5000) }, ['eng-5000']);
      expect(errors[0].extensions!.code).toBe('LimitExceeded');
      expect(errors[0].message).toMatch(/at most 1000 twins; this one has 1001/);
    });

    it('refuses a value nested deeper than 32 levels in the item that has it, writing nothing', async () => {
      let deep: unknown = 1;
      for (let i = 0; i < 40; i++) deep = { a: deep };
      const errors = await refusedWhole(
        PATCH,
        {
          ops: [
            { id: 'eng-18', patch: [{ op: 'replace', path: '/budget', value: 18 }] },
            { id: 'eng-19', patch: [{ op: 'add', path: '/spend', value: deep }] },
          ],
        },
        ['eng-18', 'eng-19'],
      );
      expect(refused(errors)).toEqual([[1, 'ValidationFailed', 'eng-19']]);
    });

    it('refuses an item larger than a twin may be (32 KB), writing nothing', async () => {
      const errors = await refusedWhole(
        UPSERT,
        {
          twins: [
            { id: 'big-0', modelId: M.engagement, properties: { title: 'small' } },
            { id: 'big-1', modelId: M.engagement, properties: { title: 'x'.repeat(40_000) } },
          ],
        },
        ['big-0'],
      );
      expect(refused(errors)[0][0]).toBe(1);
    });

    it('lists at most 100 refused items, counting them all', async () => {
      const twins = engagements(300, 9000).map((twin) => ({ ...twin, properties: { title: 0 } }));
      const [error] = await t.fails(UPSERT, { twins });
      expect((error.extensions!.items as unknown[]).length).toBe(100);
      expect(error.extensions).toMatchObject({ failed: 300, total: 300 });
      expect(error.message).toMatch(/…and 297 more/);
    });

    it('counts one object per item in the cost estimate, so a batch costs what it writes', () => {
      const schema = t.app.services.models.current.schema;
      const operation = parse(UPSERT).definitions[0] as OperationDefinitionNode;
      const cost = (n: number) => estimateCost(schema, operation, {}, { twins: engagements(n) });
      expect(cost(10)).toBe(10);
      expect(cost(1000)).toBe(1000);
    });
  });
});

describe('batch writes and identities', () => {
  let t: TestApp;
  let reader: string;
  let scoped: string;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_AUTH: 'required' } }).start();
    reader = bearer(await createKey(t.store, { name: 'viewer', role: 'reader' }));
    scoped = bearer(await createKey(t.store, { name: 'crm', role: 'writer', models: [M.client] }));
    await t.store.createTwins([
      { id: 'client-1', twin: twinInput(M.client, { name: 'Acme' }) },
      { id: 'client-2', twin: twinInput(M.client, { name: 'Globex' }) },
      { id: 'eng-1', twin: twinInput(M.engagement, { title: 'Audit' }) },
    ]);
  });
  afterAll(() => t?.close());

  it('needs the writer role: a reader is refused every batch mutation with FORBIDDEN, before anything runs', async () => {
    for (const [query, variables] of [
      [PATCH, { ops: [] }],
      [UPSERT, { twins: [] }],
      [UPSERT_RELATIONSHIPS, { rels: [] }],
    ] as const) {
      const response = await gqlAs(t.url, reader, query, variables);
      expect(response.status).toBe(403);
      expect(response.errors![0].extensions!.code).toBe('FORBIDDEN');
      expect(response.errors![0].message).toMatch(/needs the writer role/);
    }
  });

  it('refuses a scoped identity a batch that touches anything outside its models, naming those items, writing nothing', async () => {
    const before = await t.latestSeq();
    const patch = await gqlAs(t.url, scoped, PATCH.replace('... on Engagement { title budget }', ''), {
      ops: [
        { id: 'client-1', patch: [{ op: 'replace', path: '/name', value: 'A' }] },
        { id: 'eng-1', patch: [{ op: 'replace', path: '/title', value: 'B' }] },
      ],
    });
    expect(refused(patch.errors!)).toEqual([[1, 'FORBIDDEN', 'eng-1']]);
    expect(patch.errors![0].message).toMatch(/item 1: Forbidden: twin 'eng-1' is outside the models/);
    const upsert = await gqlAs(t.url, scoped, UPSERT, {
      twins: [
        { id: 'eng-2', modelId: M.engagement, properties: { title: 'C' } },
        { id: 'client-3', modelId: M.client, properties: { name: 'D' } },
        { id: 'eng-1', modelId: M.client, properties: { name: 'E' } },
      ],
    });
    expect(refused(upsert.errors!)).toEqual([
      [0, 'FORBIDDEN', 'eng-2'],
      [2, 'FORBIDDEN', 'eng-1'],
    ]);
    const relationships = await gqlAs(t.url, scoped, UPSERT_RELATIONSHIPS, {
      rels: [{ sourceId: 'client-1', name: 'hasEngagement', targetId: 'eng-1' }],
    });
    expect(refused(relationships.errors!)).toEqual([[0, 'FORBIDDEN', 'client-1']]);
    expect(await t.latestSeq()).toBe(before);
    expect((await t.store.getTwin('client-1')).name).toBe('Acme');
  });

  it('lets a scoped identity write a batch inside its models, recording it as the actor', async () => {
    const before = await t.latestSeq();
    const response = await gqlAs(t.url, scoped, UPSERT, {
      twins: [
        { id: 'client-1', modelId: M.client, properties: { name: 'Acme Bank' } },
        { id: 'client-4', modelId: M.client, properties: { name: 'Initech' } },
      ],
    });
    expect(response.errors).toBeUndefined();
    const changes = await t.store.readChanges({ after: before });
    expect(changes.map((c) => [c.type, c.twinId, c.actor])).toEqual([
      ['Twin.Update', 'client-1', 'crm'],
      ['Twin.Create', 'client-4', 'crm'],
    ]);
  });
});
