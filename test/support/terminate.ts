/**
 * Stopping a child process the way a process manager does: SIGTERM, and SIGKILL if it has not exited within a
 * grace. The suites stop their servers and brokers in afterAll; one that hangs in its shutdown must not keep the
 * afterAll, and jest with it, waiting for ever. The exit code comes back (null after the SIGKILL) for the
 * callers that check a clean stop.
 */
import type { ChildProcess } from 'node:child_process';

/** How long a process may take over its shutdown (a replica drains and closes its store). */
const GRACE_MS = 20_000;

/** Whether the process has not exited yet (nor been ended by a signal). */
function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGKILL, unless it has ended already: for what a failed test leaves behind. */
export function killIfRunning(child: ChildProcess): void {
  if (running(child)) child.kill('SIGKILL');
}

/** Resolves once the process has exited (at once if it had), with its exit code: null when a signal ended it. */
export function terminate(child: ChildProcess, graceMs = GRACE_MS): Promise<number | null> {
  if (!running(child)) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}
