/** Twins: ADT's document shape, create (PUT), get, replace and delete. JSON Patch has its own module. */
import {
  component,
  ETAG,
  expectCode,
  expectRefused,
  M,
  propertiesOf,
  rel,
  seedModels,
  sorted,
  twinInput,
  useStore,
  type OpenStore,
} from '../../support/store-fixtures';

export function twinsContract(open: OpenStore): void {
  describe('twins', () => {
    const h = useStore(open);
    beforeEach(() => seedModels(h.store));

    describe('createTwin', () => {
      it("returns the twin in ADT's shape: $dtId, a weak UUID $etag, and $metadata with $model, $lastUpdateTime and each property's lastUpdateTime", async () => {
        const T = h.clock.iso();
        const twin = await h.store.createTwin(
          'room-1',
          twinInput(M.room, { name: 'Alpha', area: 12.5, tags: ['a', 'b'], address: { city: 'Oslo', zip: '0150' } }),
        );
        expect(twin).toEqual({
          $dtId: 'room-1',
          $etag: expect.stringMatching(ETAG),
          name: 'Alpha',
          area: 12.5,
          tags: ['a', 'b'],
          address: { city: 'Oslo', zip: '0150' },
          $metadata: {
            $model: M.room,
            $lastUpdateTime: T,
            name: { lastUpdateTime: T },
            area: { lastUpdateTime: T },
            tags: { lastUpdateTime: T },
            address: { lastUpdateTime: T },
          },
        });
        expect(await h.store.getTwin('room-1')).toEqual(twin);
      });

      it('keeps components (objects with their own $metadata) with their own $lastUpdateTime and per-property times', async () => {
        const T = h.clock.iso();
        const twin = await h.store.createTwin(
          'room-1',
          twinInput(M.room, { name: 'Alpha', thermostat: component({ setpoint: 21, mode: 'auto' }) }),
        );
        expect(twin.thermostat).toEqual({
          setpoint: 21,
          mode: 'auto',
          $metadata: { $lastUpdateTime: T, setpoint: { lastUpdateTime: T }, mode: { lastUpdateTime: T } },
        });
        expect(twin.$metadata).toEqual({ $model: M.room, $lastUpdateTime: T, name: { lastUpdateTime: T } });
        const empty = await h.store.createTwin('room-2', twinInput(M.room, { thermostat: component() }));
        expect(empty.thermostat).toEqual({ $metadata: { $lastUpdateTime: T } });
      });

      it('ignores the server-kept fields of the body: $dtId, $etag and lastUpdateTimes', async () => {
        const twin = await h.store.createTwin('real-id', {
          $dtId: 'other-id',
          $etag: 'W/"00000000-0000-0000-0000-000000000000"',
          name: 'Alpha',
          $metadata: {
            $model: M.room,
            $lastUpdateTime: '2000-01-01T00:00:00.000Z',
            name: { lastUpdateTime: '2000-01-01T00:00:00.000Z' },
          },
        });
        expect(twin.$dtId).toBe('real-id');
        expect(twin.$etag).not.toBe('W/"00000000-0000-0000-0000-000000000000"');
        expect(twin.$metadata).toEqual({
          $model: M.room,
          $lastUpdateTime: h.clock.iso(),
          name: { lastUpdateTime: h.clock.iso() },
        });
        await expectCode(h.store.getTwin('other-id'), 'DigitalTwinNotFound');
      });

      it('keeps the sourceTime given for a property or a component property', async () => {
        const twin = await h.store.createTwin(
          'room-1',
          twinInput(
            M.room,
            {
              area: 10,
              thermostat: component({ setpoint: 21 }, { setpoint: { sourceTime: '2024-04-30T10:00:00.000Z' } }),
            },
            { area: { sourceTime: '2024-04-30T09:00:00.000Z' } },
          ),
        );
        expect(twin.$metadata.area).toEqual({ lastUpdateTime: h.clock.iso(), sourceTime: '2024-04-30T09:00:00.000Z' });
        expect((twin.thermostat as { $metadata: unknown }).$metadata).toEqual({
          $lastUpdateTime: h.clock.iso(),
          setpoint: { lastUpdateTime: h.clock.iso(), sourceTime: '2024-04-30T10:00:00.000Z' },
        });
      });

      it('accepts a twin read back as a write body, keeping its values and sourceTimes', async () => {
        const first = await h.store.createTwin(
          'room-1',
          twinInput(
            M.room,
            { area: 10, thermostat: component({ setpoint: 21 }) },
            { area: { sourceTime: '2024-04-30T09:00:00.000Z' } },
          ),
        );
        const again = await h.store.createTwin('room-1', first as never);
        expect(propertiesOf(again)).toEqual(propertiesOf(first));
        expect(again.$metadata).toEqual(first.$metadata);
        expect(again.$etag).not.toBe(first.$etag);
      });

      it('drops properties whose value is null (absent and null are the same to DTDL)', async () => {
        const twin = await h.store.createTwin('room-1', twinInput(M.room, { name: 'Alpha', area: null }));
        expect(twin).not.toHaveProperty('area');
        expect(twin.$metadata).not.toHaveProperty('area');
      });

      it('refuses a $-field other than $dtId, $etag and $metadata with ValidationFailed', async () => {
        await expectRefused(
          h.store,
          ['room-1'],
          () => h.store.createTwin('room-1', { ...twinInput(M.room), $foo: 1 }),
          'ValidationFailed',
          { twinId: 'room-1' },
        );
      });

      it.each([
        ['no $metadata', { name: 'x' }],
        ['$metadata without $model', { $metadata: { name: {} } }],
        ['an empty $model', { $metadata: { $model: '' } }],
        ['a $model that is not a string', { $metadata: { $model: 7 } }],
      ])('refuses a twin with %s with ValidationFailed', async (_, body) => {
        await expectRefused(
          h.store,
          ['room-1'],
          () => h.store.createTwin('room-1', body as never),
          'ValidationFailed',
          { twinId: 'room-1' },
        );
      });

      it('refuses metadata for a property the body does not have with ValidationFailed', async () => {
        await expectCode(
          h.store.createTwin(
            'room-1',
            twinInput(M.room, { name: 'x' }, { area: { sourceTime: '2024-04-30T09:00:00.000Z' } }),
          ),
          'ValidationFailed',
        );
      });

      it('refuses a sourceTime that is not an ISO date and time with ValidationFailed', async () => {
        await expectCode(
          h.store.createTwin('room-1', twinInput(M.room, { area: 1 }, { area: { sourceTime: 'yesterday' } })),
          'ValidationFailed',
        );
      });

      it('refuses a twin of an unknown model with ModelNotFound', async () => {
        await expectRefused(
          h.store,
          ['room-1'],
          () => h.store.createTwin('room-1', twinInput('dtmi:test:Nope;1')),
          'ModelNotFound',
          {
            modelId: 'dtmi:test:Nope;1',
            twinId: 'room-1',
          },
        );
      });

      it.each([
        ['an empty id', ''],
        ['an id with a control character', 'line\nbreak'],
        ['an id longer than 256 characters', 'x'.repeat(257)],
      ])('refuses %s with InvalidArgument', async (_, id) => {
        await expectRefused(h.store, [], () => h.store.createTwin(id, twinInput(M.room)), 'InvalidArgument');
      });

      it('treats ids as opaque: spaces, slashes, quotes and non-ASCII letters work everywhere', async () => {
        const a = `room 1/ä'"\\`;
        const b = 'étage #2; DROP TABLE twins; --';
        await h.store.createTwins([
          { id: a, twin: twinInput(M.room, { name: 'A' }) },
          { id: b, twin: twinInput(M.floor) },
        ]);
        await h.store.putRelationship(b, `has ${a}`, rel(a, 'hasRoom'));
        expect((await h.store.getTwin(a)).$dtId).toBe(a);
        expect((await h.store.getRelationship(b, `has ${a}`)).$targetId).toBe(a);
        expect((await h.store.listIncomingRelationships(a)).map((r) => r.$sourceId)).toEqual([b]);
        expect(
          (await h.store.queryTwins({ where: { path: ['$dtId'], op: 'eq', value: a } })).items.map((t) => t.$dtId),
        ).toEqual([a]);
        await h.store.deleteTwin(b, { cascade: true });
        expect(await h.store.getTwins([a, b])).toEqual([expect.objectContaining({ $dtId: a }), undefined]);
      });

      it('refuses a twin larger than 32 KB with LimitExceeded', async () => {
        await expectRefused(
          h.store,
          ['big'],
          () => h.store.createTwin('big', twinInput(M.room, { name: 'x'.repeat(33 * 1024) })),
          'LimitExceeded',
        );
      });

      it('measures the 32 KB against the properties alone, in UTF-8 bytes: the metadata and a text of fewer bytes than characters × 3 do not count', async () => {
        // About 32,740 bytes of properties; the twin's whole text, metadata included, is over 32 KB.
        const ascii = await h.store.createTwin(
          'ascii',
          twinInput(M.room, { name: 'x'.repeat(32 * 1024 - 30) }, { name: { sourceTime: '2024-05-31T12:00:00Z' } }),
        );
        expect(JSON.stringify(ascii).length).toBeGreaterThan(32 * 1024);
        // 16,000 characters of two bytes each: over 32 KB at three bytes a character, 32,000 bytes as written.
        await h.store.createTwin('accents', twinInput(M.room, { name: 'é'.repeat(16_000) }));
        await expectRefused(
          h.store,
          ['accents'],
          () => h.store.patchTwin('accents', [{ op: 'add', path: '/area', value: 'é'.repeat(400) as never }]),
          'LimitExceeded',
        );
        expect((await h.store.getTwin('ascii')).name).toHaveLength(32 * 1024 - 30);
      });

      it('stores no property named __proto__ (no DTDL name is): the twin keeps its plain prototype', async () => {
        const body = JSON.parse(`{"name":"Alpha","__proto__":{"area":1}}`) as ReturnType<typeof twinInput>;
        body.$metadata = { $model: M.room };
        const twin = await h.store.createTwin('room-1', body);
        expect(Object.getPrototypeOf(twin)).toBe(Object.prototype);
        expect(Object.keys(twin)).toEqual(['$dtId', '$etag', 'name', '$metadata']);
        expect(Object.keys(await h.store.getTwin('room-1'))).toEqual(['$dtId', '$etag', 'name', '$metadata']);
      });

      it('replaces an existing twin as a whole, with a new etag; unchanged values keep their lastUpdateTime', async () => {
        const first = await h.store.createTwin('room-1', twinInput(M.room, { name: 'Alpha', area: 10, floor: 1 }));
        h.clock.advance(60_000);
        const second = await h.store.createTwin('room-1', twinInput(M.room, { name: 'Alpha', area: 11 }));
        expect(second.$etag).not.toBe(first.$etag);
        expect(propertiesOf(second)).toEqual({ name: 'Alpha', area: 11 });
        expect(second.$metadata).toEqual({
          $model: M.room,
          $lastUpdateTime: h.clock.iso(),
          name: { lastUpdateTime: h.clock.iso(-60_000) },
          area: { lastUpdateTime: h.clock.iso() },
        });
        expect(await h.store.getTwin('room-1')).toEqual(second);
      });

      it("with ifNoneMatch '*' refuses an existing id with PreconditionFailed and changes nothing", async () => {
        await h.store.createTwin('room-1', twinInput(M.room, { name: 'Alpha' }));
        await expectRefused(
          h.store,
          ['room-1'],
          () => h.store.createTwin('room-1', twinInput(M.room, { name: 'Beta' }), { ifNoneMatch: '*' }),
          'PreconditionFailed',
          {
            twinId: 'room-1',
          },
        );
        const created = await h.store.createTwin('room-2', twinInput(M.room, { name: 'Beta' }), { ifNoneMatch: '*' });
        expect(created.name).toBe('Beta');
      });
    });

    describe('createTwins', () => {
      it('creates several twins in one call and returns them in the order given', async () => {
        const twins = await h.store.createTwins([
          { id: 'b', twin: twinInput(M.room, { name: 'B' }) },
          { id: 'a', twin: twinInput(M.floor, { level: 1 }) },
          { id: 'c', twin: twinInput(M.sensor) },
        ]);
        expect(twins.map((t) => t.$dtId)).toEqual(['b', 'a', 'c']);
        expect(await h.store.getTwins(['a', 'b', 'c'])).toEqual([twins[1], twins[0], twins[2]]);
      });

      it.each([
        ['an unknown model', { id: 'c', twin: twinInput('dtmi:test:Nope;1') }, 'ModelNotFound'],
        ['an unknown $-field', { id: 'c', twin: { ...twinInput(M.room), $foo: true } }, 'ValidationFailed'],
        ['no $model', { id: 'c', twin: { name: 'x' } }, 'ValidationFailed'],
        ['an invalid id', { id: '', twin: twinInput(M.room) }, 'InvalidArgument'],
        ['an id already in the batch', { id: 'a', twin: twinInput(M.room) }, 'InvalidArgument'],
      ] as const)('is all or nothing: a batch with %s writes no twin and no change', async (_, bad, code) => {
        await h.store.createTwin('existing', twinInput(M.room, { name: 'old' }));
        await expectRefused(
          h.store,
          ['a', 'existing', 'c'],
          () =>
            h.store.createTwins([
              { id: 'a', twin: twinInput(M.room) },
              { id: 'existing', twin: twinInput(M.room, { name: 'new' }) },
              bad as never,
            ]),
          code,
        );
      });

      it("with ifNoneMatch '*' refuses the whole batch when one id exists", async () => {
        await h.store.createTwin('existing', twinInput(M.room));
        await expectRefused(
          h.store,
          ['a', 'existing'],
          () =>
            h.store.createTwins(
              [
                { id: 'a', twin: twinInput(M.room) },
                { id: 'existing', twin: twinInput(M.room) },
              ],
              { ifNoneMatch: '*' },
            ),
          'PreconditionFailed',
          { twinId: 'existing' },
        );
      });
    });

    describe('getTwin and getTwins', () => {
      it('says DigitalTwinNotFound, naming the id, for a twin that does not exist', async () => {
        await expectCode(h.store.getTwin('nope'), 'DigitalTwinNotFound', { twinId: 'nope' });
      });

      it('returns twins in the order asked, with undefined for those that do not exist', async () => {
        const a = await h.store.createTwin('a', twinInput(M.room, { name: 'A' }));
        const b = await h.store.createTwin('b', twinInput(M.room, { name: 'B' }));
        expect(await h.store.getTwins(['b', 'nope', 'a', 'b'])).toEqual([b, undefined, a, b]);
        expect(await h.store.getTwins([])).toEqual([]);
      });
    });

    describe('replaceTwin', () => {
      it('replaces an existing twin as a whole, possibly with another model', async () => {
        const first = await h.store.createTwin('x', twinInput(M.room, { name: 'Alpha', area: 10 }));
        h.clock.advance(1000);
        const second = await h.store.replaceTwin('x', twinInput(M.conferenceRoom, { name: 'Alpha', seats: 8 }));
        expect(second.$etag).not.toBe(first.$etag);
        expect(propertiesOf(second)).toEqual({ name: 'Alpha', seats: 8 });
        expect(second.$metadata.$model).toBe(M.conferenceRoom);
        expect(second.$metadata.$lastUpdateTime).toBe(h.clock.iso());
        expect(await h.store.getTwin('x')).toEqual(second);
      });

      it('says DigitalTwinNotFound for a twin that does not exist, and does not create it', async () => {
        await expectRefused(h.store, ['x'], () => h.store.replaceTwin('x', twinInput(M.room)), 'DigitalTwinNotFound', {
          twinId: 'x',
        });
      });

      it("replaces only when ifMatch is the current etag or '*'", async () => {
        const first = await h.store.createTwin('x', twinInput(M.room, { name: 'A' }));
        const second = await h.store.replaceTwin('x', twinInput(M.room, { name: 'B' }), { ifMatch: first.$etag });
        await expectRefused(
          h.store,
          ['x'],
          () => h.store.replaceTwin('x', twinInput(M.room, { name: 'C' }), { ifMatch: first.$etag }),
          'PreconditionFailed',
          { twinId: 'x' },
        );
        const third = await h.store.replaceTwin('x', twinInput(M.room, { name: 'D' }), { ifMatch: '*' });
        expect([second.name, third.name]).toEqual(['B', 'D']);
      });

      it('validates the body like createTwin', async () => {
        await h.store.createTwin('x', twinInput(M.room, { name: 'A' }));
        await expectRefused(
          h.store,
          ['x'],
          () => h.store.replaceTwin('x', { ...twinInput(M.room), $foo: 1 }),
          'ValidationFailed',
        );
        await expectRefused(
          h.store,
          ['x'],
          () => h.store.replaceTwin('x', twinInput('dtmi:test:Nope;1')),
          'ModelNotFound',
        );
      });
    });

    describe('deleteTwin', () => {
      it('deletes a twin', async () => {
        await h.store.createTwin('x', twinInput(M.room));
        await h.store.deleteTwin('x');
        await expectCode(h.store.getTwin('x'), 'DigitalTwinNotFound');
        expect(await h.store.getTwins(['x'])).toEqual([undefined]);
      });

      it('says DigitalTwinNotFound for a twin that does not exist', async () => {
        await expectCode(h.store.deleteTwin('nope'), 'DigitalTwinNotFound', { twinId: 'nope' });
      });

      it("deletes only when ifMatch is the current etag or '*'", async () => {
        const first = await h.store.createTwin('x', twinInput(M.room));
        await h.store.patchTwin('x', [{ op: 'add', path: '/name', value: 'n' }]);
        await expectRefused(
          h.store,
          ['x'],
          () => h.store.deleteTwin('x', { ifMatch: first.$etag }),
          'PreconditionFailed',
          { twinId: 'x' },
        );
        await h.store.deleteTwin('x', { ifMatch: (await h.store.getTwin('x')).$etag });
        await h.store.createTwin('y', twinInput(M.room));
        await h.store.deleteTwin('y', { ifMatch: '*' });
        expect(await h.store.getTwins(['x', 'y'])).toEqual([undefined, undefined]);
      });

      it('refuses, with RelationshipsNotDeleted naming them, while outgoing or incoming relationships exist', async () => {
        await h.store.createTwins(['a', 'b', 'c'].map((id) => ({ id, twin: twinInput(M.room) })));
        await h.store.putRelationship('a', 'a-b', rel('b', 'next'));
        await h.store.putRelationship('c', 'c-a', rel('a', 'next'));
        const error = await expectRefused(
          h.store,
          ['a', 'b', 'c'],
          () => h.store.deleteTwin('a'),
          'RelationshipsNotDeleted',
          { twinId: 'a' },
        );
        expect(sorted(error.subject.related ?? [])).toEqual(['a/a-b', 'c/c-a']);
        await expectCode(h.store.deleteTwin('b'), 'RelationshipsNotDeleted', { twinId: 'b', related: ['a/a-b'] });
        expect((await h.store.listRelationships('a')).map((r) => r.$relationshipId)).toEqual(['a-b']);
      });

      it('with cascade deletes its incoming and outgoing relationships too, logging a Relationship.Delete for each before the Twin.Delete', async () => {
        await h.store.createTwins(['a', 'b', 'c'].map((id) => ({ id, twin: twinInput(M.room) })));
        await h.store.putRelationship('a', 'a-b', rel('b', 'next'));
        await h.store.putRelationship('c', 'c-a', rel('a', 'next'));
        await h.store.putRelationship('b', 'b-c', rel('c', 'next'));
        const seq = await h.store.latestSeq();
        await h.store.deleteTwin('a', { cascade: true });
        const changes = await h.store.readChanges({ after: seq });
        expect(changes.map((c) => c.seq)).toEqual([seq + 1, seq + 2, seq + 3]);
        expect(sorted(changes.slice(0, 2).map((c) => `${c.type} ${c.subject}`))).toEqual([
          'Relationship.Delete a/relationships/a-b',
          'Relationship.Delete c/relationships/c-a',
        ]);
        expect(`${changes[2].type} ${changes[2].subject}`).toBe('Twin.Delete a');
        await expectCode(h.store.getTwin('a'), 'DigitalTwinNotFound');
        expect(await h.store.listRelationships('c')).toEqual([]);
        expect(await h.store.listIncomingRelationships('b')).toEqual([]);
        expect((await h.store.listRelationships('b')).map((r) => r.$relationshipId)).toEqual(['b-c']);
      });

      it("removes the twin's metrics, so that a new twin with the same id starts without them", async () => {
        await h.store.createTwin('x', twinInput(M.sensor));
        await h.store.createTwin('y', twinInput(M.sensor));
        await h.store.appendMetrics([
          { twinId: 'x', name: 'temperature', time: '2024-05-01T10:00:00.000Z', value: 20 },
          { twinId: 'y', name: 'temperature', time: '2024-05-01T10:00:00.000Z', value: 21 },
        ]);
        await h.store.deleteTwin('x');
        expect((await h.store.counts()).metricPoints).toBe(1);
        await expectCode(h.store.readMetrics({ twinId: 'x', name: 'temperature' }), 'DigitalTwinNotFound');
        await h.store.createTwin('x', twinInput(M.sensor));
        expect(await h.store.readMetrics({ twinId: 'x', name: 'temperature' })).toEqual([]);
        expect(
          await h.store.latestMetrics([
            { twinId: 'x', name: 'temperature' },
            { twinId: 'y', name: 'temperature' },
          ]),
        ).toEqual([undefined, { twinId: 'y', name: 'temperature', time: '2024-05-01T10:00:00.000Z', value: 21 }]);
      });
    });
  });
}
