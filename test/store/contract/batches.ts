/**
 * Batched writes with conditions per item: `patchTwins` (several JSON Patches, each with its own ifMatch),
 * and the per-item `ifMatch` / `ifNoneMatch` of `createTwins` and `putRelationships`. A batch is one
 * transaction: every item is written as its single write would be, with its own change-log entry, or, when
 * any item is refused, nothing is.
 */
import type { JsonPatch, Twin } from '../../../src/store/types';
import {
  component,
  expectCode,
  expectRefused,
  M,
  rel,
  seedModels,
  twinInput,
  useStore,
  type OpenStore,
} from '../../support/store-fixtures';

export function batchesContract(open: OpenStore): void {
  describe('batched writes with conditions per item', () => {
    const h = useStore(open, { outbox: true });
    let a: Twin;
    let b: Twin;
    let created: string;

    beforeEach(async () => {
      await seedModels(h.store);
      created = h.clock.iso();
      [a, b] = await h.store.createTwins([
        { id: 'a', twin: twinInput(M.room, { name: 'A', area: 10, thermostat: component({ setpoint: 20 }) }) },
        { id: 'b', twin: twinInput(M.room, { name: 'B', area: 20 }) },
        { id: 'c', twin: twinInput(M.floor, { name: 'C' }) },
      ]);
      h.clock.advance(60_000);
    });

    describe('patchTwins', () => {
      it('applies each patch as patchTwin would, with one Twin.Update entry each, in the order given, as the actor', async () => {
        const seq = await h.store.latestSeq();
        const twins = await h.store.patchTwins(
          [
            { id: 'b', patch: [{ op: 'replace', path: '/area', value: 21 }] },
            { id: 'a', patch: [{ op: 'replace', path: '/thermostat/setpoint', value: 22 }], ifMatch: a.$etag },
          ],
          { actor: 'integration' },
        );
        expect(
          twins.map((t) => [t.$dtId, t.area, (t.thermostat as { setpoint?: number } | undefined)?.setpoint]),
        ).toEqual([
          ['b', 21, undefined],
          ['a', 10, 22],
        ]);
        expect(twins[0].$metadata.area).toEqual({ lastUpdateTime: h.clock.iso() });
        expect(twins[0].$metadata.name).toEqual({ lastUpdateTime: created });
        expect(twins[0].$etag).not.toBe(b.$etag);
        expect(await h.store.getTwins(['b', 'a'])).toEqual(twins);
        const entries = await h.store.readChanges({ after: seq });
        expect(entries.map((e) => [e.seq - seq, e.type, e.subject, e.actor, e.patch])).toEqual([
          [1, 'Twin.Update', 'b', 'integration', [{ op: 'replace', path: '/area', value: 21 }]],
          [2, 'Twin.Update', 'a', 'integration', [{ op: 'replace', path: '/thermostat/setpoint', value: 22 }]],
        ]);
        expect((await h.store.outboxStats()).pending).toBeGreaterThanOrEqual(2);
      });

      it('writes nothing when one item holds a stale ETag: PreconditionFailed names that twin', async () => {
        await expectRefused(
          h.store,
          ['a', 'b'],
          () =>
            h.store.patchTwins([
              { id: 'a', patch: [{ op: 'replace', path: '/area', value: 11 }], ifMatch: '*' },
              { id: 'b', patch: [{ op: 'replace', path: '/area', value: 22 }], ifMatch: a.$etag },
            ]),
          'PreconditionFailed',
          { twinId: 'b' },
        );
      });

      it.each([
        [
          'a twin that does not exist',
          'nope',
          [{ op: 'replace' as const, path: '/area', value: 1 }],
          'DigitalTwinNotFound',
        ],
        ['a path that does not exist', 'b', [{ op: 'replace' as const, path: '/nope', value: 1 }], 'JsonPatchInvalid'],
        ['a protected path', 'b', [{ op: 'replace' as const, path: '/$dtId', value: 'x' }], 'JsonPatchInvalid'],
        [
          'a model that does not exist',
          'b',
          [{ op: 'replace' as const, path: '/$metadata/$model', value: 'dtmi:test:Nope;1' }],
          'ModelNotFound',
        ],
      ] as const)('writes nothing when one item patches %s', async (_what, id, patch, code) => {
        await expectRefused(
          h.store,
          ['a', 'b'],
          () =>
            h.store.patchTwins([
              { id: 'a', patch: [{ op: 'replace', path: '/area', value: 11 }] },
              { id, patch: patch as unknown as JsonPatch },
            ]),
          code,
        );
      });

      it('refuses a batch that names a twin twice (InvalidArgument), writing nothing', async () => {
        await expectRefused(
          h.store,
          ['a'],
          () =>
            h.store.patchTwins([
              { id: 'a', patch: [{ op: 'replace', path: '/area', value: 11 }] },
              { id: 'a', patch: [{ op: 'replace', path: '/area', value: 12 }] },
            ]),
          'InvalidArgument',
          { twinId: 'a' },
        );
      });

      it('writes nothing and logs nothing for an empty batch', async () => {
        const seq = await h.store.latestSeq();
        expect(await h.store.patchTwins([])).toEqual([]);
        expect(await h.store.latestSeq()).toBe(seq);
      });
    });

    describe('createTwins with conditions per item', () => {
      it('creates an item with ifNoneMatch and replaces one whose ifMatch holds, in one write', async () => {
        const [d, replaced] = await h.store.createTwins([
          { id: 'd', twin: twinInput(M.room, { name: 'D' }), ifNoneMatch: '*' },
          { id: 'a', twin: twinInput(M.room, { name: 'A2' }), ifMatch: a.$etag },
        ]);
        expect(d.name).toBe('D');
        expect(replaced.name).toBe('A2');
        expect(replaced.area).toBeUndefined();
      });

      it.each([
        ['ifNoneMatch on a twin that exists', { id: 'b', ifNoneMatch: '*' as const }, 'PreconditionFailed'],
        ['a stale ifMatch', { id: 'b', ifMatch: 'W/"00000000-0000-0000-0000-000000000000"' }, 'PreconditionFailed'],
        ['ifMatch on a twin that does not exist', { id: 'nope', ifMatch: '*' }, 'DigitalTwinNotFound'],
      ] as const)('writes nothing when one item has %s', async (_what, item, code) => {
        await expectRefused(
          h.store,
          ['a', 'b', 'd', 'nope'],
          () =>
            h.store.createTwins([
              { id: 'd', twin: twinInput(M.room, { name: 'D' }) },
              { ...item, twin: twinInput(M.room, { name: 'X' }) },
            ]),
          code,
          { twinId: item.id },
        );
      });
    });

    describe('putRelationships with conditions per item', () => {
      it('honours each item’s ifNoneMatch and ifMatch, writing nothing when one fails', async () => {
        const [ab] = await h.store.putRelationships([
          { sourceId: 'a', relationshipId: 'ab', relationship: rel('b', 'next'), ifNoneMatch: '*' },
        ]);
        const replaced = await h.store.putRelationships([
          { sourceId: 'a', relationshipId: 'ab', relationship: rel('b', 'next', { w: 2 }), ifMatch: ab.$etag },
          { sourceId: 'b', relationshipId: 'ba', relationship: rel('a', 'next'), ifNoneMatch: '*' },
        ]);
        expect(replaced.map((r) => [r.$relationshipId, r.w])).toEqual([
          ['ab', 2],
          ['ba', undefined],
        ]);
        const seq = await h.store.latestSeq();
        await expectCode(
          h.store.putRelationships([
            { sourceId: 'c', relationshipId: 'ca', relationship: rel('a', 'next') },
            { sourceId: 'a', relationshipId: 'ab', relationship: rel('b', 'next'), ifMatch: ab.$etag },
          ]),
          'PreconditionFailed',
          { twinId: 'a', relationshipId: 'ab' },
        );
        await expectCode(
          h.store.putRelationships([
            { sourceId: 'c', relationshipId: 'ca', relationship: rel('a', 'next') },
            { sourceId: 'b', relationshipId: 'ba', relationship: rel('a', 'next'), ifNoneMatch: '*' },
          ]),
          'PreconditionFailed',
          { twinId: 'b', relationshipId: 'ba' },
        );
        await expectCode(
          h.store.putRelationships([
            { sourceId: 'c', relationshipId: 'none', relationship: rel('a', 'next'), ifMatch: '*' },
          ]),
          'RelationshipNotFound',
          { twinId: 'c', relationshipId: 'none' },
        );
        expect(await h.store.latestSeq()).toBe(seq);
        expect(await h.store.listRelationships('c')).toEqual([]);
      });
    });
  });
}
