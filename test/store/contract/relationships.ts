/** Relationships: ADT's shape, PUT (create or replace), get, JSON Patch, delete, and the outgoing and incoming lists. */
import {
  ETAG,
  expectCode,
  expectRefused,
  M,
  rel,
  seedModels,
  sorted,
  twinInput,
  useStore,
  type OpenStore,
} from '../../support/store-fixtures';

export function relationshipsContract(open: OpenStore): void {
  describe('relationships', () => {
    const h = useStore(open);
    beforeEach(async () => {
      await seedModels(h.store);
      await h.store.createTwins([
        { id: 'b', twin: twinInput(M.building) },
        { id: 'f1', twin: twinInput(M.floor) },
        { id: 'f2', twin: twinInput(M.floor) },
        { id: 'r', twin: twinInput(M.room) },
      ]);
    });

    /** The relationships of a twin as `id→target`, sorted. */
    const outgoing = async (id: string, name?: string): Promise<string[]> =>
      sorted(
        (await h.store.listRelationships(id, name === undefined ? {} : { name })).map(
          (r) => `${r.$relationshipId}→${r.$targetId}`,
        ),
      );

    describe('putRelationship', () => {
      it("creates a relationship and returns it in ADT's shape", async () => {
        const created = await h.store.putRelationship(
          'b',
          'b-f1',
          rel('f1', 'hasFloor', { order: 1, note: { by: 'me' } }),
        );
        expect(created).toEqual({
          $relationshipId: 'b-f1',
          $sourceId: 'b',
          $targetId: 'f1',
          $relationshipName: 'hasFloor',
          $etag: expect.stringMatching(ETAG),
          order: 1,
          note: { by: 'me' },
        });
        expect(await h.store.getRelationship('b', 'b-f1')).toEqual(created);
      });

      it('ignores $relationshipId, $sourceId and $etag in the body, and drops null properties', async () => {
        const created = await h.store.putRelationship('b', 'b-f1', {
          ...rel('f1', 'hasFloor', { order: null, kept: true }),
          $relationshipId: 'other',
          $sourceId: 'r',
          $etag: 'W/"x"',
        });
        expect(created).toMatchObject({ $relationshipId: 'b-f1', $sourceId: 'b', kept: true });
        expect(created).not.toHaveProperty('order');
        expect(created.$etag).toMatch(ETAG);
        expect(await h.store.listRelationships('r')).toEqual([]);
      });

      it('says DigitalTwinNotFound when the source twin does not exist', async () => {
        await expectRefused(
          h.store,
          [],
          () => h.store.putRelationship('nope', 'x', rel('f1', 'hasFloor')),
          'DigitalTwinNotFound',
          { twinId: 'nope' },
        );
      });

      it('says TargetTwinNotFound when the target twin does not exist', async () => {
        await expectRefused(
          h.store,
          [],
          () => h.store.putRelationship('b', 'x', rel('nope', 'hasFloor')),
          'TargetTwinNotFound',
          { twinId: 'nope', relationshipId: 'x' },
        );
      });

      it('refuses a relationship from a twin to itself with OperationNotAllowed', async () => {
        await expectRefused(
          h.store,
          [],
          () => h.store.putRelationship('b', 'x', rel('b', 'hasFloor')),
          'OperationNotAllowed',
          { twinId: 'b', relationshipId: 'x' },
        );
      });

      it.each([
        ['no $targetId', { $relationshipName: 'hasFloor' }],
        ['an empty $targetId', { $targetId: '', $relationshipName: 'hasFloor' }],
        ['no $relationshipName', { $targetId: 'f1' }],
        ['a $relationshipName with a space', { $targetId: 'f1', $relationshipName: 'has floor' }],
        ['a $relationshipName starting with $', { $targetId: 'f1', $relationshipName: '$hasFloor' }],
        ['an empty $relationshipName', { $targetId: 'f1', $relationshipName: '' }],
        ['an unknown $-field', { $targetId: 'f1', $relationshipName: 'hasFloor', $foo: 1 }],
        ['a body that is not an object', 'f1'],
      ])('refuses %s with InvalidRelationship', async (_, body) => {
        await expectRefused(h.store, [], () => h.store.putRelationship('b', 'x', body as never), 'InvalidRelationship');
      });

      it.each([[''], ['bad\u0000id']])('refuses the relationship id %j with InvalidArgument', async (id) => {
        await expectRefused(
          h.store,
          [],
          () => h.store.putRelationship('b', id, rel('f1', 'hasFloor')),
          'InvalidArgument',
        );
      });

      it('replaces an existing relationship as a whole: new target, name and properties, new etag', async () => {
        const first = await h.store.putRelationship('b', 'x', rel('f1', 'hasFloor', { order: 1, old: true }));
        const second = await h.store.putRelationship('b', 'x', rel('f2', 'hasLevel', { order: 2 }));
        expect(second).toEqual({
          ...first,
          $targetId: 'f2',
          $relationshipName: 'hasLevel',
          $etag: expect.stringMatching(ETAG),
          order: 2,
          old: undefined,
        });
        expect(second).not.toHaveProperty('old');
        expect(second.$etag).not.toBe(first.$etag);
        expect(await outgoing('b')).toEqual(['x→f2']);
        expect(await h.store.listIncomingRelationships('f1')).toEqual([]);
      });

      it("with ifNoneMatch '*' refuses an existing relationship with PreconditionFailed and changes nothing", async () => {
        const first = await h.store.putRelationship('b', 'x', rel('f1', 'hasFloor'));
        await expectRefused(
          h.store,
          [],
          () => h.store.putRelationship('b', 'x', rel('f2', 'hasFloor'), { ifNoneMatch: '*' }),
          'PreconditionFailed',
          {
            twinId: 'b',
            relationshipId: 'x',
          },
        );
        expect(await h.store.getRelationship('b', 'x')).toEqual(first);
        expect((await h.store.putRelationship('b', 'y', rel('f2', 'hasFloor'), { ifNoneMatch: '*' })).$targetId).toBe(
          'f2',
        );
      });

      it('lets twins have relationships with the same id as long as their sources differ', async () => {
        await h.store.putRelationship('b', 'same', rel('f1', 'hasFloor'));
        await h.store.putRelationship('f1', 'same', rel('r', 'hasRoom'));
        expect((await h.store.getRelationship('b', 'same')).$targetId).toBe('f1');
        expect((await h.store.getRelationship('f1', 'same')).$targetId).toBe('r');
      });
    });

    describe('putRelationships', () => {
      it('puts several relationships in one call and returns them in the order given', async () => {
        const put = await h.store.putRelationships([
          { sourceId: 'f1', relationshipId: 'f1-r', relationship: rel('r', 'hasRoom') },
          { sourceId: 'b', relationshipId: 'b-f1', relationship: rel('f1', 'hasFloor') },
        ]);
        expect(put.map((r) => r.$relationshipId)).toEqual(['f1-r', 'b-f1']);
        expect(await h.store.getRelationship('f1', 'f1-r')).toEqual(put[0]);
      });

      it.each([
        ['a missing target', rel('nope', 'hasFloor'), 'TargetTwinNotFound'],
        ['a self relationship', rel('b', 'hasFloor'), 'OperationNotAllowed'],
        ['a bad name', rel('f2', 'has floor'), 'InvalidRelationship'],
      ] as const)('is all or nothing: a batch with %s writes nothing', async (_, bad, code) => {
        await expectRefused(
          h.store,
          [],
          () =>
            h.store.putRelationships([
              { sourceId: 'b', relationshipId: 'ok', relationship: rel('f1', 'hasFloor') },
              { sourceId: 'b', relationshipId: 'bad', relationship: bad },
            ]),
          code,
        );
        expect(await h.store.listRelationships('b')).toEqual([]);
      });

      it('refuses a batch that puts one relationship twice with InvalidArgument', async () => {
        await expectRefused(
          h.store,
          [],
          () =>
            h.store.putRelationships([
              { sourceId: 'b', relationshipId: 'x', relationship: rel('f1', 'hasFloor') },
              { sourceId: 'b', relationshipId: 'x', relationship: rel('f2', 'hasFloor') },
            ]),
          'InvalidArgument',
        );
      });

      it("with ifNoneMatch '*' refuses the whole batch when one relationship exists", async () => {
        await h.store.putRelationship('b', 'x', rel('f1', 'hasFloor'));
        await expectRefused(
          h.store,
          [],
          () =>
            h.store.putRelationships(
              [
                { sourceId: 'b', relationshipId: 'y', relationship: rel('f2', 'hasFloor') },
                { sourceId: 'b', relationshipId: 'x', relationship: rel('f2', 'hasFloor') },
              ],
              { ifNoneMatch: '*' },
            ),
          'PreconditionFailed',
        );
        expect(await outgoing('b')).toEqual(['x→f1']);
      });
    });

    describe('getRelationship', () => {
      it('says DigitalTwinNotFound when the source twin does not exist', async () => {
        await expectCode(h.store.getRelationship('nope', 'x'), 'DigitalTwinNotFound', { twinId: 'nope' });
      });

      it('says RelationshipNotFound, naming both ids, when the twin has no such relationship', async () => {
        await h.store.putRelationship('f1', 'x', rel('r', 'hasRoom'));
        await expectCode(h.store.getRelationship('b', 'x'), 'RelationshipNotFound', {
          twinId: 'b',
          relationshipId: 'x',
        });
      });
    });

    describe('patchRelationship', () => {
      beforeEach(() => h.store.putRelationship('b', 'x', rel('f1', 'hasFloor', { order: 1, meta: { a: 1 } })));

      it('adds, replaces and removes properties, with a new etag', async () => {
        const before = await h.store.getRelationship('b', 'x');
        const after = await h.store.patchRelationship('b', 'x', [
          { op: 'replace', path: '/order', value: 2 },
          { op: 'add', path: '/meta/b', value: 2 },
          { op: 'add', path: '/label', value: 'main' },
          { op: 'remove', path: '/meta/a' },
        ]);
        expect(after).toEqual({
          ...before,
          $etag: expect.stringMatching(ETAG),
          order: 2,
          meta: { b: 2 },
          label: 'main',
        });
        expect(after.$etag).not.toBe(before.$etag);
        expect(await h.store.getRelationship('b', 'x')).toEqual(after);
      });

      it.each([['/$targetId'], ['/$relationshipName'], ['/$relationshipId'], ['/$sourceId'], ['/$etag']])(
        'refuses to patch %s with JsonPatchInvalid: only properties can be patched',
        async (path) => {
          const before = await h.store.getRelationship('b', 'x');
          await expectRefused(
            h.store,
            [],
            () => h.store.patchRelationship('b', 'x', [{ op: 'replace', path, value: 'f2' }]),
            'JsonPatchInvalid',
          );
          expect(await h.store.getRelationship('b', 'x')).toEqual(before);
        },
      );

      it.each([
        ['a replace of a missing property', [{ op: 'replace', path: '/nope', value: 1 }]],
        ['a move', [{ op: 'move', from: '/order', path: '/rank' }]],
        ['an empty patch', []],
      ])('refuses %s with JsonPatchInvalid', async (_, ops) => {
        const before = await h.store.getRelationship('b', 'x');
        await expectRefused(h.store, [], () => h.store.patchRelationship('b', 'x', ops as never), 'JsonPatchInvalid');
        expect(await h.store.getRelationship('b', 'x')).toEqual(before);
      });

      it('says DigitalTwinNotFound or RelationshipNotFound when either does not exist', async () => {
        await expectCode(
          h.store.patchRelationship('nope', 'x', [{ op: 'add', path: '/a', value: 1 }]),
          'DigitalTwinNotFound',
        );
        await expectCode(
          h.store.patchRelationship('b', 'nope', [{ op: 'add', path: '/a', value: 1 }]),
          'RelationshipNotFound',
          { twinId: 'b', relationshipId: 'nope' },
        );
      });
    });

    describe('deleteRelationship', () => {
      it('deletes a relationship', async () => {
        await h.store.putRelationship('b', 'x', rel('f1', 'hasFloor'));
        await h.store.putRelationship('b', 'y', rel('f2', 'hasFloor'));
        await h.store.deleteRelationship('b', 'x');
        await expectCode(h.store.getRelationship('b', 'x'), 'RelationshipNotFound');
        expect(await outgoing('b')).toEqual(['y→f2']);
        expect(await h.store.listIncomingRelationships('f1')).toEqual([]);
      });

      it('says DigitalTwinNotFound or RelationshipNotFound when either does not exist', async () => {
        await expectRefused(h.store, [], () => h.store.deleteRelationship('nope', 'x'), 'DigitalTwinNotFound');
        await expectRefused(h.store, [], () => h.store.deleteRelationship('b', 'x'), 'RelationshipNotFound', {
          twinId: 'b',
          relationshipId: 'x',
        });
      });
    });

    describe('listRelationships and listIncomingRelationships', () => {
      beforeEach(async () => {
        await h.store.putRelationships([
          { sourceId: 'b', relationshipId: 'b-f1', relationship: rel('f1', 'hasFloor') },
          { sourceId: 'b', relationshipId: 'b-f2', relationship: rel('f2', 'hasFloor') },
          { sourceId: 'b', relationshipId: 'b-r', relationship: rel('r', 'lobby') },
          { sourceId: 'f1', relationshipId: 'f1-r', relationship: rel('r', 'hasRoom') },
          { sourceId: 'f2', relationshipId: 'f2-r', relationship: rel('r', 'hasRoom', { shared: true }) },
        ]);
      });

      it("lists a twin's outgoing relationships, all or of one name", async () => {
        expect(await outgoing('b')).toEqual(['b-f1→f1', 'b-f2→f2', 'b-r→r']);
        expect(await outgoing('b', 'hasFloor')).toEqual(['b-f1→f1', 'b-f2→f2']);
        expect(await outgoing('b', 'nope')).toEqual([]);
        expect(await outgoing('r')).toEqual([]);
        const listed = await h.store.listRelationships('f2');
        expect(listed).toEqual([await h.store.getRelationship('f2', 'f2-r')]);
      });

      it('lists the relationships pointing at a twin, all or of one name, as full relationships', async () => {
        const incoming = await h.store.listIncomingRelationships('r');
        expect(sorted(incoming.map((r) => `${r.$sourceId}/${r.$relationshipId}`))).toEqual([
          'b/b-r',
          'f1/f1-r',
          'f2/f2-r',
        ]);
        expect(incoming.find((r) => r.$sourceId === 'f2')).toEqual(await h.store.getRelationship('f2', 'f2-r'));
        const named = await h.store.listIncomingRelationships('r', { name: 'hasRoom' });
        expect(sorted(named.map((r) => r.$relationshipId))).toEqual(['f1-r', 'f2-r']);
        expect(await h.store.listIncomingRelationships('b')).toEqual([]);
      });

      it('says DigitalTwinNotFound for a twin that does not exist', async () => {
        await expectCode(h.store.listRelationships('nope'), 'DigitalTwinNotFound', { twinId: 'nope' });
        await expectCode(h.store.listIncomingRelationships('nope'), 'DigitalTwinNotFound', { twinId: 'nope' });
      });
    });
  });
}
