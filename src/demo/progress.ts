/**
 * The seed load's progress on a terminal: one line, redrawn at most ten times a second. Where the output is
 * not a terminal (CI, a log file) it writes one line per phase instead of a hundred carriage returns.
 */
import type { SeedPhase, SeedProgress } from './load';

const LABEL: Record<SeedPhase, string> = {
  models: 'models',
  twins: 'twins',
  relationships: 'relationships',
  telemetry: 'telemetry points',
};
const WIDTH = 24;

function count(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n);
}

export function progressLine(p: SeedProgress, elapsedMs: number): string {
  const share = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(share * WIDTH);
  return `Loading the demo: ${LABEL[p.phase].padEnd(16)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${count(p.done)}/${count(p.total)}  ${(elapsedMs / 1000).toFixed(1)} s`;
}

export function progressReporter(out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): {
  report: (p: SeedProgress) => void;
  finish: () => void;
} {
  const started = performance.now();
  let lastDraw = 0;
  let lastPhase: SeedPhase | undefined;
  let pending: SeedProgress | undefined;
  const tty = out.isTTY === true;
  return {
    report: (p) => {
      const now = performance.now();
      if (tty) {
        const phaseDone = p.done >= p.total;
        if (now - lastDraw >= 100 || phaseDone || p.phase !== lastPhase) {
          out.write(`\r${progressLine(p, now - started)}`);
          lastDraw = now;
        }
      } else if (lastPhase !== undefined && p.phase !== lastPhase && pending) {
        out.write(`${progressLine(pending, now - started)}\n`);
      }
      lastPhase = p.phase;
      pending = p;
    },
    finish: () => {
      if (tty) out.write('\n');
      else if (pending) out.write(`${progressLine(pending, performance.now() - started)}\n`);
    },
  };
}
