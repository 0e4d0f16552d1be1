/**
 * `twingraph mirror reconcile | import` when ADT cannot be reached or does not take the credentials: one line
 * saying so, exit 1.
 *
 * `twingraph mirror status [--json]`: the outbox's pending and dead counts and its dead letters, read from the
 * configured store (no ADT call, no worker in this process).
 */
import { AuthenticationError, CredentialUnavailableError } from '@azure/identity';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mirrorImportCommand, mirrorReconcileCommand } from '../../src/mirror/cli';
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
    for (let i = 1; i <= twins; i++)
      await store.createTwin(`p-${i}`, { $metadata: { $model: PARTY }, name: `P${i}` } as TwinInput);
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
    expect(lines.slice(3)).toEqual([
      `  #${deadSeqs[0]} Twin.Create p-1 (1 attempts): 400 ValidationFailed: twin p-1 refused`,
    ]);
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
      deadLetters: [
        {
          seq: deadSeqs[0],
          type: 'Twin.Create',
          subject: 'p-1',
          attempts: 1,
          error: '400 ValidationFailed: twin p-1 refused',
        },
      ],
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

      const json = JSON.parse((await runCli('mirror', 'status', '--json')).out) as {
        endpoint: string;
        dead: number;
        deadLetters: unknown[];
      };
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
    expect(json).toEqual({
      endpoint: null,
      pending: 0,
      dead: 0,
      oldestPendingTime: null,
      oldestPendingAgeSeconds: null,
      deadLetters: [],
    });
  });
});

describe('twingraph mirror reconcile | import when ADT cannot be reached or refuses the credentials', () => {
  /** An HTTP server answering every request with `status` and ADT's error body. */
  async function answering(status: number, code: string, message: string): Promise<{ url: string; server: Server }> {
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-error-code': code });
      res.end(JSON.stringify({ error: { code, message } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  }
  const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

  /** Runs a command function in-process, capturing what it writes. */
  async function capture(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
    try {
      return { code: await run(), out, err };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  beforeEach(() => {
    process.env.ADT_RETRY_BASE_MS = '1';
    process.env.ADT_RETRY_MAX_MS = '2';
  });

  it('nothing listening (after the retries): "cannot reach ADT at <endpoint>", exit 1, no stack', async () => {
    const { url, server } = await answering(200, '', '');
    await close(server); // the port is free again: connections are refused
    process.env.ADT_ENDPOINT = url;
    for (const command of ['reconcile', 'import']) {
      const { code, out, err } = await runCli('mirror', command);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toMatch(
        new RegExp(
          `^twingraph mirror ${command}: cannot reach ADT at ${url.replace(/\./g, '\\.')}: network ECONNREFUSED: .*ECONNREFUSED.*${command === 'import' ? ' Nothing was imported\\.' : ''}\\n$`,
        ),
      );
    }
  });

  it('a host that is no ADT instance (404 "Sub-Domain not found"): says so and hints at ADT_ENDPOINT, exit 1', async () => {
    const { url, server } = await answering(404, 'NotFound', 'Sub-Domain not found.');
    try {
      process.env.ADT_ENDPOINT = url;
      const { code, err } = await runCli('mirror', 'reconcile', '--dry-run');
      expect(code).toBe(1);
      expect(err).toBe(
        `twingraph mirror reconcile: cannot reach ADT at ${url}: 404 NotFound: Sub-Domain not found. (is ADT_ENDPOINT right?)\n`,
      );
    } finally {
      await close(server);
    }
  });

  it('ADT refusing the token (403): "cannot authenticate to ADT", exit 1, not retried', async () => {
    let requests = 0;
    const { url, server } = await answering(
      403,
      'Forbidden',
      'The client does not have permission to perform this action.',
    );
    server.on('request', () => requests++);
    try {
      process.env.ADT_ENDPOINT = url;
      const { code, err } = await runCli('mirror', 'import');
      expect(code).toBe(1);
      expect(err).toBe(
        `twingraph mirror import: cannot authenticate to ADT at ${url}: 403 Forbidden: The client does not have permission to perform this action. Nothing was imported.\n`,
      );
      expect(requests).toBe(1);
    } finally {
      await close(server);
    }
  });

  it.each([
    [
      'CredentialUnavailableError',
      () => new CredentialUnavailableError('DefaultAzureCredential found no credential.\nTry az login.'),
    ],
    [
      'AuthenticationError',
      () =>
        new AuthenticationError(400, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        }),
    ],
  ])('a credential that fails (%s): "cannot authenticate", exit 1, one line, tried once', async (name, make) => {
    const server = await startAdtServer();
    try {
      const env = { ...process.env, ADT_ENDPOINT: server.url };
      let asked = 0;
      const credential = {
        getToken: async (): Promise<never> => {
          asked++;
          throw make();
        },
      };
      for (const [command, run] of [
        ['reconcile', () => mirrorReconcileCommand({}, { env, credential })],
        ['import', () => mirrorImportCommand({ env, credential })],
      ] as const) {
        asked = 0;
        const { code, out, err } = await capture(run);
        expect(code).toBe(1);
        expect(out).toBe('');
        expect(err).toMatch(
          new RegExp(
            `^twingraph mirror ${command}: cannot authenticate to ADT at ${server.url.replace(/\./g, '\\.')}: ${name}: [^\\n]+\\n$`,
          ),
        );
        expect(asked).toBe(1);
      }
      expect(server.requests).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
