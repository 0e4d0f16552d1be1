/** `twingraph seed`: the demo firm on demand, into the store the environment names, and only into an empty one. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { runCli } from '../support/cli';

let dir: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-cli-seed-'));
  process.env.TWINGRAPH_DB = path.join(dir, 'demo.db');
  process.env.LOG_LEVEL = 'silent';
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('twingraph seed', () => {
  it('loads a (scaled-down) demo into the store TWINGRAPH_DB names, with progress on stderr, and says what it loaded', async () => {
    const { code, out, err } = await runCli('seed', '--scale', '0.02', '--as-of', '2026-11-25T00:00:00Z');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^Loaded the demo firm as of 2026-11-25T00:00:00.000Z into .*demo\.db: 8 models, \d+ twins, \d+ relationships, \d+ telemetry points in [\d.]+ s\.\n$/,
    );
    expect(err).toMatch(/Loading the demo: telemetry points/);
    const store = await openSqliteStore({ path: path.join(dir, 'demo.db') });
    try {
      const counts = await store.counts();
      expect(counts.models).toBe(8);
      expect(counts.twins).toBeGreaterThan(50);
      expect(counts.metricPoints).toBeGreaterThan(10_000);
    } finally {
      await store.close();
    }
  });

  it('refuses a store that already has twins (exit 1), leaving it as it was', async () => {
    expect((await runCli('seed', '--scale', '0.02', '--as-of', '2026-11-25T00:00:00Z')).code).toBe(0);
    const { code, err } = await runCli('seed', '--scale', '0.02');
    expect(code).toBe(1);
    expect(err).toMatch(/twingraph seed: The demo data loads into an empty store; this one has \d+ twins/);
  });

  it.each([
    [['--as-of', '2026-11-25T10:30:00Z'], /--as-of must be an ISO 8601 date and time on a whole hour/],
    [['--scale', 'big'], /--scale must be a number above 0 and at most 10/],
    [['--catalogue', '/no/such/firm.json'], /Cannot read the demo catalogue \/no\/such\/firm\.json/],
  ])('refuses %j with a usage error (exit 2) naming the problem', async (args, message) => {
    const { code, err } = await runCli('seed', ...args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
