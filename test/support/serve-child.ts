/**
 * `twingraph start` in a child process, for tests that kill the server: configured by the environment the
 * test passes; the log (JSON lines on stdout) carries the URL once it serves.
 *
 *   node --require tsx/cjs test/support/serve-child.ts
 */
import { main } from '../../src/cli/main';

void main(['start']).then((code) => process.exit(code));
