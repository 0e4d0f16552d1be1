/**
 * bin/resolution-cache.js, the cache of where each require() of a start led that bin/twingraph.js turns on: a
 * second run takes its answers from the file the first one wrote (and, finding nothing new, does not write it
 * again), and any change that could lead a require elsewhere — a file added next to the one found, a package.json
 * rewritten in place, a package installed in a nearer node_modules — makes the next run resolve as Node does.
 * NODE_DISABLE_COMPILE_CACHE turns it off. Each case runs in a fresh Node process, as the launcher does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LAUNCHER = path.resolve(__dirname, '..', '..', 'bin', 'resolution-cache.js');

/**
 * A folder holding `<app>/entry.js` (app/ unless said), which turns the cache on, then requires `main.js` beside
 * it and prints what it exports, and the given files (paths relative to the folder).
 */
function project(files: Record<string, string>, app = 'app'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-resolution-cache-'));
  // The cache's folder made first: making it would change the project folder, which the answers depend on.
  fs.mkdirSync(path.join(dir, 'cache'), { mode: 0o700 });
  write(dir, {
    ...files,
    [`${app}/entry.js`]:
      `const on = require(${JSON.stringify(LAUNCHER)}).enableResolutionCache();\n` +
      `console.log(JSON.stringify({ on, value: require('./main.js') }));\n`,
  });
  return dir;
}

let lastWrite = 0;

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  lastWrite = Date.now();
}

function run(dir: string, env: NodeJS.ProcessEnv = {}, app = 'app'): { on: boolean; value: unknown } {
  // A run keeps no answers that depend on a path changed just before it started (it may have changed during
  // the run): a test's files are a moment old when it runs, as an installation's are.
  const wait = lastWrite + 200 - Date.now();
  if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
  const out = execFileSync(process.execPath, [path.join(dir, app, 'entry.js')], {
    env: { ...process.env, NODE_COMPILE_CACHE: path.join(dir, 'cache'), NODE_DISABLE_COMPILE_CACHE: '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim()) as { on: boolean; value: unknown };
}

/** The cache file's path, once a run wrote it. */
function cacheFile(dir: string): string | undefined {
  const folder = path.join(dir, 'cache');
  const [name] = fs.readdirSync(folder).filter((f) => f.includes('resolutions'));
  return name && path.join(folder, name);
}

describe('the resolution cache of bin/', () => {
  it('answers the next run from the file the first one wrote, and writes it only when it found something new', () => {
    const dir = project({
      'app/main.js': "module.exports = require('./lib').value + require('dep').value;\n",
      'app/lib/index.js': "exports.value = 'lib ';\n",
      'node_modules/dep/package.json': '{ "name": "dep", "main": "main.js" }\n',
      'node_modules/dep/main.js': "exports.value = 'dep';\n",
    });
    expect(run(dir)).toEqual({ on: true, value: 'lib dep' });
    const file = cacheFile(dir)!;
    const answers = (JSON.parse(fs.readFileSync(file, 'utf8')) as { answers: Record<string, string> }).answers;
    expect(Object.values(answers).sort()).toEqual([
      path.join(fs.realpathSync(dir), 'app', 'lib', 'index.js'),
      path.join(fs.realpathSync(dir), 'app', 'main.js'),
      path.join(fs.realpathSync(dir), 'node_modules', 'dep', 'main.js'),
    ]);
    const written = fs.statSync(file).mtimeMs;
    expect(run(dir)).toEqual({ on: true, value: 'lib dep' });
    expect(fs.statSync(file).mtimeMs).toBe(written);
  });

  it('resolves afresh once a file is added that Node would find first', () => {
    const dir = project({
      'app/main.js': "module.exports = require('./lib').value;\n",
      'app/lib/index.js': "exports.value = 'the folder';\n",
    });
    expect(run(dir).value).toBe('the folder');
    write(dir, { 'app/lib.js': "exports.value = 'the file';\n" });
    expect(run(dir).value).toBe('the file');
  });

  it("resolves afresh once a package.json's main is rewritten in place", () => {
    const dir = project({
      'app/main.js': "module.exports = require('dep').value;\n",
      'node_modules/dep/package.json': '{ "name": "dep", "main": "one.js" }\n',
      'node_modules/dep/one.js': "exports.value = 'one';\n",
      'node_modules/dep/two.js': "exports.value = 'two';\n",
    });
    expect(run(dir).value).toBe('one');
    write(dir, { 'node_modules/dep/package.json': '{ "name": "dep", "main": "two.js" }\n' });
    expect(run(dir).value).toBe('two');
  });

  it('resolves afresh once a package is installed in a nearer node_modules', () => {
    const dir = project({
      'app/main.js': "module.exports = require('dep').value;\n",
      'node_modules/dep/index.js': "exports.value = 'outer';\n",
    });
    expect(run(dir).value).toBe('outer');
    write(dir, { 'app/node_modules/dep/index.js': "exports.value = 'inner';\n" });
    expect(run(dir).value).toBe('inner');
  });

  it('keeps its answers when a file is added above the package, not where Node looks', () => {
    const dir = project({
      'app/package.json': '{ "name": "app" }\n',
      'app/main.js': "module.exports = require('./lib').value;\n",
      'app/lib.js': "exports.value = 'lib';\n",
    });
    expect(run(dir).value).toBe('lib');
    const written = fs.statSync(cacheFile(dir)!).mtimeMs;
    write(dir, { 'notes.txt': 'the folder above the package changed\n' });
    expect(run(dir).value).toBe('lib');
    expect(fs.statSync(cacheFile(dir)!).mtimeMs).toBe(written);
  });

  it('resolves afresh once a node_modules appears above the package, where Node looks for packages', () => {
    const dir = project(
      {
        'work/app/package.json': '{ "name": "app" }\n',
        'work/app/main.js': "module.exports = require('dep').value;\n",
        'node_modules/dep/package.json': '{ "name": "dep" }\n',
        'node_modules/dep/index.js': "exports.value = 'outer';\n",
      },
      'work/app',
    );
    expect(run(dir, {}, 'work/app').value).toBe('outer');
    // Looked up in work/node_modules before the outer one: installed there now, it wins.
    write(dir, { 'work/node_modules/dep/index.js': "exports.value = 'nearer';\n" });
    expect(run(dir, {}, 'work/app').value).toBe('nearer');
  });

  it('keeps nothing that depends on a folder changed during the run', () => {
    const dir = project({
      'app/main.js':
        "module.exports = require('./lib.js');\n" +
        "require('node:fs').writeFileSync(require('node:path').join(__dirname, 'made-meanwhile.js'), '');\n",
      'app/lib.js': 'module.exports = 1;\n',
    });
    expect(run(dir).value).toBe(1);
    expect(cacheFile(dir)).toBeUndefined();
  });

  it('stays off with NODE_DISABLE_COMPILE_CACHE', () => {
    const dir = project({ 'app/main.js': 'module.exports = 1;\n' });
    expect(run(dir, { NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual({ on: false, value: 1 });
    expect(cacheFile(dir)).toBeUndefined();
  });
});
