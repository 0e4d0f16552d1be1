/**
 * How far V8 lets the old generation grow past what the last full collection kept, before it collects again
 * (TWINGRAPH_HEAP_GROWING_PERCENT). Left to itself, V8 picks a factor up to 4 on a machine with memory to
 * spare: under load the server promotes request garbage (a traversal's objects outlive two scavenges) at tens
 * of MB a second, and with about 40 MB live after a load the old space swung up to 100 MB before a full
 * collection brought it back; idle, nothing collects it, so the resident size stays where the swing left it.
 * A factor of 1.5 (50 %) holds the swing to about half the live size: a full collection each 0.7 s or so
 * under the benchmark's load instead of every 2 s, each 5 ms on the event loop and about 10 ms of
 * incremental marking (about 1 % of a core), for 30 to 50 MB less resident memory after a load.
 *
 * The setting is the process's: a `--heap-growing-percent` on node's own command line wins (NODE_OPTIONS
 * cannot carry it), and 0 leaves V8's own heuristics.
 */
import v8 from 'node:v8';

export type HeapGrowingOutcome = 'set' | 'node flag' | 'v8 default';

/** Applies the percent unless node was started with its own; says which governs. */
export function applyHeapGrowing(
  percent: number,
  nodeArgs: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = (flags) => v8.setFlagsFromString(flags),
): HeapGrowingOutcome {
  if (nodeArgs.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))) return 'node flag';
  if (percent === 0) return 'v8 default';
  setFlags(`--heap-growing-percent=${percent}`);
  return 'set';
}
