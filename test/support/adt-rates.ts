/** Rates seen at the ADT side, from the test server's request log. */
import type { AdtRequestLogEntry } from './adt-server';

/** The most of the (arrival) times that fall within any one-second window. */
function maxInAnySecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, from = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[from] >= 1000) from++;
    max = Math.max(max, i - from + 1);
  }
  return max;
}

/** The most writes any one twin received within any one-second window (requests that reached the server). */
export function maxWritesPerTwinPerSecond(requests: readonly AdtRequestLogEntry[]): number {
  const times = new Map<string, number[]>();
  for (const r of requests) {
    if (!r.write) continue;
    for (const id of r.twinIds) (times.get(id) ?? times.set(id, []).get(id)!).push(r.time);
  }
  return Math.max(0, ...[...times.values()].map(maxInAnySecond));
}

/** The most requests matching `which` that arrived within any one-second window. */
export function maxRequestsPerSecond(
  requests: readonly AdtRequestLogEntry[],
  which: (r: AdtRequestLogEntry) => boolean,
): number {
  return maxInAnySecond(requests.filter(which).map((r) => r.time));
}
