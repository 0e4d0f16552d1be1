/** API keys: stored by name with their hash, found by hash, revoked once, names never reused. */
import type { ApiKeyRecord } from '../../../src/store/port';
import { expectCode, useStore, type OpenStore } from '../../support/store-fixtures';

const key = (name: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  name,
  role: 'reader',
  hash: `${name}-hash`.padEnd(64, '0'),
  created: '2026-01-01T00:00:00.000Z',
  ...extra,
});

export function keysContract(open: OpenStore): void {
  describe('API keys', () => {
    const h = useStore(open);

    it('keeps a key as given and finds it by its hash; an unknown hash finds nothing', async () => {
      const partner = key('partner', {
        role: 'writer',
        models: ['dtmi:com:example:Room;1', 'dtmi:com:example:Floor;1'],
        expires: '2027-01-01T00:00:00.000Z',
      });
      await h.store.createKey(partner);
      await h.store.createKey(key('dashboard'));
      expect(await h.store.findKey(partner.hash)).toEqual(partner);
      expect(await h.store.findKey(key('dashboard').hash)).toEqual(key('dashboard'));
      expect(await h.store.findKey('f'.repeat(64))).toBeUndefined();
      expect((await h.store.listKeys()).map((k) => k.name)).toEqual(['dashboard', 'partner']);
    });

    it('refuses a second key of the same name with KeyAlreadyExists, keeping the first', async () => {
      await h.store.createKey(key('partner'));
      await expectCode(h.store.createKey(key('partner', { hash: 'a'.repeat(64), role: 'admin' })), 'KeyAlreadyExists');
      expect(await h.store.listKeys()).toEqual([key('partner')]);
    });

    it('revokes a key once: it is still listed and found, marked revoked, and its name stays taken', async () => {
      await h.store.createKey(key('partner'));
      expect(await h.store.revokeKey('partner', '2026-02-01T00:00:00.000Z')).toBe(true);
      expect(await h.store.revokeKey('partner', '2026-03-01T00:00:00.000Z')).toBe(false);
      expect(await h.store.revokeKey('nobody', '2026-03-01T00:00:00.000Z')).toBe(false);
      expect(await h.store.findKey(key('partner').hash)).toEqual({
        ...key('partner'),
        revoked: '2026-02-01T00:00:00.000Z',
      });
      await expectCode(h.store.createKey(key('partner', { hash: 'b'.repeat(64) })), 'KeyAlreadyExists');
    });
  });
}
