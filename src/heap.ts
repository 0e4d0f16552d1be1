/**
 * How far V8 lets the old generation grow past what the last full collection kept, before it collects again
 * (TWINGRAPH_HEAP_GROWING_PERCENT). Left to itself, V8 picks a factor up to 4 on a machine with memory to
 * spare: under load the server promotes request garbage (a traversal's objects outlive two scavenges) at tens
 * of MB a second, and with about 40 MB live after bench:api's `cold` load the old space swung up to 100 MB
 * before a full collection brought it back; idle, nothing collects it, so the resident size stays wherever
 * the swing left it (190-245 MB there, against 150 for the hand-written server).
 *
 * The default, 100 (a factor of 2), holds that swing to the live size: 176-180 MB after the same load, and no
 * measurable cost to the write throughput. 50 (1.5) gives about 167 MB, but a full collection every 2 s under
 * bench:api's patch load (each ~10 ms on the event loop and ~25 ms of marking, with V8's marking thread taking
 * a core from everything else on a 2-core machine): about 5 % fewer patches a second there, p99 12-14 → 18 ms.
 *
 * The setting is the process's, so the process's entry point applies it (bin/twingraph.js, and the benchmarks'
 * server processes), before it compiles anything: V8 refuses compiled code cached under other flags, so a flag
 * set later (in startApp, as at first) made every start's code cache useless to the next start, which loads
 * its modules before the flag is set. A `--heap-growing-percent` on node's own command line wins (NODE_OPTIONS
 * cannot carry it), and 0 leaves V8's own heuristics. Node's documentation warns that a V8 flag changed after
 * the start may do nothing or worse; this one is a number V8 reads each time it sets the old generation's next
 * limit (--trace-gc shows the full collections come sooner once it is set), so the worst a V8 that stopped
 * reading it could do is leave its own factor in place.
 */
import v8 from 'node:v8';

/** TWINGRAPH_HEAP_GROWING_PERCENT's default: a factor of 2. */
export const DEFAULT_HEAP_GROWING_PERCENT = 100;
/** The largest TWINGRAPH_HEAP_GROWING_PERCENT (a factor of 11). */
export const MAX_HEAP_GROWING_PERCENT = 1000;

/**
 * The percent `env` asks for: TWINGRAPH_HEAP_GROWING_PERCENT (a whole number from 0 to 1000; unset or empty:
 * the default). Undefined for any other value: nothing is applied, and the configuration (src/config.ts) then
 * refuses the start, naming the variable.
 */
export function heapGrowingPercentOf(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.TWINGRAPH_HEAP_GROWING_PERCENT;
  if (text === undefined || text === '') return DEFAULT_HEAP_GROWING_PERCENT;
  if (!/^\d+$/.test(text)) return undefined;
  const percent = Number(text);
  return percent <= MAX_HEAP_GROWING_PERCENT ? percent : undefined;
}

export type HeapGrowingOutcome = 'set' | 'node flag' | 'v8 default';

/**
 * Applies the percent unless node was started with its own; says which governs. Undefined (a value
 * heapGrowingPercentOf refused) applies nothing: the configuration refuses the start.
 */
export function applyHeapGrowing(
  percent: number | undefined,
  nodeArgs: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = (flags) => v8.setFlagsFromString(flags),
): HeapGrowingOutcome {
  // V8 reads the flag at each full collection, so setting it now, with the heap already in use, takes effect
  // from the next one on.
  if (nodeArgs.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))) return 'node flag';
  if (!percent) return 'v8 default';
  setFlags(`--heap-growing-percent=${percent}`);
  return 'set';
}
