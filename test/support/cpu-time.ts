/**
 * The CPU time this process spends, for tests that bound how much work something costs ("refuses it quickly",
 * "without compiling anything"). Unlike the wall clock it does not grow when other processes share the
 * machine's cores, so such a bound holds on a busy CI machine as on a quiet one, and still catches the
 * runaway work (a blow-up in a parser, an estimator run for real) it is there to catch. It counts every
 * thread of the process, garbage collection included.
 */

/** A CPU-time stopwatch: call the returned function for the milliseconds spent since. */
export function cpuStopwatch(): () => number {
  const start = process.cpuUsage();
  return () => {
    const { user, system } = process.cpuUsage(start);
    return (user + system) / 1000;
  };
}
