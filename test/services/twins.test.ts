/**
 * The twin service's rules, which every write path shares (the generic mutations, the per-model ones, and any
 * other caller): a twin is updated or commanded through one of its models only if it is of that model or of
 * one extending it; an ETag condition is read one way everywhere (absent: none; `*`: any state; an ETag: that
 * state; empty: matches nothing); a patch that changes nothing writes nothing; what is refused writes nothing.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/config';
import { DEMO_MODELS } from '../../src/demo/models';
import { collectDocuments } from '../../src/dtdl';
import { isTwingraphError } from '../../src/errors';
import { ModelService } from '../../src/services/models';
import { TwinService } from '../../src/services/twins';
import { openSqliteStore } from '../../src/store/sqlite/store';
import type { TwinStore } from '../../src/store/port';
import type { JsonPatch, Twin } from '../../src/store/types';

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isTwingraphError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the write to be refused');
}

describe('TwinService', () => {
  let store: TwinStore;
  let twins: TwinService;
  let client: Twin;
  beforeEach(async () => {
    store = openSqliteStore({ path: ':memory:' });
    const models = new ModelService(store);
    await models.upload(collectDocuments([path.join(PACKAGE_ROOT, 'dtdl')]).map((d) => d.text));
    twins = new TwinService(store, () => models.current);
    client = await twins.create('acme', DEMO_MODELS.client, { name: 'Acme', industry: 'banking' });
    await twins.create('dev-1', DEMO_MODELS.device, { deviceType: 'press' });
  });
  afterEach(() => store.close());

  const rename = (name: string) => (): JsonPatch => [{ op: 'replace', path: '/name', value: name }];

  describe('update through a model', () => {
    it("writes through the twin's own model and through a model it extends", async () => {
      await twins.update('acme', DEMO_MODELS.client, rename('Acme Ltd'));
      const updated = await twins.update('acme', DEMO_MODELS.party, rename('Acme plc'));
      expect(updated).toMatchObject({ name: 'Acme plc' });
    });

    it('refuses a model the twin is not of, and writes nothing', async () => {
      const refused = await rejection(twins.update('dev-1', DEMO_MODELS.client, rename('x')));
      expect(refused.code).toBe('InvalidArgument');
      expect(refused.message).toMatch(/is a dtmi:twingraph:demo:Device;1, not a dtmi:twingraph:demo:Client;1/);
      expect(await store.getTwin('dev-1')).toMatchObject({ deviceType: 'press' });
    });

    it('writes nothing for an empty patch, and returns the twin as it is (same ETag, no change logged)', async () => {
      const seq = await store.latestSeq();
      const same = await twins.update('acme', DEMO_MODELS.client, () => [], { ifMatch: client.$etag });
      expect(same.$etag).toBe(client.$etag);
      expect(await store.latestSeq()).toBe(seq);
    });

    it('still checks the ETag of an empty patch', async () => {
      await twins.update('acme', DEMO_MODELS.client, rename('Moved on'));
      const refused = await rejection(twins.update('acme', DEMO_MODELS.client, () => [], { ifMatch: client.$etag }));
      expect(refused.code).toBe('PreconditionFailed');
    });

    it('says the twin is not there', async () => {
      expect((await rejection(twins.update('nobody', DEMO_MODELS.client, rename('x')))).code).toBe(
        'DigitalTwinNotFound',
      );
    });
  });

  describe('ifMatch, the same on every write', () => {
    const patch: JsonPatch = [{ op: 'replace', path: '/name', value: 'New' }];

    it('absent: no condition; `*`: any state; the current ETag: that state', async () => {
      await twins.patch('acme', patch);
      const current = await store.getTwin('acme');
      await twins.patch('acme', patch, { ifMatch: '*' });
      const again = await store.getTwin('acme');
      await expect(twins.patch('acme', patch, { ifMatch: again.$etag })).resolves.toMatchObject({ name: 'New' });
      expect(again.$etag).not.toBe(current.$etag);
    });

    it('a stale ETag is PreconditionFailed, with nothing written', async () => {
      await twins.patch('acme', patch);
      const refused = await rejection(
        twins.patch('acme', [{ op: 'replace', path: '/name', value: 'Lost' }], { ifMatch: client.$etag }),
      );
      expect(refused).toMatchObject({ code: 'PreconditionFailed' });
      expect(refused.message).toMatch(/has changed since ETag/);
      expect(await store.getTwin('acme')).toMatchObject({ name: 'New' });
    });

    it('an empty ETag matches nothing: every write path refuses it with the same words, and writes nothing', async () => {
      await twins.create('eng-1', DEMO_MODELS.engagement, {});
      await twins.putRelationship('acme', 'r1', { $targetId: 'eng-1', $relationshipName: 'hasEngagement' });
      const relationship = await store.getRelationship('acme', 'r1');
      const writes: [string, () => Promise<unknown>][] = [
        ['patch', () => twins.patch('acme', patch, { ifMatch: '' })],
        ['update', () => twins.update('acme', DEMO_MODELS.client, rename('x'), { ifMatch: '' })],
        ['delete', () => twins.delete('acme', { ifMatch: '' })],
        [
          'patchRelationship',
          () =>
            twins.patchRelationship('acme', 'r1', [{ op: 'add', path: '/since', value: '2024-01-01' }], {
              ifMatch: '',
            }),
        ],
        ['deleteRelationship', () => twins.deleteRelationship('acme', 'r1', { ifMatch: '' })],
      ];
      for (const [name, write] of writes) {
        const refused = await rejection(write());
        expect({ name, ...refused }).toMatchObject({ name, code: 'PreconditionFailed' });
        expect(refused.message).toMatch(/ifMatch is empty/);
      }
      expect(await store.getTwin('acme')).toMatchObject({ name: 'Acme', $etag: client.$etag });
      expect(await store.getRelationship('acme', 'r1')).toEqual(relationship);
    });
  });

  describe('commands', () => {
    it("records a command of the twin's model, its request validated", async () => {
      const change = await twins.invokeCommand('dev-1', DEMO_MODELS.device, 'reboot', 5);
      expect(change).toMatchObject({ type: 'Command.Invoke', twinId: 'dev-1' });
      expect((await rejection(twins.invokeCommand('dev-1', DEMO_MODELS.device, 'reboot', 'soon'))).code).toBe(
        'ValidationFailed',
      );
    });

    it('refuses a command of a model the twin is not of', async () => {
      const seq = await store.latestSeq();
      const refused = await rejection(twins.invokeCommand('acme', DEMO_MODELS.device, 'reboot', 5));
      expect(refused.code).toBe('InvalidArgument');
      expect(refused.message).toMatch(/has no command 'reboot'/);
      expect(await store.latestSeq()).toBe(seq);
    });
  });
});
