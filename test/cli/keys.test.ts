/**
 * `twingraph keys create | list | revoke`: keys made in the store the environment names, printed once (as
 * text or JSON), listed without their secret, revoked by name; wrong options are usage errors (exit 2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiKeys } from '../../src/access/api-keys';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { runCli } from '../support/cli';

let dir: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-cli-keys-'));
  process.env.TWINGRAPH_DB = path.join(dir, 'keys.db');
  process.env.LOG_LEVEL = 'silent';
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(dir, { recursive: true, force: true });
});

const verify = async (key: string) => {
  const store = openSqliteStore({ path: process.env.TWINGRAPH_DB! });
  try {
    return await new ApiKeys(store).verify(key);
  } finally {
    await store.close();
  }
};

it('creates a key and prints it once as JSON; the key verifies to its role, models and expiry', async () => {
  const { code, out } = await runCli(
    'keys',
    'create',
    '--name',
    'partner',
    '--role',
    'writer',
    '--models',
    'dtmi:twingraph:demo:Device;1',
    '--expires',
    'P90D',
    '--json',
  );
  expect(code).toBe(0);
  const created = JSON.parse(out);
  expect(created).toEqual({
    name: 'partner',
    role: 'writer',
    key: expect.stringMatching(/^tgk_/),
    expires: expect.any(String),
    models: ['dtmi:twingraph:demo:Device;1'],
  });
  expect(Date.parse(created.expires) - Date.now()).toBeGreaterThan(89 * 86_400_000);
  expect(await verify(created.key)).toMatchObject({
    name: 'partner',
    role: 'writer',
    models: ['dtmi:twingraph:demo:Device;1'],
  });
});

it('prints the key with how to use it in text, lists keys without secrets, and revokes by name', async () => {
  const created = await runCli('keys', 'create', '--name', 'dashboard', '--role', 'reader');
  const key = created.out.split('\n')[0];
  expect(created.out).toContain("The API key 'dashboard' (reader)");
  expect(created.out).toContain('Authorization: Bearer <key>');
  const listed = await runCli('keys', 'list', '--json');
  expect(JSON.parse(listed.out)).toEqual([{ name: 'dashboard', role: 'reader', created: expect.any(String) }]);
  expect(listed.out).not.toContain(key.slice(4, 20));
  expect((await runCli('keys', 'revoke', 'dashboard')).code).toBe(0);
  await expect(verify(key)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  expect((await runCli('keys', 'list')).out).toMatch(/^dashboard\treader\tall models\tcreated .*\tREVOKED /);
});

it.each([
  [['keys', 'create', '--name', 'x', '--role', 'root'], /--role is one of reader, writer, modeler, admin/],
  [['keys', 'create', '--name', 'x', '--role', 'reader', '--models', 'Room'], /--models takes DTMIs/],
  [
    ['keys', 'create', '--name', 'x', '--role', 'reader', '--expires', 'tomorrow'],
    /--expires takes an ISO 8601 duration/,
  ],
  [['keys', 'revoke', 'nobody'], /no API key 'nobody'/],
])('answers %j with a usage error (exit 2)', async (argv, message) => {
  const { code, err } = await runCli(...argv);
  expect(code).toBe(2);
  expect(err).toMatch(message);
});

it('refuses a second key of the same name (exit 1), keeping the first', async () => {
  await runCli('keys', 'create', '--name', 'partner', '--role', 'reader');
  const { code, err } = await runCli('keys', 'create', '--name', 'partner', '--role', 'admin');
  expect({ code, err }).toEqual({
    code: 1,
    err: "twingraph: An API key named 'partner' exists already (names are never reused). (KeyAlreadyExists)\n",
  });
});
