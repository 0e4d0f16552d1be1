/**
 * `twingraph mirror status [--json]`: the outbox's pending and dead counts and its dead letters, read from the
 * configured store (no ADT call, no worker in this process).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelService } from '../../src/services/models';
import { openStore } from '../../src/store/open';
import type { TwinStore } from '../../src/store/port';
import type { JsonObject, TwinInput } from '../../src/store/types';
import { startAdtServer } from '../support/adt-server';
import { runCli } from '../support/cli';

const PARTY = 'dtmi:twingraph:demo:Party;1';
const partyModel = fs.readFileSync(path.join(__dirname, '..', '..', 'dtdl', 'Party.json'), 'utf8');

let dir: string;
let file: string;
const savedEnv = { ...process.env };

async function withStore<T>(outbox: boolean, run: (store: TwinStore) => Promise<T>): Promise<T> {
  const store = await openStore({ kind: 'sqlite', path: file, outbox });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** A store whose outbox holds the model upload and `twins` twin creates; the first `dead` twin creates are dead letters. */
async function outboxWith(twins: number, dead: number): Promise<{ pending: number; deadSeqs: number[] }> {
  return withStore(true, async (store) => {
    const models = new ModelService(store);
    await models.load();
    await models.upload([partyModel]);
    for (let i = 1; i <= twins; i++) await store.createTwin(`p-${i}`, { $metadata: { $model: PARTY }, name: `P${i}` } as TwinInput);
    const deadSeqs: number[] = [];
    const claimed = await store.claimOutbox({ limit: 1000, leaseMs: 60_000 });
    const creates = claimed.filter((e) => e.change.type === 'Twin.Create').slice(0, dead);
    for (const e of creates) {
      await store.failOutbox(e.seq, { error: `400 ValidationFailed: twin ${e.change.subject} refused`, dead: true });
      deadSeqs.push(e.seq);
    }
    await store.releaseOutbox(claimed.filter((e) => !deadSeqs.includes(e.seq)).map((e) => e.seq));
    const stats = await store.outboxStats();
    expect(stats.dead).toBe(dead);
    return { pending: stats.pending, deadSeqs };
  });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-cli-mirror-'));
  file = path.join(dir, 'tg.db');
  process.env.TWINGRAPH_DB = file;
  process.env.TWINGRAPH_SEED = 'none';
  process.env.LOG_LEVEL = 'silent';
  delete process.env.ADT_ENDPOINT;
});
afterEach(() => {
  process.env = { ...savedEnv };
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('twingraph mirror status', () => {
  it('prints pending and dead counts and each dead letter', async () => {
    const { pending, deadSeqs } = await outboxWith(3, 1);
    expect(pending).toBe(3); // the model and two twins
    const { code, out, err } = await runCli('mirror', 'status');
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('endpoint: (ADT_ENDPOINT not set: no mirror)');
    expect(lines[1]).toMatch(/^pending: {2}3 \(oldest waiting \d+\.\d s\)$/);
    expect(lines[2]).toBe('dead:     1');
    expect(lines.slice(3)).toEqual([`  #${deadSeqs[0]} Twin.Create p-1 (1 attempts): 400 ValidationFailed: twin p-1 refused`]);
  });

  it('--json prints the same as JSON', async () => {
    const { deadSeqs } = await outboxWith(3, 1);
    const { code, out } = await runCli('mirror', 'status', '--json');
    expect(code).toBe(0);
    const status = JSON.parse(out) as JsonObject;
    expect(status).toEqual({
      endpoint: null,
      pending: 3,
      dead: 1,
      oldestPendingTime: expect.any(String),
      oldestPendingAgeSeconds: expect.any(Number),
      deadLetters: [{ seq: deadSeqs[0], type: 'Twin.Create', subject: 'p-1', attempts: 1, error: '400 ValidationFailed: twin p-1 refused' }],
    });
    expect(Number.isNaN(Date.parse(status.oldestPendingTime as string))).toBe(false);
  });

  it('shows the first 20 dead letters and says how many more there are; names the endpoint without calling it', async () => {
    const server = await startAdtServer();
    try {
      const { deadSeqs } = await outboxWith(23, 23);
      process.env.ADT_ENDPOINT = server.url;
      const { code, out } = await runCli('mirror', 'status');
      expect(code).toBe(0);
      const lines = out.trimEnd().split('\n');
      expect(lines[0]).toBe(`endpoint: ${server.url}`);
      expect(lines[1]).toMatch(/^pending: {2}1 \(oldest waiting/); // the model upload
      expect(lines[2]).toBe('dead:     23');
      expect(lines.slice(3, -1).map((l) => Number(/^ {2}#(\d+) /.exec(l)?.[1]))).toEqual(deadSeqs.slice(0, 20));
      expect(lines.at(-1)).toBe('  … and 3 more');

      const json = JSON.parse((await runCli('mirror', 'status', '--json')).out) as { endpoint: string; dead: number; deadLetters: unknown[] };
      expect(json).toMatchObject({ endpoint: server.url, dead: 23 });
      expect(json.deadLetters).toHaveLength(20);
      expect(server.requests).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('on an empty store: nothing pending, nothing dead', async () => {
    const { code, out } = await runCli('mirror', 'status');
    expect(code).toBe(0);
    expect(out).toBe('endpoint: (ADT_ENDPOINT not set: no mirror)\npending:  0\ndead:     0\n');
    const json = JSON.parse((await runCli('mirror', 'status', '--json')).out) as JsonObject;
    expect(json).toEqual({ endpoint: null, pending: 0, dead: 0, oldestPendingTime: null, oldestPendingAgeSeconds: null, deadLetters: [] });
  });
});
