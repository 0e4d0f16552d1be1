// node bench/run.mjs <name> [args…] — runs bench/<name>.ts (`npm run bench:schema`, `npm run bench:api`).
// The harness is TypeScript, loaded through tsx; the hook is removed again before anything runs, so that
// no process (nor the API benchmark's server process, started the same way) resolves its run-time require()
// calls through tsx. The code measured is the tsc-compiled dist/, which each harness requires itself.
import fs from 'node:fs';
import { register } from 'tsx/cjs/api';

/** The harnesses this runs: the files of bench/ that export a run(args). */
function harnesses() {
  const dir = new URL('.', import.meta.url);
  return fs
    .readdirSync(dir)
    .filter(
      (f) => f.endsWith('.ts') && /^export (async )?function run\(/m.test(fs.readFileSync(new URL(f, dir), 'utf8')),
    )
    .map((f) => f.slice(0, -3));
}

const [name, ...args] = process.argv.slice(2);
if (!/^[a-z-]+$/.test(name ?? '') || !harnesses().includes(name)) {
  console.error(`usage: node bench/run.mjs <${harnesses().join('|')}> [args…]`);
  process.exit(2);
}
const tsx = register({ namespace: `bench-${name}` });
const bench = tsx.require(`./${name}.ts`, import.meta.url);
tsx.unregister();
bench.run(args);
