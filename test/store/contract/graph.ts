/** traverse (multi-hop, filtered, distinct, paged) and neighbors (per-twin pages of related twins), on the site graph. */
import type { Filter, Hop, Traversal } from '../../../src/store/query';
import { expectCode, ids, M, SITE, seedSite, sorted, useStore, type OpenStore } from '../../support/store-fixtures';

const id = (value: string): Filter => ({ path: ['$dtId'], op: 'eq', value });

export function graphContract(open: OpenStore): void {
  describe('traverse', () => {
    const h = useStore(open);
    beforeEach(() => seedSite(h.store));

    const reach = async (traversal: Traversal): Promise<string[]> => sorted(ids(await h.store.traverse(traversal)));

    it('follows three outgoing hops, keeping at each hop the twins that match its where', async () => {
      const hops: Hop[] = [
        { direction: 'out', names: ['hasFloor'] },
        { direction: 'out', names: ['hasRoom'], where: { path: ['area'], op: 'gte', value: 20 } },
        { direction: 'out', names: ['hasSensor'] },
      ];
      expect(await reach({ from: id('b1'), hops })).toEqual(['s2', 's3']);
      expect(await reach({ from: id('b1'), hops: hops.slice(0, 2) })).toEqual(['r2', 'r3']);
      expect(await reach({ from: id('b2'), hops })).toEqual([]);
    });

    it("filters each hop's relationships with edge", async () => {
      const hops: Hop[] = [
        { direction: 'out', names: ['hasFloor'], edge: { path: ['order'], op: 'eq', value: 1 } },
        { direction: 'out', names: ['hasRoom'] },
        { direction: 'out', names: ['hasSensor'], edge: { path: ['since'], op: 'gte', value: '2024-02-01' } },
      ];
      expect(await reach({ from: id('b1'), hops })).toEqual(['s3']);
    });

    it('follows incoming relationships, and mixes directions', async () => {
      const up: Hop[] = [
        { direction: 'in', names: ['hasSensor'] },
        { direction: 'in', names: ['hasRoom'] },
        { direction: 'in', names: ['hasFloor'] },
      ];
      expect(await reach({ from: { path: ['kind'], op: 'eq', value: 'co2' }, hops: up })).toEqual(['b1']);
      // s1 ← r1 ← f1, f2 → rooms of those floors.
      const around: Hop[] = [
        { direction: 'in', names: ['hasSensor'] },
        { direction: 'in', names: ['hasRoom'] },
        { direction: 'out', names: ['hasRoom'] },
      ];
      expect(await reach({ from: id('s1'), hops: around })).toEqual(['r1', 'r2', 'r3']);
    });

    it('returns each twin reached once, however many paths lead to it', async () => {
      const page = await h.store.traverse({
        from: { ofModel: M.building },
        hops: [
          { direction: 'out', names: ['hasFloor'] },
          { direction: 'out', names: ['hasRoom'] },
        ],
      });
      expect(ids(page)).toEqual(['r1', 'r2', 'r3']);
      const sensors = await h.store.traverse({
        from: { ofModel: M.room },
        hops: [{ direction: 'out' }],
        totalCount: true,
      });
      expect(ids(sensors)).toEqual(['s1', 's2', 's3']);
      expect(sensors.totalCount).toBe(3);
    });

    it('filters the twins reached with where, and orders and pages them like a query', async () => {
      const traversal: Traversal = {
        from: { ofModel: M.building },
        hops: [
          { direction: 'out', names: ['hasFloor'] },
          { direction: 'out', names: ['hasRoom'] },
        ],
        orderBy: [{ path: ['area'], direction: 'desc' }],
      };
      expect(ids(await h.store.traverse({ ...traversal, where: { path: ['area'], op: 'lt', value: 30 } }))).toEqual([
        'r2',
        'r1',
      ]);
      const first = await h.store.traverse({ ...traversal, first: 2, totalCount: true });
      expect(ids(first)).toEqual(['r3', 'r2']);
      expect(first.totalCount).toBe(3);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const second = await h.store.traverse({ ...traversal, first: 2, after: first.pageInfo.endCursor! });
      expect(ids(second)).toEqual(['r1']);
      expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      const back = await h.store.traverse({ ...traversal, last: 2, before: second.pageInfo.startCursor! });
      expect(ids(back)).toEqual(['r3', 'r2']);
    });

    it('refuses a traversal without hops, or with a bad hop, with InvalidArgument', async () => {
      await expectCode(h.store.traverse({ from: id('b1'), hops: [] }), 'InvalidArgument');
      await expectCode(h.store.traverse({ from: id('b1'), hops: [{ direction: 'up' as never }] }), 'InvalidArgument');
      await expectCode(
        h.store.traverse({ from: id('b1'), hops: [{ direction: 'out', names: ['has floor'] }] }),
        'InvalidArgument',
      );
      await expectCode(
        h.store.traverse({ from: { path: ['bad name'], op: 'eq', value: 1 }, hops: [{ direction: 'out' }] }),
        'InvalidArgument',
      );
    });
  });

  describe('neighbors', () => {
    const h = useStore(open);
    beforeEach(() => seedSite(h.store));

    /** Each list as `twin via relationship`. */
    const summary = (lists: { twin: { $dtId: string }; relationship: { $relationshipId: string } }[][]): string[][] =>
      lists.map((list) => list.map((n) => `${n.twin.$dtId} via ${n.relationship.$relationshipId}`));

    it('returns, for each id in order, the related twins with the relationship leading to each, ordered by $dtId', async () => {
      const lists = await h.store.neighbors({
        ids: ['f1', 'f3', 'f2'],
        hop: { direction: 'out', names: ['hasRoom'] },
        first: 10,
      });
      expect(summary(lists)).toEqual([['r1 via f1-r1', 'r2 via f1-r2'], [], ['r1 via f2-r1', 'r3 via f2-r3']]);
      expect(lists[0][1].twin).toEqual(await h.store.getTwin('r2'));
      expect(lists[0][1].relationship).toEqual(await h.store.getRelationship('f1', 'f1-r2'));
    });

    it('gives the same twins in the same order to a hop of twins alone (withRelationships: false), relationships or not', async () => {
      const hop = { direction: 'out', names: ['hasRoom'] } as const;
      const ids = ['f1', 'f3', 'f2', 'b1'];
      const twinsOf = (lists: { twin: { $dtId: string } }[][]) => lists.map((list) => list.map((n) => n.twin));
      const full = await h.store.neighbors({ ids, hop, first: 10 });
      const alone = await h.store.neighbors({ ids, hop: { ...hop, withRelationships: false }, first: 10 });
      expect(twinsOf(alone)).toEqual(twinsOf(full));
      expect(twinsOf(alone)[0].map((t) => t.$dtId)).toEqual(['r1', 'r2']);
      // An adapter may spare reading them; one that read them gives the right ones.
      alone.flat().forEach((n, i) => {
        if (n.relationship !== undefined) expect(n.relationship).toEqual(full.flat()[i].relationship);
      });
    });

    it('returns at most first per id', async () => {
      const lists = await h.store.neighbors({
        ids: ['f1', 'f2'],
        hop: { direction: 'out', names: ['hasRoom'] },
        first: 1,
      });
      expect(summary(lists)).toEqual([['r1 via f1-r1'], ['r1 via f2-r1']]);
      const none = await h.store.neighbors({ ids: ['f1', 'f2'], hop: { direction: 'out' }, first: 0 });
      expect(none).toEqual([[], []]);
    });

    it('orders each list with orderBy before taking first', async () => {
      const lists = await h.store.neighbors({
        ids: ['f1', 'f2'],
        hop: { direction: 'out', names: ['hasRoom'] },
        orderBy: [{ path: ['area'], direction: 'desc' }],
        first: 1,
      });
      expect(summary(lists)).toEqual([['r2 via f1-r2'], ['r3 via f2-r3']]);
    });

    it('follows incoming relationships, of any name when none is given', async () => {
      expect(
        summary(
          await h.store.neighbors({ ids: ['s3', 's1'], hop: { direction: 'in', names: ['hasSensor'] }, first: 10 }),
        ),
      ).toEqual([['r2 via r2-s3', 'r3 via r3-s3'], ['r1 via r1-s1']]);
      expect(summary(await h.store.neighbors({ ids: ['s1'], hop: { direction: 'in' }, first: 10 }))).toEqual([
        ['r1 via r1-s1', 'r2 via r2-s1'],
      ]);
    });

    it("filters with the hop's where and edge", async () => {
      const edge = await h.store.neighbors({
        ids: ['r2', 'r3'],
        hop: { direction: 'out', names: ['hasSensor'], edge: { path: ['since'], op: 'gte', value: '2024-03-01' } },
        first: 10,
      });
      expect(summary(edge)).toEqual([['s3 via r2-s3'], ['s3 via r3-s3']]);
      const where = await h.store.neighbors({
        ids: ['r2', 'r3'],
        hop: { direction: 'out', where: { path: ['kind'], op: 'eq', value: 'co2' } },
        first: 10,
      });
      expect(summary(where)).toEqual([[], ['s2 via r3-s2']]);
    });

    it('gives an empty list for ids without related twins, unknown ids included, and keeps repeated ids', async () => {
      const lists = await h.store.neighbors({ ids: ['nope', 'r4', 'b2', 'b2'], hop: { direction: 'out' }, first: 5 });
      expect(summary(lists)).toEqual([[], [], ['f3 via b2-f3'], ['f3 via b2-f3']]);
      expect(await h.store.neighbors({ ids: [], hop: { direction: 'out' }, first: 5 })).toEqual([]);
    });

    it('refuses first over 1000 or a bad hop with InvalidArgument', async () => {
      await expectCode(h.store.neighbors({ ids: ['b1'], hop: { direction: 'out' }, first: 1001 }), 'InvalidArgument');
      await expectCode(
        h.store.neighbors({ ids: ['b1'], hop: { direction: 'sideways' as never }, first: 1 }),
        'InvalidArgument',
      );
      await expectCode(
        h.store.neighbors({
          ids: ['b1'],
          hop: { direction: 'out', where: { path: ['no way'], op: 'eq', value: 1 } },
          first: 1,
        }),
        'InvalidArgument',
      );
    });

    it('sees every relationship of the site graph from both ends', async () => {
      const sources = [...new Set(SITE.relationships.map(([source]) => source))];
      const out = await h.store.neighbors({ ids: sources, hop: { direction: 'out' }, first: 100 });
      const pairs = out.flatMap((list, i) =>
        list.map((n) => `${sources[i]}/${n.relationship.$relationshipId}→${n.twin.$dtId}`),
      );
      expect(sorted(pairs)).toEqual(
        sorted(SITE.relationships.map(([source, rid, r]) => `${source}/${rid}→${r.$targetId}`)),
      );
    });
  });

  describe('neighborCounts', () => {
    const h = useStore(open);
    beforeEach(() => seedSite(h.store));

    it('counts, for each id in order, the related twins that neighbors would list, however many there are', async () => {
      const ids = ['f1', 'f3', 'f2', 'nope'];
      const hop: Hop = { direction: 'out', names: ['hasRoom'] };
      expect(await h.store.neighborCounts(ids, hop)).toEqual([2, 0, 2, 0]);
      const lists = await h.store.neighbors({ ids, hop, first: 1000 });
      expect(lists.map((l) => l.length)).toEqual([2, 0, 2, 0]);
    });

    it("applies the hop's direction, names, where and edge", async () => {
      expect(await h.store.neighborCounts(['s1', 's3'], { direction: 'in' })).toEqual([2, 2]);
      expect(
        await h.store.neighborCounts(['r2', 'r3'], {
          direction: 'out',
          where: { path: ['kind'], op: 'eq', value: 'temp' },
        }),
      ).toEqual([2, 1]);
      expect(
        await h.store.neighborCounts(['r2', 'r3'], {
          direction: 'out',
          edge: { path: ['since'], op: 'gte', value: '2024-03-01' },
        }),
      ).toEqual([1, 1]);
      expect(await h.store.neighborCounts(['b1', 'b1'], { direction: 'out' })).toEqual([2, 2]);
    });

    it('refuses a bad hop with InvalidArgument', async () => {
      await expectCode(h.store.neighborCounts(['b1'], { direction: 'sideways' as never }), 'InvalidArgument');
    });
  });
}
