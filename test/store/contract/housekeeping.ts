/** Housekeeping: property indexes, counts, readiness, and what a closed store does. */
import type { TwinStore } from '../../../src/store/port';
import type { TwinQuery } from '../../../src/store/query';
import { expectCode, ids, M, rel, seedModels, twinInput, useStore, type OpenStore } from '../../support/store-fixtures';

export function housekeepingContract(open: OpenStore): void {
  describe('housekeeping', () => {
    const h = useStore(open);

    it('names its kind', () => {
      expect(typeof h.store.kind).toBe('string');
      expect(h.store.kind.length).toBeGreaterThan(0);
    });

    it('answers ping while open', async () => {
      await expect(h.store.ping()).resolves.toBeUndefined();
    });

    it('ensurePropertyIndexes is idempotent and does not change what queries return', async () => {
      await seedModels(h.store);
      await h.store.createTwins(
        Array.from({ length: 30 }, (_, i) => ({
          id: `t${String(i).padStart(2, '0')}`,
          twin: twinInput(M.room, {
            ...(i % 4 !== 0 && { area: (i * 7) % 11 }),
            address: { city: ['Oslo', 'Bergen', 'Tromsø'][i % 3] },
            active: i % 2 === 0,
          }),
        })),
      );
      const queries: TwinQuery[] = [
        { where: { path: ['area'], op: 'gte', value: 5 }, orderBy: [{ path: ['area'], direction: 'desc' }] },
        {
          where: { path: ['address', 'city'], op: 'startsWith', value: 'B' },
          orderBy: [
            { path: ['address', 'city'], direction: 'asc' },
            { path: ['area'], direction: 'asc' },
          ],
        },
        {
          where: { path: ['active'], op: 'eq', value: true },
          orderBy: [{ path: ['area'], direction: 'asc' }],
          first: 4,
        },
        { where: { path: ['area'], op: 'exists', value: false } },
      ];
      const before = await Promise.all(queries.map(async (q) => ids(await h.store.queryTwins(q))));
      const paths = [['area'], ['address', 'city'], ['active'], ['$dtId'], ['zones', 'zone-1'], ['zones', '2nd']];
      await h.store.ensurePropertyIndexes(paths);
      await h.store.ensurePropertyIndexes(paths);
      await h.store.ensurePropertyIndexes([['area']]);
      const after = await Promise.all(queries.map(async (q) => ids(await h.store.queryTwins(q))));
      expect(after).toEqual(before);
      expect(before[0].length).toBeGreaterThan(0);
    });

    it('refuses to index a path that is not a property path with InvalidArgument', async () => {
      await expectCode(h.store.ensurePropertyIndexes([['bad name']]), 'InvalidArgument');
      await expectCode(h.store.ensurePropertyIndexes([['area', "x'); DROP TABLE twins; --"]]), 'InvalidArgument');
    });

    it('counts models, twins, relationships, metric points and change-log entries', async () => {
      expect(await h.store.counts()).toEqual({ models: 0, twins: 0, relationships: 0, metricPoints: 0, changes: 0 });
      await seedModels(h.store);
      await h.store.createTwins(['a', 'b', 'c'].map((id) => ({ id, twin: twinInput(M.room) })));
      await h.store.putRelationship('a', 'a-b', rel('b', 'next'));
      await h.store.putRelationship('b', 'b-c', rel('c', 'next'));
      await h.store.appendMetrics([
        { twinId: 'a', name: 't', time: '2024-05-01T10:00:00Z', value: 1 },
        { twinId: 'a', name: 't', time: '2024-05-01T10:01:00Z', value: 2 },
        { twinId: 'b', name: 'u', time: '2024-05-01T10:00:00Z', value: 3 },
      ]);
      const latest = await h.store.latestSeq();
      expect(await h.store.counts()).toEqual({
        models: 7,
        twins: 3,
        relationships: 2,
        metricPoints: 3,
        changes: latest,
      });
      await h.store.deleteTwin('b', { cascade: true });
      expect(await h.store.counts()).toMatchObject({ twins: 2, relationships: 0, metricPoints: 2 });
    });

    it('closes: every operation afterwards rejects with StoreUnavailable, and closing again is harmless', async () => {
      await seedModels(h.store);
      await h.store.createTwin('a', twinInput(M.room));
      const store: TwinStore = h.store;
      await store.close();
      await store.close();
      const series = { twinId: 'a', name: 't' };
      const calls: [string, () => Promise<unknown>][] = [
        ['putModels', () => store.putModels([])],
        ['listModels', () => store.listModels()],
        ['getModel', () => store.getModel(M.room)],
        ['decommissionModel', () => store.decommissionModel(M.room)],
        ['deleteModel', () => store.deleteModel(M.sensor)],
        ['getTwin', () => store.getTwin('a')],
        ['getTwins', () => store.getTwins(['a'])],
        ['createTwin', () => store.createTwin('b', twinInput(M.room))],
        ['createTwins', () => store.createTwins([{ id: 'b', twin: twinInput(M.room) }])],
        ['replaceTwin', () => store.replaceTwin('a', twinInput(M.room))],
        ['patchTwin', () => store.patchTwin('a', [{ op: 'add', path: '/x', value: 1 }])],
        ['deleteTwin', () => store.deleteTwin('a')],
        ['getRelationship', () => store.getRelationship('a', 'r')],
        ['putRelationship', () => store.putRelationship('a', 'r', rel('b', 'next'))],
        [
          'putRelationships',
          () => store.putRelationships([{ sourceId: 'a', relationshipId: 'r', relationship: rel('b', 'next') }]),
        ],
        ['patchRelationship', () => store.patchRelationship('a', 'r', [{ op: 'add', path: '/x', value: 1 }])],
        ['deleteRelationship', () => store.deleteRelationship('a', 'r')],
        ['listRelationships', () => store.listRelationships('a')],
        ['listIncomingRelationships', () => store.listIncomingRelationships('a')],
        ['queryTwins', () => store.queryTwins({})],
        ['traverse', () => store.traverse({ from: { ofModel: M.room }, hops: [{ direction: 'out' }] })],
        ['neighbors', () => store.neighbors({ ids: ['a'], hop: { direction: 'out' }, first: 1 })],
        ['appendMetrics', () => store.appendMetrics([{ ...series, time: '2024-05-01T10:00:00Z', value: 1 }])],
        ['readMetrics', () => store.readMetrics(series)],
        [
          'aggregateMetrics',
          () => store.aggregateMetrics({ series: [series], from: '2024-05-01T10:00:00Z', to: '2024-05-01T11:00:00Z' }),
        ],
        ['latestMetrics', () => store.latestMetrics([series])],
        ['readChanges', () => store.readChanges({ after: 0 })],
        ['latestSeq', () => store.latestSeq()],
        ['firstSeq', () => store.firstSeq()],
        ['pruneChanges', () => store.pruneChanges({ keepLast: 0 })],
        ['claimOutbox', () => store.claimOutbox({ limit: 1, leaseMs: 1000 })],
        ['renewOutbox', () => store.renewOutbox([1], 1000)],
        ['ackOutbox', () => store.ackOutbox([1])],
        ['failOutbox', () => store.failOutbox(1, { error: 'x' })],
        ['outboxStats', () => store.outboxStats()],
        ['listDeadLetters', () => store.listDeadLetters()],
        ['retryDeadLetters', () => store.retryDeadLetters()],
        ['dropDeadLetters', () => store.dropDeadLetters()],
        ['ensurePropertyIndexes', () => store.ensurePropertyIndexes([['area']])],
        ['counts', () => store.counts()],
        ['ping', () => store.ping()],
      ];
      const outcomes = await Promise.all(
        calls.map(async ([name, call]) => {
          try {
            await call();
            return `${name}: resolved`;
          } catch (error) {
            return `${name}: ${(error as { code?: string }).code ?? String(error)}`;
          }
        }),
      );
      expect(outcomes).toEqual(calls.map(([name]) => `${name}: StoreUnavailable`));
    });
  });
}
