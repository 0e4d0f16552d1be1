/** The change log: what each write records, contiguous numbering, reading, pruning and commit listeners. */
import { applyPatch, deepClone } from 'fast-json-patch';
import type { ChangeEntry, JsonObject, Twin } from '../../../src/store/types';
import {
  DOMAIN,
  expectCode,
  M,
  modelInput,
  propertiesOf,
  rel,
  seedModels,
  twinInput,
  useStore,
  type OpenStore,
} from '../../support/store-fixtures';

/** A twin as a replace's patch sees it: its model and its property values. */
function patchable(twin: Twin): JsonObject {
  return { $metadata: { $model: twin.$metadata.$model }, ...propertiesOf(twin) };
}

export function changesContract(open: OpenStore): void {
  describe('change log', () => {
    const h = useStore(open);

    /** Runs a write and returns the entries it appended, checking they follow the previous latestSeq without gaps. */
    const logged = async (write: () => Promise<unknown>): Promise<ChangeEntry[]> => {
      const seq = await h.store.latestSeq();
      await write();
      const latest = await h.store.latestSeq();
      const entries = await h.store.readChanges({ after: seq });
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: latest - seq }, (_, i) => seq + 1 + i));
      return entries;
    };

    it('starts empty: latestSeq 0, firstSeq 1, nothing to read', async () => {
      expect(await h.store.latestSeq()).toBe(0);
      expect(await h.store.firstSeq()).toBe(1);
      expect(await h.store.readChanges({ after: 0 })).toEqual([]);
    });

    describe('entries', () => {
      it('records the actor a write names, on every entry of the write, and none for a write that names none', async () => {
        await seedModels(h.store);
        await h.store.createTwins(
          [
            { id: 'a1', twin: twinInput(M.room, { name: 'A1' }) },
            { id: 'a2', twin: twinInput(M.room, { name: 'A2' }) },
          ],
          { actor: 'partner-key' },
        );
        await h.store.patchTwin('a1', [{ op: 'replace', path: '/name', value: 'A' }], { actor: 'user@example.com' });
        await h.store.deleteTwin('a2');
        const entries = await h.store.readChanges({ after: 0 });
        expect(entries.filter((e) => e.twinId).map((e) => [e.type, e.twinId, e.actor])).toEqual([
          ['Twin.Create', 'a1', 'partner-key'],
          ['Twin.Create', 'a2', 'partner-key'],
          ['Twin.Update', 'a1', 'user@example.com'],
          ['Twin.Delete', 'a2', undefined],
        ]);
        expect(entries.find((e) => e.type === 'Twin.Delete')).not.toHaveProperty('actor');
      });

      it('records a command invocation as Command.Invoke with its request, and returns the entry', async () => {
        await seedModels(h.store);
        await h.store.createTwin('r1', twinInput(M.room, { name: 'R1' }));
        const before = await h.store.latestSeq();
        const entries = await logged(() => h.store.recordCommand('r1', 'reboot', { delay: 5 }));
        expect(entries).toEqual([
          {
            seq: before + 1,
            time: h.clock.iso(),
            type: 'Command.Invoke',
            subject: 'r1',
            modelId: M.room,
            twinId: 'r1',
            body: { command: 'reboot', request: { delay: 5 } },
          },
        ]);
        expect(await h.store.recordCommand('r1', 'ping')).toEqual({
          ...entries[0],
          seq: entries[0].seq + 1,
          body: { command: 'ping' },
        });
      });

      it('refuses a command of an unknown twin with DigitalTwinNotFound, and a bad command name with InvalidArgument, logging nothing', async () => {
        await seedModels(h.store);
        const before = await h.store.latestSeq();
        await expectCode(h.store.recordCommand('nope', 'reboot'), 'DigitalTwinNotFound');
        await expectCode(h.store.recordCommand('nope', 'not a name'), 'InvalidArgument');
        expect(await h.store.latestSeq()).toBe(before);
      });

      it('records a Model.Create per uploaded model, with the record and its definition, numbered from 1', async () => {
        const entries = await logged(() => h.store.putModels([DOMAIN[0], DOMAIN[2]]));
        expect(entries).toEqual([
          {
            seq: 1,
            time: h.clock.iso(),
            type: 'Model.Create',
            subject: M.space,
            modelId: M.space,
            body: {
              id: M.space,
              uploadTime: h.clock.iso(),
              decommissioned: false,
              ancestors: [],
              dependencies: [],
              displayName: { en: 'Space' },
              definition: DOMAIN[0].definition,
            },
          },
          expect.objectContaining({ seq: 2, type: 'Model.Create', subject: M.building, modelId: M.building }),
        ]);
      });

      it('records Model.Decommission with the patch ADT uses, and Model.Delete with the last record', async () => {
        await seedModels(h.store);
        h.clock.advance(1000);
        const [decommission] = await logged(() => h.store.decommissionModel(M.sensor));
        expect(decommission).toEqual({
          seq: expect.any(Number),
          time: h.clock.iso(),
          type: 'Model.Decommission',
          subject: M.sensor,
          modelId: M.sensor,
          patch: [{ op: 'replace', path: '/decommissioned', value: true }],
          body: expect.objectContaining({ id: M.sensor, decommissioned: true }),
        });
        const [deletion] = await logged(() => h.store.deleteModel(M.sensor));
        expect(deletion).toMatchObject({
          type: 'Model.Delete',
          subject: M.sensor,
          modelId: M.sensor,
          body: { id: M.sensor, decommissioned: true },
        });
      });

      it('records Twin.Create with the new twin', async () => {
        await seedModels(h.store);
        let twin!: Twin;
        const entries = await logged(
          async () => (twin = await h.store.createTwin('x', twinInput(M.room, { name: 'A' }))),
        );
        expect(entries).toEqual([
          {
            seq: expect.any(Number),
            time: h.clock.iso(),
            type: 'Twin.Create',
            subject: 'x',
            modelId: M.room,
            twinId: 'x',
            body: twin,
          },
        ]);
      });

      it('records Twin.Update for a patch, with the patch as given and the new state', async () => {
        await seedModels(h.store);
        await h.store.createTwin('x', twinInput(M.room, { name: 'A', area: 1 }));
        h.clock.advance(1000);
        const patch = [
          { op: 'replace' as const, path: '/name', value: 'B' },
          { op: 'remove' as const, path: '/area' },
        ];
        let twin!: Twin;
        const entries = await logged(async () => (twin = await h.store.patchTwin('x', patch)));
        expect(entries).toEqual([
          {
            seq: expect.any(Number),
            time: h.clock.iso(),
            type: 'Twin.Update',
            subject: 'x',
            modelId: M.room,
            twinId: 'x',
            patch,
            body: twin,
          },
        ]);
      });

      it('records Twin.Update for a replace, with a patch that turns the previous state into the new one', async () => {
        await seedModels(h.store);
        const before = await h.store.createTwin(
          'x',
          twinInput(M.room, { name: 'A', area: 1, address: { city: 'Oslo' } }),
        );
        for (const replace of [
          () =>
            h.store.replaceTwin(
              'x',
              twinInput(M.conferenceRoom, { name: 'B', address: { city: 'Oslo', zip: '1' }, seats: 4 }),
            ),
          () => h.store.createTwin('x', twinInput(M.room, { name: 'B' })),
        ]) {
          const previous = await h.store.getTwin('x');
          const [entry] = await logged(replace);
          const after = await h.store.getTwin('x');
          expect(entry).toMatchObject({
            type: 'Twin.Update',
            subject: 'x',
            modelId: after.$metadata.$model,
            twinId: 'x',
            body: after,
          });
          expect(applyPatch(deepClone(patchable(previous)), entry.patch as never).newDocument).toEqual(
            patchable(after),
          );
        }
        expect(before.$dtId).toBe('x');
      });

      it('records Twin.Delete with the last state of the twin', async () => {
        await seedModels(h.store);
        await h.store.createTwin('x', twinInput(M.room, { name: 'A' }));
        const last = await h.store.patchTwin('x', [{ op: 'add', path: '/area', value: 3 }]);
        const entries = await logged(() => h.store.deleteTwin('x'));
        expect(entries).toEqual([
          {
            seq: expect.any(Number),
            time: h.clock.iso(),
            type: 'Twin.Delete',
            subject: 'x',
            modelId: M.room,
            twinId: 'x',
            body: last,
          },
        ]);
      });

      it('records relationship changes under twinId/relationships/relationshipId, with the source twin and its model', async () => {
        await seedModels(h.store);
        await h.store.createTwins([
          { id: 'f', twin: twinInput(M.floor) },
          { id: 'r', twin: twinInput(M.room) },
          { id: 'r2', twin: twinInput(M.room) },
        ]);
        const subject = { subject: 'f/relationships/f-r', modelId: M.floor, twinId: 'f', relationshipId: 'f-r' };
        const created = await h.store.putRelationship('f', 'f-r', rel('r', 'hasRoom', { w: 1 }));
        const [create] = await h.store.readChanges({ after: (await h.store.latestSeq()) - 1 });
        expect(create).toEqual({
          seq: expect.any(Number),
          time: h.clock.iso(),
          type: 'Relationship.Create',
          ...subject,
          body: created,
        });

        const patch = [{ op: 'replace' as const, path: '/w', value: 2 }];
        let patched!: unknown;
        const [update] = await logged(async () => (patched = await h.store.patchRelationship('f', 'f-r', patch)));
        expect(update).toEqual({
          seq: expect.any(Number),
          time: h.clock.iso(),
          type: 'Relationship.Update',
          ...subject,
          patch,
          body: patched,
        });

        const [replace] = await logged(() => h.store.putRelationship('f', 'f-r', rel('r2', 'hasRoom', { x: true })));
        const replaced = await h.store.getRelationship('f', 'f-r');
        expect(replace).toMatchObject({ type: 'Relationship.Update', ...subject, body: replaced });
        const strip = ({
          $etag: _e,
          $sourceId: _s,
          $relationshipId: _i,
          ...rest
        }: Record<string, unknown>): Record<string, unknown> => rest;
        expect(
          applyPatch(deepClone(strip(patched as Record<string, unknown>)), replace.patch as never).newDocument,
        ).toEqual(strip(replaced));

        const [deletion] = await logged(() => h.store.deleteRelationship('f', 'f-r'));
        expect(deletion).toEqual({
          seq: expect.any(Number),
          time: h.clock.iso(),
          type: 'Relationship.Delete',
          ...subject,
          body: replaced,
        });
      });

      it('numbers the entries of a batch contiguously, in the order of the batch', async () => {
        await seedModels(h.store);
        const twins = await logged(() =>
          h.store.createTwins(['c', 'a', 'b'].map((id) => ({ id, twin: twinInput(M.room) }))),
        );
        expect(twins.map((e) => `${e.type} ${e.subject}`)).toEqual(['Twin.Create c', 'Twin.Create a', 'Twin.Create b']);
        const relationships = await logged(() =>
          h.store.putRelationships([
            { sourceId: 'b', relationshipId: '2', relationship: rel('a', 'next') },
            { sourceId: 'a', relationshipId: '1', relationship: rel('c', 'next') },
          ]),
        );
        expect(relationships.map((e) => e.subject)).toEqual(['b/relationships/2', 'a/relationships/1']);
      });

      it('appends nothing for a write that fails', async () => {
        await seedModels(h.store);
        await h.store.createTwin('x', twinInput(M.room));
        const seq = await h.store.latestSeq();
        const failures: (() => Promise<unknown>)[] = [
          () => h.store.putModels([DOMAIN[0]]),
          () => h.store.createTwin('y', twinInput('dtmi:test:Nope;1')),
          () =>
            h.store.createTwins([
              { id: 'y', twin: twinInput(M.room) },
              { id: 'z', twin: { bad: true } as never },
            ]),
          () => h.store.patchTwin('x', [{ op: 'replace', path: '/nope', value: 1 }]),
          () => h.store.patchTwin('x', [{ op: 'add', path: '/a', value: 1 }], { ifMatch: 'W/"stale"' }),
          () => h.store.deleteTwin('nope'),
          () => h.store.putRelationship('x', 'r', rel('nope', 'next')),
          () => h.store.putRelationship('x', 'r', rel('x', 'next')),
          () => h.store.deleteModel(M.space),
          () => h.store.appendMetrics([{ twinId: 'nope', name: 't', time: '2024-01-01T00:00:00Z', value: 1 }]),
        ];
        for (const failure of failures) await expect(failure()).rejects.toBeDefined();
        expect(await h.store.latestSeq()).toBe(seq);
        expect(await h.store.readChanges({ after: seq })).toEqual([]);
      });
    });

    describe('reading', () => {
      beforeEach(async () => {
        await seedModels(h.store);
        for (let i = 1; i <= 5; i++) {
          h.clock.advance(1000);
          await h.store.createTwin(`t${i}`, twinInput(M.room));
        }
      });

      it('reads the entries after a seq, oldest first, at most limit', async () => {
        const latest = await h.store.latestSeq();
        expect(latest).toBe(DOMAIN.length + 5);
        expect((await h.store.readChanges({ after: latest - 3 })).map((e) => e.subject)).toEqual(['t3', 't4', 't5']);
        expect((await h.store.readChanges({ after: latest - 4, limit: 2 })).map((e) => e.subject)).toEqual([
          't2',
          't3',
        ]);
        expect(await h.store.readChanges({ after: latest })).toEqual([]);
        expect((await h.store.readChanges({ after: 0 })).map((e) => e.seq)).toEqual(
          Array.from({ length: latest }, (_, i) => i + 1),
        );
      });

      it("stamps each entry with its write's time", async () => {
        const entries = await h.store.readChanges({ after: DOMAIN.length });
        expect(entries.map((e) => e.time)).toEqual([-4000, -3000, -2000, -1000, 0].map((ms) => h.clock.iso(ms)));
      });
    });

    describe('pruning', () => {
      beforeEach(async () => {
        // Seven model entries at 12:00, then t1…t5 a second apart.
        await seedModels(h.store);
        for (let i = 1; i <= 5; i++) {
          h.clock.advance(1000);
          await h.store.createTwin(`t${i}`, twinInput(M.room));
        }
      });
      const first = DOMAIN.length + 1;

      it('removes the entries older than before', async () => {
        expect(await h.store.pruneChanges({ before: h.clock.iso(-2000) })).toBe(DOMAIN.length + 2);
        expect(await h.store.firstSeq()).toBe(first + 2);
        expect((await h.store.readChanges({ after: 0 })).map((e) => e.subject)).toEqual(['t3', 't4', 't5']);
        expect((await h.store.counts()).changes).toBe(3);
      });

      it('removes the entries beyond the newest keepLast', async () => {
        expect(await h.store.pruneChanges({ keepLast: 2 })).toBe(DOMAIN.length + 3);
        expect((await h.store.readChanges({ after: 0 })).map((e) => e.subject)).toEqual(['t4', 't5']);
      });

      it('with before and keepLast, removes only entries that are both older and beyond the newest keepLast', async () => {
        expect(await h.store.pruneChanges({ before: h.clock.iso(-2000), keepLast: 4 })).toBe(DOMAIN.length + 1);
        expect((await h.store.readChanges({ after: 0 })).map((e) => e.subject)).toEqual(['t2', 't3', 't4', 't5']);
        expect(await h.store.pruneChanges({ before: h.clock.iso(-3000), keepLast: 1 })).toBe(0);
      });

      it('removes nothing without a bound', async () => {
        expect(await h.store.pruneChanges({})).toBe(0);
        expect(await h.store.firstSeq()).toBe(1);
      });

      it('never takes latestSeq back: after pruning everything, numbering goes on', async () => {
        const latest = await h.store.latestSeq();
        expect(await h.store.pruneChanges({ keepLast: 0 })).toBe(latest);
        expect(await h.store.latestSeq()).toBe(latest);
        expect(await h.store.firstSeq()).toBe(latest + 1);
        expect(await h.store.readChanges({ after: 0 })).toEqual([]);
        expect((await h.store.counts()).changes).toBe(0);
        await h.store.createTwin('t6', twinInput(M.room));
        expect((await h.store.readChanges({ after: 0 })).map((e) => [e.seq, e.subject])).toEqual([[latest + 1, 't6']]);
        expect(await h.store.firstSeq()).toBe(latest + 1);
      });
    });

    describe('onCommit', () => {
      beforeEach(() => seedModels(h.store));

      it('tells listeners the newest seq after each committed write, by the time the write resolves', async () => {
        const heard: number[] = [];
        h.store.onCommit((seq) => heard.push(seq));
        await h.store.createTwin('a', twinInput(M.room));
        expect(heard).toEqual([await h.store.latestSeq()]);
        await h.store.createTwins(['b', 'c'].map((id) => ({ id, twin: twinInput(M.room) })));
        expect(heard[heard.length - 1]).toBe(await h.store.latestSeq());
        await h.store.appendMetrics([{ twinId: 'a', name: 't', time: '2024-01-01T00:00:00Z', value: 1 }]);
        await h.store.putModels([modelInput('dtmi:test:Extra;1')]);
        expect(heard).toHaveLength(4);
        expect(heard[heard.length - 1]).toBe(await h.store.latestSeq());
      });

      it('does not call listeners after a failed write, or a write that logged nothing', async () => {
        const heard: number[] = [];
        h.store.onCommit((seq) => heard.push(seq));
        await expectCode(h.store.createTwin('a', twinInput('dtmi:test:Nope;1')), 'ModelNotFound');
        await h.store.appendMetrics([]);
        await h.store.pruneChanges({ keepLast: 1 });
        expect(heard).toEqual([]);
      });

      it('stops calling a listener once unsubscribed, and keeps calling the others', async () => {
        const a: number[] = [];
        const b: number[] = [];
        const stop = h.store.onCommit((seq) => a.push(seq));
        h.store.onCommit((seq) => b.push(seq));
        await h.store.createTwin('x', twinInput(M.room));
        stop();
        await h.store.createTwin('y', twinInput(M.room));
        expect(a).toHaveLength(1);
        expect(b).toHaveLength(2);
      });

      it('lets a listener that throws neither fail the write nor silence the others', async () => {
        const heard: number[] = [];
        h.store.onCommit(() => {
          throw new Error('listener failure');
        });
        h.store.onCommit((seq) => heard.push(seq));
        await h.store.createTwin('x', twinInput(M.room));
        expect(heard).toEqual([await h.store.latestSeq()]);
        expect((await h.store.getTwin('x')).$dtId).toBe('x');
      });
    });
  });
}
