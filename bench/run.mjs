// node bench/run.mjs <name> [args…] — runs bench/<name>.ts (`npm run bench:schema`, `npm run bench:api`).
// The harness is TypeScript, loaded through tsx; the hook is removed again before anything runs, so that
// no process (nor the API benchmark's server process, started the same way) resolves its run-time require()
// calls through tsx. The code measured is the tsc-compiled dist/, which each harness requires itself.
import { register } from 'tsx/cjs/api';

const [name, ...args] = process.argv.slice(2);
if (!/^[a-z-]+$/.test(name ?? '')) {
  console.error('usage: node bench/run.mjs <schema|api|start|analytics> [args…]');
  process.exit(2);
}
const tsx = register({ namespace: `bench-${name}` });
const bench = tsx.require(`./${name}.ts`, import.meta.url);
tsx.unregister();
bench.run(args);
