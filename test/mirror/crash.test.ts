/**
 * Crash: the Twingraph server runs in a child process, mirroring to the test ADT server, and is killed with
 * SIGKILL while writes arrive and while the mirror is mid-way (ADT answers slowly, so there is always a
 * backlog). Each restart takes up what the killed process had claimed but not acknowledged once its lease
 * ends. At the end ADT holds exactly what Twingraph holds.
 *
 * The rounds killed after their writes need the mirror to be behind when the writes end, whatever the
 * machine's speed: the mirror sends at most ADT_CONCURRENCY requests at once, and in those rounds ADT takes
 * close to a second over each, so it can take only a few changes a second while the workload makes hundreds.
 * Their kill also waits until the server mirrors, with requests out: a restarted server takes over only once
 * the killed one's term has run out, which on a fast machine comes after the round's writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store/open';
import { startAdtServer, type AdtServer } from '../support/adt-server';
import { killIfRunning } from '../support/terminate';
import { adtState, twingraphState } from '../support/mirror-state';
import { runWorkload, type Gql } from '../support/mirror-workload';

const CHILD = path.join(__dirname, '..', 'support', 'serve-child.ts');
let adt: AdtServer;
let dir: string;
/** Every server started; afterAll kills those still running, so a failed round leaves no process behind. */
const started: ChildProcess[] = [];

beforeAll(async () => {
  adt = await startAdtServer({ seed: 3 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-mirror-crash-'));
});
afterAll(async () => {
  started.forEach(killIfRunning);
  await adt?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      TWINGRAPH_DB: path.join(dir, 'twingraph.db'),
      TWINGRAPH_SEED: 'models',
      ADT_ENDPOINT: adt.url,
      ADT_LEASE_MS: '2000',
      // The restarted process takes over from the killed one (another holder) once its term runs out.
      ADT_ACTIVE_LEASE_MS: '2000',
      ADT_REQUEST_TIMEOUT_MS: '1500',
      ADT_RETRY_BASE_MS: '50',
      ADT_RETRY_MAX_MS: '1000',
      ADT_COALESCE_MS: '10',
      ADT_CONCURRENCY: '8',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/.exec(buffered);
      if (match) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before serving: ${stderr}`)));
  });
  return { child, url, exited };
}

/** GraphQL over HTTP that reports a dropped server as a refusal (the workload goes on). */
const gqlAt =
  (server: () => Server): Gql =>
  async (query, variables) => {
    try {
      const response = await fetch(server().url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as Awaited<ReturnType<Gql>>;
    } catch (error) {
      await new Promise((r) => setTimeout(r, 20));
      return { errors: [{ message: String(error), extensions: { code: 'SERVER_GONE' } }] };
    }
  };

interface MirrorStatus {
  readonly active: boolean;
  readonly pending: number;
}

async function mirrorStatus(server: Server): Promise<MirrorStatus> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ mirrorStatus { active pending } }' }),
  });
  return ((await response.json()) as { data: { mirrorStatus: MirrorStatus } }).data.mirrorStatus;
}

async function pending(server: Server): Promise<number> {
  return (await mirrorStatus(server)).pending;
}

/**
 * Until the server mirrors, with requests of its own out: a restarted server takes over only once the killed
 * one's term has run out (ADT_ACTIVE_LEASE_MS), which a round's writes may not outlast.
 */
async function mirroring(server: Server, requestsBefore: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await mirrorStatus(server)).active || adt.requests.length <= requestsBefore) {
    if (Date.now() > deadline) throw new Error('the restarted server did not take the mirror over');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the mirror across crashes', () => {
  it('converges after the server is killed with SIGKILL mid-way, three times', async () => {
    // Slow answers keep a backlog in flight at every kill; ADT also throttles, fails and drops now and then.
    const faults = {
      throttle: { probability: 0.03, retryAfterSeconds: 1 },
      unavailable: { probability: 0.03 },
      drop: { probability: 0.02, afterWrite: true },
    };
    let server = await startServer();
    let kills = 0;
    let requestsAtKill = 0;
    let requestsAtStart = 0;
    for (let round = 0; round < 3; round++) {
      const current = server;
      // Killed while writes arrive (the first round) or once they are done and the mirror is behind.
      const killDuringWrites = round === 0;
      // Under a second per request, within ADT_REQUEST_TIMEOUT_MS: the mirror is still behind when the writes end.
      adt.faults.set({ ...faults, delayMs: killDuringWrites ? [5, 40] : [600, 900] });
      let killed = false;
      const result = await runWorkload(
        gqlAt(() => server),
        {
          seed: 100 + round,
          writes: 600,
          concurrency: 6,
          prefix: `r${round}-`,
          onProgress: (share) => {
            if (killDuringWrites && !killed && share > 0.5) {
              killed = true;
              current.child.kill('SIGKILL');
            }
          },
        },
      );
      expect(result.ok).toBeGreaterThan(killDuringWrites ? 250 : 450);
      if (!killed) {
        await mirroring(current, requestsAtStart);
        expect(await pending(current)).toBeGreaterThan(0);
        current.child.kill('SIGKILL');
      }
      expect(await current.exited).toBeNull();
      kills++;
      requestsAtKill = adt.requests.length;
      server = await startServer();
      requestsAtStart = adt.requests.length;
    }
    expect(kills).toBe(3);

    adt.faults.clear();
    const deadline = Date.now() + 90_000;
    while ((await pending(server)) > 0) {
      if (Date.now() > deadline) throw new Error('the mirror did not drain after the last restart');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(adt.requests.length).toBeGreaterThan(requestsAtKill);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const store = await openStore({ kind: 'sqlite', path: path.join(dir, 'twingraph.db'), outbox: true });
    try {
      expect((await store.outboxStats()).dead).toBe(0);
      const ours = await twingraphState(store);
      expect(adtState(adt)).toEqual(ours);
      expect(Object.keys(ours.twins).length).toBeGreaterThan(50);
    } finally {
      await store.close();
    }
  }, 240_000);
});
