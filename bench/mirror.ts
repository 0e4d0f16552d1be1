/**
 * `npm run bench:mirror` (or `npx tsx bench/mirror.ts`): how fast the mirror drains a backlog into ADT (the
 * test ADT server of test/support, over real HTTP through the real SDK, answering at once), in three runs in one
 * process:
 *   1. creates: MIRROR_TWINS twins created → Twin.Create entries, one PUT each;
 *   2. patches: MIRROR_PATCHES patches spread over those twins (a few per twin, so each batch holds one per
 *      twin and nothing coalesces) → one PATCH each;
 *   3. busy twins: MIRROR_HOT patches to 10 twins — at ADT's 10 writes/s per twin they would take
 *      MIRROR_HOT/100 s one by one; coalesced, they do not.
 * Runs 1 and 2 go three times: within ADT's documented per-instance limits, again with every answer 50 ms late (500 creates/s, 1,000 patches/s: the
 * mirror should reach them, so that it is never the bottleneck), and with the limits raised 100-fold (what the
 * mirror itself can do). Prints entries/s and requests/s for each.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAdt } from '../src/mirror/client';
import { DEFAULT_MIRROR_OPTIONS, MirrorWorker, type MirrorOptions } from '../src/mirror/worker';
import type { TwinStore } from '../src/store/port';
import { openSqliteStore } from '../src/store/sqlite/store';
import { maxRequestsPerSecond, maxWritesPerTwinPerSecond } from '../test/support/adt-rates';
import { startAdtServer, type AdtServer } from '../test/support/adt-server';
import { model, MODEL } from './events';

export interface MirrorBenchOptions {
  readonly twins: number;
  readonly patches: number;
  readonly hot: number;
  readonly log?: (line: string) => void;
}

export interface PhaseResult {
  readonly entries: number;
  readonly requests: number;
  readonly seconds: number;
  readonly entriesPerSecond: number;
  readonly requestsPerSecond: number;
  /** The most requests that reached ADT within any one second. */
  readonly peakPerSecond: number;
}

export interface MirrorBenchResult {
  readonly adtLimits: { readonly creates: PhaseResult; readonly patches: PhaseResult; readonly hot: PhaseResult };
  readonly raisedLimits: { readonly creates: PhaseResult; readonly patches: PhaseResult };
  /** Within ADT's limits, with ADT answering every request 50 ms late (a realistic round trip). */
  readonly withLatency: { readonly creates: PhaseResult; readonly patches: PhaseResult };
  /** Writes any twin received in a second at the ADT side, at most (ADT allows 10). */
  readonly maxPerTwinPerSecond: number;
}

async function drain(
  store: TwinStore,
  adt: AdtServer,
  options: MirrorOptions,
  op: 'twins.put' | 'twins.patch',
  write: () => Promise<number>,
): Promise<PhaseResult> {
  const entries = await write();
  const before = adt.requests.length;
  const worker = new MirrorWorker(store, createAdt(adt.url), options);
  const started = performance.now();
  worker.start();
  while ((await store.outboxStats()).pending > 0) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  const requests = adt.requests.length - before;
  const peakPerSecond = maxRequestsPerSecond(adt.requests.slice(before), (r) => r.op === op);
  return {
    entries,
    requests,
    seconds,
    entriesPerSecond: entries / seconds,
    requestsPerSecond: requests / seconds,
    peakPerSecond,
  };
}

