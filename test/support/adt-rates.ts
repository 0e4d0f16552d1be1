/** Rates seen at the ADT side, from the test server's request log. */
import type { AdtRequestLogEntry } from './adt-server';

/** The most writes any one twin received within any one-second window (requests that reached the server). */
export function maxWritesPerTwinPerSecond(requests: readonly AdtRequestLogEntry[]): number {
  const times = new Map<string, number[]>();
  for (const r of requests) {
    if (!r.write) continue;
    for (const id of r.twinIds) {
      if (!times.has(id)) times.set(id, []);
      times.get(id)!.push(r.time);
    }
  }
  let max = 0;
  for (const list of times.values()) {
    list.sort((a, b) => a - b);
    let from = 0;
    for (let i = 0; i < list.length; i++) {
      while (list[i] - list[from] >= 1000) from++;
      max = Math.max(max, i - from + 1);
    }
  }
  return max;
}

/** The most requests matching `which` that arrived within any one-second window. */
export function maxRequestsPerSecond(requests: readonly AdtRequestLogEntry[], which: (r: AdtRequestLogEntry) => boolean): number {
  const times = requests.filter(which).map((r) => r.time).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, from = 0; i < times.length; i++) {
    while (times[i] - times[from] >= 1000) from++;
    max = Math.max(max, i - from + 1);
  }
  return max;
}
