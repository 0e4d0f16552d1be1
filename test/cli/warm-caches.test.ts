/**
 * bin/warm-caches.js, the last step of `npm run build`: one start of the built server on a throwaway store writes
 * the caches bin/twingraph.js keeps (compiled code, where each require() led), so that the first real start after
 * a build finds them warm; a start like it afterwards has nothing to add to them. The build shell's server
 * settings stay out of it, and NODE_DISABLE_COMPILE_CACHE turns it off with the caches. Needs dist/ (npm run build).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeWhen } from '../support/shared';

const ROOT = path.resolve(__dirname, '..', '..');
const WARM = path.join(ROOT, 'bin', 'warm-caches.js');
const BUILT = fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));

/**
 * Runs the warm-up with `cache` as NODE_COMPILE_CACHE. It never fails a build, so a warm-up that could not start
 * the server only says so on stderr: any output there fails the test.
 */
function warm(cache: string, env: NodeJS.ProcessEnv = {}): void {
  const result = spawnSync(process.execPath, [WARM], {
    env: { ...process.env, NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: '', ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
}

/** Each file of the cache folder (recursively) with its inode and modification time: rewritten files differ. */
function snapshot(cache: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(cache, { recursive: true }) as string[]) {
    const stat = fs.statSync(path.join(cache, entry));
    if (stat.isFile()) files[entry] = `${stat.ino}:${stat.mtimeMs}`;
  }
  return files;
}

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-warm-test-'));

describeWhen(BUILT, 'warming the start caches after a build', 'dist/ is not built (npm run build)', () => {
  it('writes the compiled code and module resolutions a start reads, and a second start has nothing to add', () => {
    const cache = path.join(tempDir(), 'cache');
    warm(cache);
    const written = snapshot(cache);
    const names = Object.keys(written);
    expect(names.some((name) => /^twingraph-resolutions-.*\.json$/.test(name))).toBe(true);
    // Node 20: bin/compile-cache.js's file; Node 22.1+: Node's own cache, in a folder of its own.
    expect(names.some((name) => /^twingraph-v.*\.bin$/.test(name) || name.includes(path.sep))).toBe(true);
    // Ours are rewritten only when a start found something they lack (Node 22's own cache is Node's business).
    const ours = (files: Record<string, string>): string[] =>
      Object.entries(files)
        .filter(([name]) => name.startsWith('twingraph-'))
        .map(([name, stamp]) => `${name} ${stamp}`);
    warm(cache);
    expect(ours(snapshot(cache))).toEqual(ours(written));
  });

  it("leaves the build shell's server settings out of the start", () => {
    const dir = tempDir();
    const cache = path.join(dir, 'cache');
    const database = path.join(dir, 'operator.db');
    // Either would otherwise be the start's store: a file of the operator's, or a server that is not there.
    warm(cache, { TWINGRAPH_DB: database });
    expect(fs.existsSync(database)).toBe(false);
    warm(cache, { NEO4J_URI: 'bolt://127.0.0.1:1', ADT_ENDPOINT: 'https://adt.invalid' });
    expect(Object.keys(snapshot(cache)).length).toBeGreaterThan(0);
  });

  it('does nothing with NODE_DISABLE_COMPILE_CACHE', () => {
    const cache = path.join(tempDir(), 'cache');
    warm(cache, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(fs.existsSync(cache)).toBe(false);
  });
});
