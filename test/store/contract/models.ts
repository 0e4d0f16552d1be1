/** Models: upload, list, get, decommission and delete, with ADT's model rules. */
import {
  DOMAIN,
  expectCode,
  expectRefused,
  M,
  modelInput,
  rel,
  seedModels,
  sorted,
  twinInput,
  useStore,
  type OpenStore,
} from '../../support/store-fixtures';

export function modelsContract(open: OpenStore): void {
  describe('models', () => {
    const h = useStore(open);

    describe('putModels', () => {
      it('stores the models and returns their records, stamped with the upload time and without definitions', async () => {
        const records = await h.store.putModels([DOMAIN[0], DOMAIN[2]]);
        expect(records).toEqual([
          {
            id: M.space,
            uploadTime: h.clock.iso(),
            decommissioned: false,
            ancestors: [],
            dependencies: [],
            displayName: { en: 'Space' },
          },
          {
            id: M.building,
            uploadTime: h.clock.iso(),
            decommissioned: false,
            ancestors: [M.space],
            dependencies: [M.space],
            displayName: { en: 'Building' },
          },
        ]);
        expect(sorted((await h.store.listModels()).map((m) => m.id))).toEqual([M.building, M.space]);
      });

      it('accepts models that depend on each other within one upload, in any order', async () => {
        const [room, space, thermostat] = [DOMAIN[4], DOMAIN[0], DOMAIN[1]];
        await h.store.putModels([room, space, thermostat]);
        expect(sorted((await h.store.listModels()).map((m) => m.id))).toEqual(sorted([M.room, M.space, M.thermostat]));
      });

      it('accepts a model that depends on a model uploaded earlier', async () => {
        await h.store.putModels([DOMAIN[0]]);
        h.clock.advance(1000);
        const [floor] = await h.store.putModels([DOMAIN[3]]);
        expect(floor.uploadTime).toBe(h.clock.iso());
        expect((await h.store.getModel(M.space)).uploadTime).toBe(h.clock.iso(-1000));
      });

      it('refuses to upload a model again with ModelAlreadyExists, naming every model that exists, and stores none of the upload', async () => {
        await h.store.putModels([DOMAIN[0], DOMAIN[1]]);
        const seq = await h.store.latestSeq();
        const sensor = modelInput(M.sensor);
        const error = await expectCode(h.store.putModels([sensor, DOMAIN[1], DOMAIN[0]]), 'ModelAlreadyExists');
        expect(sorted(error.subject.related ?? [])).toEqual(sorted([M.space, M.thermostat]));
        await expectCode(h.store.getModel(M.sensor), 'ModelNotFound');
        expect(await h.store.latestSeq()).toBe(seq);
      });

      it('refuses an upload that holds the same model twice with InvalidArgument', async () => {
        await expectCode(h.store.putModels([DOMAIN[0], DOMAIN[0]]), 'InvalidArgument', { modelId: M.space });
        expect(await h.store.listModels()).toEqual([]);
      });

      it('refuses a model whose dependency is neither stored nor uploaded with it, with ModelNotFound naming the dependency', async () => {
        await expectCode(h.store.putModels([DOMAIN[1], DOMAIN[4]]), 'ModelNotFound', { modelId: M.space });
        expect(await h.store.listModels()).toEqual([]);
        expect(await h.store.latestSeq()).toBe(0);
      });

      it.each([['room'], ['urn:test:Room;1'], ['dtmi:test:bad name;1'], ['dtmi:test:Room;1#fragment'], ['']])(
        'refuses %j, which is not an interface DTMI, with InvalidArgument',
        async (id) => {
          await expectCode(h.store.putModels([modelInput(id)]), 'InvalidArgument');
          expect(await h.store.listModels()).toEqual([]);
        },
      );

      it('refuses dependencies that are not DTMIs with InvalidArgument', async () => {
        await expectCode(
          h.store.putModels([{ ...modelInput(M.sensor), dependencies: ['not a dtmi'] }]),
          'InvalidArgument',
        );
      });
    });

    describe('listModels and getModel', () => {
      beforeEach(() => seedModels(h.store));

      it('lists every model, without definitions unless asked for', async () => {
        const models = await h.store.listModels();
        expect(sorted(models.map((m) => m.id))).toEqual(sorted(DOMAIN.map((m) => m.id)));
        for (const model of models) expect(model).not.toHaveProperty('definition');
      });

      it('includes each DTDL definition, as uploaded, with includeDefinition', async () => {
        const models = await h.store.listModels({ includeDefinition: true });
        for (const input of DOMAIN) expect(models.find((m) => m.id === input.id)?.definition).toEqual(input.definition);
      });

      it('lists, with dependenciesFor, the given models and every model they depend on, transitively', async () => {
        const models = await h.store.listModels({ dependenciesFor: [M.conferenceRoom] });
        expect(sorted(models.map((m) => m.id))).toEqual(sorted([M.conferenceRoom, M.room, M.space, M.thermostat]));
        const two = await h.store.listModels({ dependenciesFor: [M.building, M.sensor], includeDefinition: true });
        expect(sorted(two.map((m) => m.id))).toEqual(sorted([M.building, M.space, M.sensor]));
        expect(two.every((m) => m.definition !== undefined)).toBe(true);
      });

      it('refuses dependenciesFor an unknown model with ModelNotFound', async () => {
        await expectCode(h.store.listModels({ dependenciesFor: [M.room, 'dtmi:test:Nope;1'] }), 'ModelNotFound', {
          modelId: 'dtmi:test:Nope;1',
        });
      });

      it('gets one model by id, with its definition when asked', async () => {
        const room = await h.store.getModel(M.room);
        expect(room).toEqual({
          id: M.room,
          uploadTime: h.clock.iso(),
          decommissioned: false,
          ancestors: [M.space],
          dependencies: [M.space, M.thermostat],
          displayName: { en: 'Room' },
        });
        expect((await h.store.getModel(M.room, { includeDefinition: true })).definition).toEqual(DOMAIN[4].definition);
      });

      it('says ModelNotFound for an unknown model id', async () => {
        await expectCode(h.store.getModel('dtmi:test:Nope;1'), 'ModelNotFound', { modelId: 'dtmi:test:Nope;1' });
      });
    });

    describe('decommissionModel', () => {
      beforeEach(() => seedModels(h.store));

      it('marks the model decommissioned and returns its record', async () => {
        const record = await h.store.decommissionModel(M.sensor);
        expect(record).toMatchObject({ id: M.sensor, decommissioned: true });
        expect((await h.store.getModel(M.sensor)).decommissioned).toBe(true);
        expect((await h.store.listModels()).find((m) => m.id === M.sensor)?.decommissioned).toBe(true);
      });

      it('is idempotent: decommissioning again changes nothing and logs nothing', async () => {
        await h.store.decommissionModel(M.sensor);
        const seq = await h.store.latestSeq();
        expect(await h.store.decommissionModel(M.sensor)).toMatchObject({ id: M.sensor, decommissioned: true });
        expect(await h.store.latestSeq()).toBe(seq);
      });

      it('says ModelNotFound for an unknown model', async () => {
        await expectCode(h.store.decommissionModel('dtmi:test:Nope;1'), 'ModelNotFound', {
          modelId: 'dtmi:test:Nope;1',
        });
      });

      it('refuses new twins of the model with ModelDecommissioned, while its existing twins can still be updated, replaced and deleted', async () => {
        await h.store.createTwin('s1', twinInput(M.sensor, { kind: 'temp' }));
        await h.store.decommissionModel(M.sensor);
        await expectRefused(
          h.store,
          ['s2'],
          () => h.store.createTwin('s2', twinInput(M.sensor)),
          'ModelDecommissioned',
          { modelId: M.sensor, twinId: 's2' },
        );
        await expectCode(h.store.createTwins([{ id: 's2', twin: twinInput(M.sensor) }]), 'ModelDecommissioned');

        expect((await h.store.patchTwin('s1', [{ op: 'replace', path: '/kind', value: 'co2' }])).kind).toBe('co2');
        expect((await h.store.replaceTwin('s1', twinInput(M.sensor, { kind: 'rh' }))).kind).toBe('rh');
        expect((await h.store.createTwin('s1', twinInput(M.sensor, { kind: 'lux' }))).kind).toBe('lux');
        await h.store.deleteTwin('s1');
        await expectCode(h.store.getTwin('s1'), 'DigitalTwinNotFound');
      });

      it('refuses to move a twin to a decommissioned model with ModelDecommissioned', async () => {
        await h.store.createTwin('x', twinInput(M.room));
        await h.store.decommissionModel(M.conferenceRoom);
        await expectRefused(
          h.store,
          ['x'],
          () => h.store.patchTwin('x', [{ op: 'replace', path: '/$metadata/$model', value: M.conferenceRoom }]),
          'ModelDecommissioned',
        );
        await expectRefused(
          h.store,
          ['x'],
          () => h.store.replaceTwin('x', twinInput(M.conferenceRoom)),
          'ModelDecommissioned',
        );
      });
    });

    describe('deleteModel', () => {
      beforeEach(() => seedModels(h.store));

      it('deletes a model that no other model references', async () => {
        await h.store.deleteModel(M.sensor);
        await expectCode(h.store.getModel(M.sensor), 'ModelNotFound');
        expect((await h.store.listModels()).map((m) => m.id)).not.toContain(M.sensor);
      });

      it('refuses, with ModelReferencesNotDeleted naming them, to delete a model that others extend or use as a component', async () => {
        const seq = await h.store.latestSeq();
        const extended = await expectCode(h.store.deleteModel(M.space), 'ModelReferencesNotDeleted', {
          modelId: M.space,
        });
        expect(sorted(extended.subject.related ?? [])).toEqual(sorted([M.building, M.floor, M.room]));
        const asComponent = await expectCode(h.store.deleteModel(M.thermostat), 'ModelReferencesNotDeleted', {
          modelId: M.thermostat,
        });
        expect(asComponent.subject.related).toEqual([M.room]);
        expect(await h.store.latestSeq()).toBe(seq);
        expect((await h.store.listModels()).length).toBe(DOMAIN.length);
      });

      it('allows deleting a model once the models referencing it are deleted', async () => {
        await h.store.deleteModel(M.conferenceRoom);
        await h.store.deleteModel(M.room);
        await h.store.deleteModel(M.thermostat);
        await expectCode(h.store.deleteModel(M.space), 'ModelReferencesNotDeleted');
        await h.store.deleteModel(M.building);
        await h.store.deleteModel(M.floor);
        await h.store.deleteModel(M.space);
        expect((await h.store.listModels()).map((m) => m.id)).toEqual([M.sensor]);
      });

      it('says ModelNotFound for an unknown model', async () => {
        await expectCode(h.store.deleteModel('dtmi:test:Nope;1'), 'ModelNotFound', { modelId: 'dtmi:test:Nope;1' });
      });

      it('lets a deleted model be uploaded again', async () => {
        await h.store.deleteModel(M.sensor);
        h.clock.advance(5000);
        const [again] = await h.store.putModels([DOMAIN[6]]);
        expect(again).toMatchObject({ id: M.sensor, uploadTime: h.clock.iso(), decommissioned: false });
      });

      it('keeps the twins of a deleted model readable and deletable; they cannot be patched (ModelNotFound) or get new relationships, but can be targets', async () => {
        await h.store.createTwin('s1', twinInput(M.sensor, { kind: 'temp' }));
        await h.store.createTwin('s2', twinInput(M.sensor, { kind: 'co2' }));
        await h.store.createTwin('r1', twinInput(M.room));
        await h.store.deleteModel(M.sensor);

        expect((await h.store.getTwin('s1')).$metadata.$model).toBe(M.sensor);
        await expectRefused(
          h.store,
          ['s1'],
          () => h.store.patchTwin('s1', [{ op: 'replace', path: '/kind', value: 'rh' }]),
          'ModelNotFound',
          {
            twinId: 's1',
            modelId: M.sensor,
          },
        );
        await expectCode(h.store.putRelationship('s1', 'x', rel('r1', 'near')), 'ModelNotFound', { twinId: 's1' });
        const incoming = await h.store.putRelationship('r1', 'r1-s1', rel('s1', 'hasSensor'));
        expect(incoming.$targetId).toBe('s1');

        // A replace may move it to a model that exists.
        const moved = await h.store.replaceTwin('s2', twinInput(M.room, { name: 'was a sensor' }));
        expect(moved.$metadata.$model).toBe(M.room);

        await h.store.deleteTwin('s1', { cascade: true });
        await expectCode(h.store.getTwin('s1'), 'DigitalTwinNotFound');
      });
    });
  });
}
