/** JSON Patch on twins (ADT's subset and protected paths), and ETag preconditions on every write. */
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

export function patchContract(open: OpenStore): void {
  describe('patchTwin', () => {
    const h = useStore(open);
    /** When the twin was created: one minute before each patch below. */
    let created: string;
    let original: Twin;

    beforeEach(async () => {
      await seedModels(h.store);
      created = h.clock.iso();
      original = await h.store.createTwin(
        'x',
        twinInput(
          M.room,
          {
            name: 'Alpha',
            area: 10,
            address: { city: 'Oslo', zip: '0150' },
            thermostat: component({ setpoint: 21, mode: 'auto' }),
          },
          { area: { sourceTime: '2024-04-30T09:00:00.000Z' } },
        ),
      );
      h.clock.advance(60_000);
    });

    const patch = (ops: JsonPatch, options?: { ifMatch?: string }): Promise<Twin> =>
      h.store.patchTwin('x', ops, options);

    it('adds a property, stamping it and the twin with the time of the patch; other properties keep theirs', async () => {
      const twin = await patch([{ op: 'add', path: '/floorNo', value: 3 }]);
      expect(twin.floorNo).toBe(3);
      expect(twin.$metadata.floorNo).toEqual({ lastUpdateTime: h.clock.iso() });
      expect(twin.$metadata.$lastUpdateTime).toBe(h.clock.iso());
      expect(twin.$metadata.name).toEqual({ lastUpdateTime: created });
      expect(twin.$etag).not.toBe(original.$etag);
      expect(await h.store.getTwin('x')).toEqual(twin);
    });

    it('replaces a property, keeping its sourceTime', async () => {
      const twin = await patch([{ op: 'replace', path: '/area', value: 11 }]);
      expect(twin.area).toBe(11);
      expect(twin.$metadata.area).toEqual({ lastUpdateTime: h.clock.iso(), sourceTime: '2024-04-30T09:00:00.000Z' });
    });

    it('removes a property together with its metadata', async () => {
      const twin = await patch([{ op: 'remove', path: '/area' }]);
      expect(twin).not.toHaveProperty('area');
      expect(twin.$metadata).not.toHaveProperty('area');
      expect(twin.name).toBe('Alpha');
    });

    it('changes a field inside an object property, stamping the property', async () => {
      const twin = await patch([
        { op: 'replace', path: '/address/city', value: 'Bergen' },
        { op: 'add', path: '/address/street', value: 'Main' },
        { op: 'remove', path: '/address/zip' },
      ]);
      expect(twin.address).toEqual({ city: 'Bergen', street: 'Main' });
      expect(twin.$metadata.address).toEqual({ lastUpdateTime: h.clock.iso() });
    });

    it("changes a component's property, stamping it and the component's $metadata; the component's other properties keep theirs", async () => {
      const twin = await patch([{ op: 'replace', path: '/thermostat/setpoint', value: 19.5 }]);
      expect(twin.thermostat).toEqual({
        setpoint: 19.5,
        mode: 'auto',
        $metadata: {
          $lastUpdateTime: h.clock.iso(),
          setpoint: { lastUpdateTime: h.clock.iso() },
          mode: { lastUpdateTime: created },
        },
      });
      const added = await patch([{ op: 'add', path: '/thermostat/hysteresis', value: 0.5 }]);
      expect((added.thermostat as { $metadata: Record<string, unknown> }).$metadata.hysteresis).toEqual({
        lastUpdateTime: h.clock.iso(),
      });
    });

    it('adds and removes array elements by index, stamping the array property', async () => {
      await patch([{ op: 'add', path: '/tags', value: ['a', 'c'] }]);
      const twin = await patch([
        { op: 'add', path: '/tags/1', value: 'b' },
        { op: 'add', path: '/tags/-', value: 'd' },
        { op: 'remove', path: '/tags/0' },
      ]);
      expect(twin.tags).toEqual(['b', 'c', 'd']);
      expect(twin.$metadata.tags).toEqual({ lastUpdateTime: h.clock.iso() });
    });

    it('adds a whole component with a value that carries its own $metadata, and removes one', async () => {
      const added = await patch([{ op: 'add', path: '/backup', value: { setpoint: 18, $metadata: {} } }]);
      expect(added.backup).toEqual({
        setpoint: 18,
        $metadata: { $lastUpdateTime: h.clock.iso(), setpoint: { lastUpdateTime: h.clock.iso() } },
      });
      expect(added.$metadata).not.toHaveProperty('backup');
      const removed = await patch([{ op: 'remove', path: '/thermostat' }]);
      expect(removed).not.toHaveProperty('thermostat');
      expect(removed.backup).toEqual(added.backup);
    });

    it('applies the operations in order, all or nothing', async () => {
      const twin = await patch([
        { op: 'add', path: '/floorNo', value: 1 },
        { op: 'replace', path: '/floorNo', value: 2 },
        { op: 'remove', path: '/name' },
      ]);
      expect(twin.floorNo).toBe(2);
      expect(twin).not.toHaveProperty('name');
      await expectRefused(
        h.store,
        ['x'],
        () =>
          patch([
            { op: 'replace', path: '/area', value: 99 },
            { op: 'replace', path: '/nope', value: 1 },
          ]),
        'JsonPatchInvalid',
      );
    });

    it('moves the twin to another model with a replace of /$metadata/$model', async () => {
      const twin = await patch([
        { op: 'replace', path: '/$metadata/$model', value: M.conferenceRoom },
        { op: 'add', path: '/seats', value: 8 },
      ]);
      expect(twin.$metadata.$model).toBe(M.conferenceRoom);
      expect(twin.seats).toBe(8);
      const exact = await h.store.queryTwins({ where: { ofModel: M.conferenceRoom, exact: true } });
      expect(exact.items.map((t) => t.$dtId)).toEqual(['x']);
    });

    it('refuses a move to an unknown model with ModelNotFound', async () => {
      await expectRefused(
        h.store,
        ['x'],
        () => patch([{ op: 'replace', path: '/$metadata/$model', value: 'dtmi:test:Nope;1' }]),
        'ModelNotFound',
        {
          modelId: 'dtmi:test:Nope;1',
        },
      );
    });

    it('sets, replaces and removes a sourceTime through /$metadata/<property>/sourceTime', async () => {
      const set = await patch([{ op: 'add', path: '/$metadata/name/sourceTime', value: '2024-04-30T10:00:00.000Z' }]);
      expect(set.$metadata.name).toMatchObject({ sourceTime: '2024-04-30T10:00:00.000Z' });
      expect(set.name).toBe('Alpha');
      const replaced = await patch([
        { op: 'replace', path: '/$metadata/area/sourceTime', value: '2024-04-30T11:00:00.000Z' },
      ]);
      expect(replaced.$metadata.area).toMatchObject({ sourceTime: '2024-04-30T11:00:00.000Z' });
      const removed = await patch([{ op: 'remove', path: '/$metadata/area/sourceTime' }]);
      expect(removed.$metadata.area).not.toHaveProperty('sourceTime');
      expect(await h.store.getTwin('x')).toEqual(removed);
    });

    it("sets a component property's sourceTime through /<component>/$metadata/<property>/sourceTime", async () => {
      const twin = await patch([
        { op: 'add', path: '/thermostat/$metadata/setpoint/sourceTime', value: '2024-04-30T10:00:00.000Z' },
      ]);
      expect((twin.thermostat as { $metadata: Record<string, unknown> }).$metadata.setpoint).toMatchObject({
        sourceTime: '2024-04-30T10:00:00.000Z',
      });
    });

    it('sets a value and its sourceTime in one patch', async () => {
      const twin = await patch([
        { op: 'replace', path: '/name', value: 'Beta' },
        { op: 'add', path: '/$metadata/name/sourceTime', value: '2024-04-30T12:00:00.000Z' },
      ]);
      expect(twin.$metadata.name).toEqual({ lastUpdateTime: h.clock.iso(), sourceTime: '2024-04-30T12:00:00.000Z' });
    });

    it('refuses a sourceTime that is not an ISO date and time with ValidationFailed', async () => {
      await expectRefused(
        h.store,
        ['x'],
        () => patch([{ op: 'replace', path: '/$metadata/area/sourceTime', value: 'soon' }]),
        'ValidationFailed',
      );
    });

    it('refuses a sourceTime for a property the twin does not have with JsonPatchInvalid', async () => {
      await expectRefused(
        h.store,
        ['x'],
        () => patch([{ op: 'add', path: '/$metadata/floorNo/sourceTime', value: '2024-04-30T12:00:00.000Z' }]),
        'JsonPatchInvalid',
      );
    });

    it.each([
      ['/$dtId', 'replace', 'y'],
      ['/$etag', 'replace', 'W/"x"'],
      ['/$metadata', 'replace', { $model: M.room }],
      ['/$metadata/$lastUpdateTime', 'replace', '2024-01-01T00:00:00.000Z'],
      ['/$metadata/area/lastUpdateTime', 'replace', '2024-01-01T00:00:00.000Z'],
      ['/$metadata/area', 'replace', {}],
      ['/thermostat/$metadata/$lastUpdateTime', 'replace', '2024-01-01T00:00:00.000Z'],
      ['/thermostat/$metadata/setpoint/lastUpdateTime', 'replace', '2024-01-01T00:00:00.000Z'],
      ['/$metadata/$model', 'remove', undefined],
      ['/$foo', 'add', 1],
    ] as const)('refuses to touch the kept path %s (%s) with JsonPatchInvalid', async (path, op, value) => {
      const operation = (value === undefined ? { op, path } : { op, path, value }) as JsonPatch[number];
      await expectRefused(h.store, ['x'], () => patch([operation]), 'JsonPatchInvalid', { twinId: 'x' });
    });

    it.each([
      ['move', { op: 'move', from: '/name', path: '/title' }],
      ['copy', { op: 'copy', from: '/name', path: '/title' }],
      ['test', { op: 'test', path: '/name', value: 'Alpha' }],
      ['an unknown op', { op: 'merge', path: '/name', value: 'x' }],
    ])('refuses %s with JsonPatchInvalid: only add, replace and remove are supported', async (_, operation) => {
      await expectRefused(h.store, ['x'], () => patch([operation as never]), 'JsonPatchInvalid');
    });

    it.each([
      ['replace of a missing property', [{ op: 'replace', path: '/nope', value: 1 }]],
      ['remove of a missing property', [{ op: 'remove', path: '/nope' }]],
      ['add below a missing parent', [{ op: 'add', path: '/nope/deeper', value: 1 }]],
      ['replace inside a missing component property', [{ op: 'replace', path: '/thermostat/nope', value: 1 }]],
      ['an empty patch', []],
      ['an add without a value', [{ op: 'add', path: '/floorNo' }]],
      ['a path that is not a JSON Pointer', [{ op: 'add', path: 'floorNo', value: 1 }]],
      ['a patch that is not a list', { op: 'add', path: '/floorNo', value: 1 }],
    ])('refuses %s with JsonPatchInvalid, leaving the twin and its etag as they were', async (_, ops) => {
      await expectRefused(h.store, ['x'], () => patch(ops as never), 'JsonPatchInvalid');
    });

    it('makes a patch from the twin as the transaction finds it: thirty concurrent increments all land, none refused', async () => {
      const increment = (current: Twin): JsonPatch => [
        { op: 'replace', path: '/area', value: (current.area as number) + 1 },
      ];
      const results = await Promise.all(Array.from({ length: 30 }, () => h.store.patchTwin('x', increment)));
      expect(results.map((t) => t.area as number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => 11 + i),
      );
      expect((await h.store.getTwin('x')).area).toBe(40);
    });

    it('makes the patch after the ETag condition, and writes nothing when it comes out empty', async () => {
      const seen: string[] = [];
      const made = (current: Twin): JsonPatch => {
        seen.push(current.$etag);
        return [];
      };
      await expectCode(h.store.patchTwin('x', made, { ifMatch: 'W/"stale"' }), 'PreconditionFailed');
      expect(seen).toEqual([]);
      const latest = await h.store.latestSeq();
      expect(await h.store.patchTwin('x', made, { ifMatch: original.$etag })).toEqual(original);
      expect(seen).toEqual([original.$etag]);
      expect(await h.store.latestSeq()).toBe(latest);
    });

    it('says DigitalTwinNotFound for a twin that does not exist', async () => {
      await expectCode(h.store.patchTwin('nope', [{ op: 'add', path: '/a', value: 1 }]), 'DigitalTwinNotFound', {
        twinId: 'nope',
      });
    });
  });

  describe('ETags', () => {
    const h = useStore(open);
    beforeEach(async () => {
      await seedModels(h.store);
      await h.store.createTwins(['a', 'b'].map((id) => ({ id, twin: twinInput(M.room, { n: 0 }) })));
      await h.store.putRelationship('a', 'a-b', rel('b', 'next', { w: 1 }));
    });

    it('every successful write gives the twin a new $etag, which reads return', async () => {
      const seen = new Set<string>([(await h.store.getTwin('a')).$etag]);
      const writes = [
        () => h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 1 }]),
        () => h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 1 }]),
        () => h.store.replaceTwin('a', twinInput(M.room, { n: 2 })),
        () => h.store.createTwin('a', twinInput(M.room, { n: 3 })),
      ];
      for (const write of writes) {
        const twin = await write();
        expect(seen.has(twin.$etag)).toBe(false);
        seen.add(twin.$etag);
        expect((await h.store.getTwin('a')).$etag).toBe(twin.$etag);
      }
    });

    it('every successful write gives the relationship a new $etag', async () => {
      const first = await h.store.getRelationship('a', 'a-b');
      const patched = await h.store.patchRelationship('a', 'a-b', [{ op: 'replace', path: '/w', value: 2 }]);
      const replaced = await h.store.putRelationship('a', 'a-b', rel('b', 'next', { w: 3 }));
      expect(new Set([first.$etag, patched.$etag, replaced.$etag]).size).toBe(3);
      expect((await h.store.getRelationship('a', 'a-b')).$etag).toBe(replaced.$etag);
    });

    it('a stale ifMatch is PreconditionFailed for every twin write, and changes nothing', async () => {
      const stale = (await h.store.getTwin('a')).$etag;
      await h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 1 }]);
      await expectRefused(
        h.store,
        ['a'],
        () => h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 2 }], { ifMatch: stale }),
        'PreconditionFailed',
        { twinId: 'a' },
      );
      await expectRefused(
        h.store,
        ['a'],
        () => h.store.replaceTwin('a', twinInput(M.room), { ifMatch: stale }),
        'PreconditionFailed',
        { twinId: 'a' },
      );
      await expectRefused(
        h.store,
        ['a'],
        () => h.store.deleteTwin('a', { ifMatch: stale, cascade: true }),
        'PreconditionFailed',
        { twinId: 'a' },
      );
      await expectRefused(
        h.store,
        ['a'],
        () => h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 2 }], { ifMatch: 'W/"not-an-etag"' }),
        'PreconditionFailed',
      );
      expect((await h.store.listRelationships('a')).length).toBe(1);
    });

    it('a stale ifMatch is PreconditionFailed for relationship writes, and changes nothing', async () => {
      const stale = (await h.store.getRelationship('a', 'a-b')).$etag;
      const current = await h.store.patchRelationship('a', 'a-b', [{ op: 'replace', path: '/w', value: 2 }], {
        ifMatch: stale,
      });
      const seq = await h.store.latestSeq();
      await expectCode(
        h.store.patchRelationship('a', 'a-b', [{ op: 'replace', path: '/w', value: 3 }], { ifMatch: stale }),
        'PreconditionFailed',
        {
          twinId: 'a',
          relationshipId: 'a-b',
        },
      );
      await expectCode(h.store.deleteRelationship('a', 'a-b', { ifMatch: stale }), 'PreconditionFailed', {
        relationshipId: 'a-b',
      });
      expect(await h.store.getRelationship('a', 'a-b')).toEqual(current);
      expect(await h.store.latestSeq()).toBe(seq);
      await h.store.deleteRelationship('a', 'a-b', { ifMatch: current.$etag });
      expect(await h.store.listRelationships('a')).toEqual([]);
    });

    it("ifMatch '*' matches whatever etag the entity has", async () => {
      expect((await h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 5 }], { ifMatch: '*' })).n).toBe(5);
      expect(
        (await h.store.patchRelationship('a', 'a-b', [{ op: 'replace', path: '/w', value: 5 }], { ifMatch: '*' })).w,
      ).toBe(5);
    });

    it('of two concurrent patches with the same ifMatch, exactly one succeeds, the other is PreconditionFailed, and the winner’s state is stored', async () => {
      const etag = (await h.store.getTwin('a')).$etag;
      const seq = await h.store.latestSeq();
      const results = await Promise.allSettled([
        h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 'first' }], { ifMatch: etag }),
        h.store.patchTwin('a', [{ op: 'replace', path: '/n', value: 'second' }], { ifMatch: etag }),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<Twin> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toMatchObject({ code: 'PreconditionFailed' });
      expect(await h.store.getTwin('a')).toEqual(won[0].value);
      expect(await h.store.latestSeq()).toBe(seq + 1);
      expect((await h.store.readChanges({ after: seq }))[0].body).toEqual(won[0].value);
    });

    it("of two concurrent creates with ifNoneMatch '*', exactly one succeeds", async () => {
      const results = await Promise.allSettled([
        h.store.createTwin('new', twinInput(M.room, { n: 'first' }), { ifNoneMatch: '*' }),
        h.store.createTwin('new', twinInput(M.room, { n: 'second' }), { ifNoneMatch: '*' }),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<Twin> => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'PreconditionFailed' } });
      expect(await h.store.getTwin('new')).toEqual(won[0].value);
    });

    it('of two concurrent relationship patches with the same ifMatch, exactly one succeeds', async () => {
      const etag = (await h.store.getRelationship('a', 'a-b')).$etag;
      const results = await Promise.allSettled(
        [1, 2].map((w) =>
          h.store.patchRelationship('a', 'a-b', [{ op: 'replace', path: '/w', value: w }], { ifMatch: etag }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'PreconditionFailed' } });
      expect(await h.store.getRelationship('a', 'a-b')).toEqual((won[0] as PromiseFulfilledResult<unknown>).value);
    });
  });
}