async function run(
  limitsScale: number,
  options: MirrorBenchOptions,
  hot: boolean,
  latencyMs = 0,
): Promise<{ creates: PhaseResult; patches: PhaseResult; hot?: PhaseResult; maxPerTwin: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-bench-mirror-'));
  const adt = await startAdtServer();
  if (latencyMs > 0) adt.faults.set({ delayMs: latencyMs });
  const store = openSqliteStore({ path: path.join(dir, 'bench.db'), outbox: true });
  const d = DEFAULT_MIRROR_OPTIONS;
  const mirrorOptions: MirrorOptions = {
    ...d,
    coalesceMs: 0,
    idlePollMs: 5,
    limits: {
      perSecond: {
        models: d.limits.perSecond.models * limitsScale,
        createDelete: d.limits.perSecond.createDelete * limitsScale,
        patch: d.limits.perSecond.patch * limitsScale,
      },
      perTwin: d.limits.perTwin,
    },
  };
  try {
    await store.putModels([model]);
    const ids = Array.from({ length: options.twins }, (_, i) => `meter-${i}`);
    const creates = await drain(store, adt, mirrorOptions, 'twins.put', async () => {
      for (let i = 0; i < ids.length; i += 1000)
        await store.createTwins(
          ids.slice(i, i + 1000).map((id) => ({ id, twin: { $metadata: { $model: MODEL }, name: id, reading: 0 } })),
        );
      return ids.length + 1;
    });
    const patches = await drain(store, adt, mirrorOptions, 'twins.patch', async () => {
      for (let i = 0; i < options.patches; i++)
        await store.patchTwin(ids[i % ids.length], [{ op: 'replace', path: '/reading', value: i }]);
      return options.patches;
    });
    let hotResult: PhaseResult | undefined;
    if (hot) {
      hotResult = await drain(store, adt, mirrorOptions, 'twins.patch', async () => {
        for (let i = 0; i < options.hot; i++)
          await store.patchTwin(ids[i % 10], [{ op: 'replace', path: '/reading', value: -i }]);
        return options.hot;
      });
    }
    return {
      creates,
      patches,
      ...(hotResult && { hot: hotResult }),
      maxPerTwin: maxWritesPerTwinPerSecond(adt.requests),
    };
  } finally {
    await store.close();
    await adt.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function mirrorBench(options: MirrorBenchOptions): Promise<MirrorBenchResult> {
  const log = options.log ?? (() => undefined);
  const line = (name: string, p: PhaseResult): void =>
    log(
      `  ${name.padEnd(28)} ${p.entries.toLocaleString('en').padStart(7)} changes in ${p.seconds.toFixed(2)} s: ${Math.round(p.entriesPerSecond).toLocaleString('en').padStart(6)} changes/s, ${Math.round(p.requestsPerSecond).toLocaleString('en').padStart(6)} requests/s (${p.requests.toLocaleString('en')} requests; at most ${p.peakPerSecond.toLocaleString('en')} in any second)`,
    );
  log(`mirror bench: ${options.twins} twins, ${options.patches} patches, ${options.hot} patches to 10 busy twins`);
  const adt = await run(1, options, true);
  log("within ADT's limits (500 creates+deletes/s, 1,000 patches/s, 10 writes/s per twin):");
  line('creates', adt.creates);
  line('patches', adt.patches);
  line('patches to 10 busy twins', adt.hot!);
  const slow = await run(1, options, false, 50);
  log("within ADT's limits, every answer 50 ms late (a round trip to a real instance):");
  line('creates', slow.creates);
  line('patches', slow.patches);
  const raised = await run(100, options, false);
  log("limits raised 100-fold (the mirror's own capacity):");
  line('creates', raised.creates);
  line('patches', raised.patches);
  const maxPerTwin = Math.max(adt.maxPerTwin, raised.maxPerTwin, slow.maxPerTwin);
  log(`most writes one twin received in a second at ADT: ${maxPerTwin} (ADT allows 10)`);
  return {
    adtLimits: { creates: adt.creates, patches: adt.patches, hot: adt.hot! },
    raisedLimits: { creates: raised.creates, patches: raised.patches },
    withLatency: { creates: slow.creates, patches: slow.patches },
    maxPerTwinPerSecond: maxPerTwin,
  };
}

if (require.main === module) {
  const n = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
  mirrorBench({
    twins: n('MIRROR_TWINS', 3000),
    patches: n('MIRROR_PATCHES', 10_000),
    hot: n('MIRROR_HOT', 2000),
    log: (l) => console.log(l),
  }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
