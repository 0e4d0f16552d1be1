/**
 * bin/compile-cache.js, the compile cache bin/twingraph.js turns on where Node has none of its own (Node 20):
 * a second run reads the code cache the first one wrote, a module whose source changed (even to a source of
 * the same length, which V8's own check would let through) runs its new code, ES modules and modules that do
 * not compile still go through Node, and NODE_DISABLE_COMPILE_CACHE turns it off. Each case runs in a fresh
 * Node process, as the launcher does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeWhen } from '../support/shared';

const LAUNCHER = path.resolve(__dirname, '..', '..', 'bin', 'compile-cache.js');
const HAS_OWN_CACHE =
  typeof (require('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** A folder with an entry script that turns the cache on, then requires `main.js` and prints what it exports. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-compile-cache-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  fs.writeFileSync(
    path.join(dir, 'entry.js'),
    `const on = require(${JSON.stringify(LAUNCHER)}).enableCompileCache();\n` +
      `console.log(JSON.stringify({ on, value: require('./main.js') }));\n`,
  );
  return dir;
}

function run(dir: string, env: NodeJS.ProcessEnv = {}): { on: boolean; value: unknown } {
  const out = execFileSync(process.execPath, [path.join(dir, 'entry.js')], {
    env: { ...process.env, NODE_COMPILE_CACHE: path.join(dir, 'cache'), NODE_DISABLE_COMPILE_CACHE: '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim()) as { on: boolean; value: unknown };
}

const cacheFiles = (dir: string): string[] =>
  fs.existsSync(path.join(dir, 'cache')) ? fs.readdirSync(path.join(dir, 'cache')) : [];

describeWhen(
  !HAS_OWN_CACHE,
  'the compile cache of bin/ (Node without its own)',
  `Node ${process.version} has module.enableCompileCache, which bin/twingraph.js uses instead`,
  () => {
    it('writes a cache on the first run and gives the same results from it on the next', () => {
      const dir = project({
        'main.js':
          "const helper = require('./helper.js');\nmodule.exports = { sum: helper.add(2, 3), file: __filename };\n",
        'helper.js': 'exports.add = (a, b) => a + b;\n',
      });
      const first = run(dir);
      expect(first).toEqual({ on: true, value: { sum: 5, file: path.join(dir, 'main.js') } });
      expect(cacheFiles(dir)).toHaveLength(1);
      const size = fs.statSync(path.join(dir, 'cache', cacheFiles(dir)[0])).size;
      expect(run(dir)).toEqual(first);
      // Nothing new to add: the file is not written again.
      expect(fs.statSync(path.join(dir, 'cache', cacheFiles(dir)[0])).size).toBe(size);
    });

    it('runs the new code of a changed module, even one of the same length', () => {
      const dir = project({ 'main.js': "module.exports = 'aaaa';\n" });
      expect(run(dir).value).toBe('aaaa');
      expect(run(dir).value).toBe('aaaa');
      fs.writeFileSync(path.join(dir, 'main.js'), "module.exports = 'bbbb';\n");
      expect(run(dir).value).toBe('bbbb');
    });

    it('leaves ES modules, modules with a hashbang and ones that fail to compile to Node', () => {
      const dir = project({
        'main.js': "module.exports = { esm: require('./esm.mjs').value, bang: require('./bang.js').value };\n",
        'esm.mjs': 'export const value = 42;\n',
        'bang.js': '#!/usr/bin/env node\nexports.value = 7;\n',
        'broken.js': 'exports.value = ;\n',
      });
      expect(run(dir).value).toEqual({ esm: 42, bang: 7 });
      expect(run(dir).value).toEqual({ esm: 42, bang: 7 });
      fs.writeFileSync(path.join(dir, 'main.js'), "require('./broken.js');\n");
      expect(() => run(dir)).toThrow(/SyntaxError/);
    });

    it('writes nothing into a folder others may write to, nor through a path placed there first', () => {
      const dir = project({ 'main.js': 'module.exports = 1;\n' });
      const cache = path.join(dir, 'cache');
      fs.mkdirSync(cache);
      fs.chmodSync(cache, 0o777);
      expect(run(dir)).toEqual({ on: true, value: 1 });
      expect(cacheFiles(dir)).toHaveLength(0);
      // Our own folder, the cache file's name taken by a symlink to a file of ours: replaced, never written through.
      fs.chmodSync(cache, 0o700);
      const victim = path.join(dir, 'victim.txt');
      fs.writeFileSync(victim, 'keep me');
      const name = `twingraph-${process.version}-${process.arch}-`;
      run(dir);
      const [written] = cacheFiles(dir).filter((f) => f.startsWith(name));
      fs.rmSync(path.join(cache, written));
      fs.symlinkSync(victim, path.join(cache, written));
      expect(run(dir)).toEqual({ on: true, value: 1 });
      expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
    });

    it('stays off with NODE_DISABLE_COMPILE_CACHE', () => {
      const dir = project({ 'main.js': 'module.exports = 1;\n' });
      expect(run(dir, { NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual({ on: false, value: 1 });
      expect(cacheFiles(dir)).toHaveLength(0);
    });
  },
);
