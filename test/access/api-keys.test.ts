/**
 * API keys: shown once, stored as a hash, verified to the identity they were created for, refused once
 * revoked or expired (with the reason), and checked against the store again within seconds of a revocation
 * made elsewhere (another replica, the command line).
 */
import { ApiKeys, KEY_PREFIX } from '../../src/access/api-keys';
import { addIsoDuration } from '../../src/access/iso-duration';
import { openSqliteStore } from '../../src/store/sqlite/store';
import type { TwinStore } from '../../src/store/port';

describe('API keys', () => {
  let store: TwinStore;
  let now: number;
  let keys: ApiKeys;
  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    now = Date.parse('2026-12-01T00:00:00Z');
    keys = new ApiKeys(store, () => now);
  });
  afterEach(() => store.close());

  it('creates a key shown once and stores only its hash; the key verifies to its name, role and models', async () => {
    const created = await keys.create({ name: 'partner', role: 'writer', models: ['dtmi:a:B;1'], expires: 'P30D' });
    expect(created).toEqual({
      name: 'partner',
      role: 'writer',
      key: expect.stringMatching(/^tgk_[A-Za-z0-9_-]{43}$/),
      expires: '2026-12-31T00:00:00.000Z',
      models: ['dtmi:a:B;1'],
    });
    const [stored] = await store.listKeys();
    expect(JSON.stringify(stored)).not.toContain(created.key.slice(KEY_PREFIX.length));
    expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await keys.verify(created.key)).toEqual({
      name: 'partner',
      via: 'key',
      role: 'writer',
      models: ['dtmi:a:B;1'],
      expiresAt: Date.parse('2026-12-31T00:00:00Z'),
    });
  });

  it('refuses a key once it has expired, and a key that was never created', async () => {
    const { key } = await keys.create({ name: 'short', role: 'reader', expires: 'PT1H' });
    now += 3_600_000;
    await expect(keys.verify(key)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining("'short' expired at 2026-12-01T01:00:00.000Z"),
    });
    await expect(keys.verify(`tgk_${'x'.repeat(43)}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('not known'),
    });
  });

  it('refuses a revoked key at once here, and within seconds where the revocation was made elsewhere', async () => {
    const { key } = await keys.create({ name: 'gone', role: 'reader' });
    const elsewhere = new ApiKeys(store, () => now);
    await elsewhere.verify(key);
    expect(await keys.revoke('gone')).toBe(true);
    await expect(keys.verify(key)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('revoked'),
    });
    // The other process remembers the key it verified for a few seconds, then asks the store again.
    await expect(elsewhere.verify(key)).resolves.toMatchObject({ name: 'gone' });
    now += 11_000;
    await expect(elsewhere.verify(key)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it.each([
    [{ name: 'bad name!', role: 'reader' }, /name/],
    [{ name: 'x', role: 'root' }, /role/],
    [{ name: 'x', role: 'reader', expires: 'soon' }, /--expires/],
    [{ name: 'x', role: 'reader', expires: '2020-01-01T00:00:00Z' }, /not in the future/],
  ])('refuses to create %j', async (request, reason) => {
    await expect(keys.create(request as never)).rejects.toThrow(reason);
    expect(await store.listKeys()).toEqual([]);
  });
});

describe('ISO 8601 durations', () => {
  const from = new Date('2026-01-31T12:00:00Z');
  it.each([
    ['P1D', '2026-02-01T12:00:00.000Z'],
    ['PT90M', '2026-01-31T13:30:00.000Z'],
    ['P1Y2M', '2027-03-31T12:00:00.000Z'],
    ['P2W', '2026-02-14T12:00:00.000Z'],
  ])('%s after 2026-01-31T12:00Z is %s', (duration, expected) => {
    expect(addIsoDuration(from, duration)!.toISOString()).toBe(expected);
  });
  it.each(['P', 'PT', '1D', 'P1H', 'P-1D'])('%s is not a duration', (text) => {
    expect(addIsoDuration(from, text)).toBeUndefined();
  });
});
