/**
 * The mirror as the rest of Twingraph sees it: on when ADT_ENDPOINT is set (the worker runs while this replica
 * is the active mirror: leadership.ts), and either way its state — the outbox's pending entries and dead
 * letters, throughput and the last error — and the operator's levers on dead letters.
 */
import os from 'node:os';
import type { MirrorConfig } from '../config';
import type { ChangeLog, Leases, ModelStore, Outbox, TwinReads } from '../store/port';
import type { OutboxEntry } from '../store/types';
import type { Adt } from './adt';
import type { LeadershipOptions, MirrorLeadership } from './leadership';
import type { MirrorCounters, MirrorOptions, MirrorWorker } from './worker';

// The worker and its leadership are required only when a mirror is configured (ADT_ENDPOINT): a start without
// one reads the outbox's state and no more.
const workerModule = (): typeof import('./worker') => require('./worker') as typeof import('./worker');
const leadershipModule = (): typeof import('./leadership') => require('./leadership') as typeof import('./leadership');

export interface MirrorStatus extends Omit<MirrorCounters, 'running'> {
  readonly enabled: boolean;
  /** Whether this replica is the one mirroring (of the replicas sharing the store, one is; the others stand by). */
  readonly active: boolean;
  readonly running: boolean;
  readonly endpoint: string | null;
  readonly pending: number;
  readonly dead: number;
  /** The commit time of the oldest change not yet in ADT. */
  readonly oldestPendingTime: string | null;
  readonly oldestPendingAgeSeconds: number | null;
}

type Log = { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };

export function mirrorOptions(config: MirrorConfig): MirrorOptions {
  return {
    ...workerModule().DEFAULT_MIRROR_OPTIONS,
    limits: {
      perSecond: { models: config.rates.models, createDelete: config.rates.createDelete, patch: config.rates.patch },
      perTwin: config.rates.perTwin,
    },
    concurrency: config.concurrency,
    coalesceMs: config.coalesceMs,
    backoff: config.retry,
    leaseMs: config.leaseMs,
    // A request cut off by a stop lands, if at all, within its deadline.
    cutOffGraceMs: config.requestTimeoutMs,
  };
}

export class Mirror {
  private readonly worker: MirrorWorker | undefined;
  private readonly leadership: MirrorLeadership | undefined;

  constructor(
    private readonly store: Outbox & ChangeLog & TwinReads & ModelStore & Leases,
    private readonly config: MirrorConfig | undefined,
    log: Log = { warn: () => undefined, info: () => undefined },
    /** The ADT to mirror to (default: a client for config.endpoint); tests pass their own. */
    adt?: Adt,
    options?: Partial<MirrorOptions>,
    leadership?: Partial<LeadershipOptions>,
  ) {
    if (!config) return;
    const holder = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
    let maySend = (): boolean => false;
    const { MirrorWorker } = workerModule();
    const { leadershipOptions, MirrorLeadership } = leadershipModule();
    this.worker = new MirrorWorker(
      store,
      adt ??
        // The Azure SDK is required only when a mirror is configured: most starts never need it.
        (require('./client') as typeof import('./client')).createAdt(config.endpoint, {
          timeoutMs: config.requestTimeoutMs,
          // Asked again as each request leaves (./client.ts): the worker's own question comes a pipeline earlier.
          maySend: () => maySend(),
        }),
      { ...mirrorOptions(config), ...options, maySend: () => maySend() },
      log,
    );
    this.leadership = new MirrorLeadership(
      store,
      holder,
      { ...leadershipOptions(config.activeLeaseMs), ...leadership },
      this.worker,
      log,
    );
    maySend = this.leadership.maySend;
  }

  get enabled(): boolean {
    return this.worker !== undefined;
  }

  /** Stands by to mirror: the worker runs while this replica holds the active mirror's lease. */
  start(): void {
    this.leadership?.start();
  }

  stop(): Promise<void> {
    return this.leadership?.stop() ?? Promise.resolve();
  }

  async status(now = Date.now()): Promise<MirrorStatus> {
    const stats = await this.store.outboxStats();
    const counters = this.worker?.counters();
    const oldest = stats.oldestPendingTime ?? null;
    return {
      enabled: this.enabled,
      active: this.leadership?.leading ?? false,
      running: counters?.running ?? false,
      endpoint: this.config?.endpoint ?? null,
      pending: stats.pending,
      dead: stats.dead,
      oldestPendingTime: oldest,
      oldestPendingAgeSeconds: oldest ? Math.max(0, (now - Date.parse(oldest)) / 1000) : null,
      mirrored: counters?.mirrored ?? 0,
      requests: counters?.requests ?? 0,
      mirroredPerSecond: counters?.mirroredPerSecond ?? 0,
      requestsPerSecond: counters?.requestsPerSecond ?? 0,
      retries: counters?.retries ?? 0,
      deadLettered: counters?.deadLettered ?? 0,
      lastError: counters?.lastError ?? null,
    };
  }

  deadLetters(limit = 100): Promise<OutboxEntry[]> {
    return this.store.listDeadLetters({ limit });
  }

  /** Puts dead letters back in line (all when no seqs are given); returns how many. */
  retryDeadLetters(seqs?: readonly number[]): Promise<number> {
    return this.store.retryDeadLetters(seqs);
  }

  /** Removes dead letters for good (all when no seqs are given); returns how many. Run reconcile afterwards to repair ADT. */
  dropDeadLetters(seqs?: readonly number[]): Promise<number> {
    return this.store.dropDeadLetters(seqs);
  }
}
