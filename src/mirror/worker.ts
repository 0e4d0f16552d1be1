/**
 * The mirror: drains the store's outbox into ADT. It claims entries in seq order whenever half a batch is free
 * (the store never hands out an entry while an earlier one of its partition is in flight or waiting), plans
 * them into operations, and runs those with bounded concurrency, each after the earlier operations it
 * conflicts with and within ADT's rate limits. A done operation's entries are acknowledged; a failed one is
 * retried after a backoff (exponential with jitter, half of it random, at least Retry-After) or parked as a
 * dead letter, and what must follow it waits for the retry.
 *
 * Leases make it crash-safe: entries claimed by a process that dies are claimed again when their lease ends
 * (a heartbeat renews those still in hand), and every operation can be replayed (PUTs of whole states,
 * deletes that accept 404, patches that never address array elements and fall back to the current state), so
 * replaying them leaves ADT as it would have been. An operation's acknowledgement is stored before anything that
 * waits on it is sent, so a replay resends at most the last request of each twin and relationship, and never
 * takes ADT back to an older state of one. A write that went unanswered, or a request cut off by a stop, may still
 * land: its twin's next request waits for as long as ADT could take to apply it (cutOffGraceMs).
 */
import type { ChangeLog, ModelStore, Outbox, TwinReads } from '../store/port';
import type { OutboxEntry } from '../store/types';
import type { Adt } from './adt';
import { applyOperation, MirrorStopping, type Outcome } from './apply';
import { dependencies, describeOp, planOperations, type MirrorOp } from './plan';
import { RateLimiter, type RateLimits } from './rate';

export interface MirrorOptions {
  readonly limits: RateLimits;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Entries claimed per round. */
  readonly batchSize: number;
  /** How long a claim holds before another worker (or this one, after a crash) may take the entries. */
  readonly leaseMs: number;
  /** After a commit, wait this long before claiming, so that a burst of changes to one twin goes as one request. */
  readonly coalesceMs: number;
  /** Backoff of retries: the first delay and the cap. */
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  /** A change that waits on another (a relationship on its target twin, …) is parked after this many attempts. */
  readonly maxDependencyAttempts: number;
  /** Poll interval while idle (entries waiting to retry become claimable with no commit to wake the worker). */
  readonly idlePollMs: number;
  /**
   * A stop cancels the requests in flight, and a request may go unanswered past its deadline, but ADT may still
   * apply either: the entries of such a request are held this long (leased, or their retry put off), so that no
   * replica (this one restarted included) sends that twin's next state before the older one lands, which would
   * then overwrite it. The request deadline is enough for a request ADT had already received.
   */
  readonly cutOffGraceMs: number;
  /**
   * Asked right before each request goes to ADT (default: always yes): the active mirror's term
   * (leadership.ts), so that a replica whose term ran out under it sends nothing more even before it stops.
   */
  readonly maySend?: () => boolean;
}

export const DEFAULT_MIRROR_OPTIONS: MirrorOptions = {
  limits: { perSecond: { models: 100, createDelete: 500, patch: 1000 }, perTwin: 10 },
  concurrency: 128,
  batchSize: 500,
  leaseMs: 60_000,
  coalesceMs: 50,
  backoff: { baseMs: 500, maxMs: 60_000 },
  maxDependencyAttempts: 20,
  idlePollMs: 500,
  cutOffGraceMs: 30_000,
};

export interface MirrorError {
  readonly time: string;
  readonly seq: number;
  readonly message: string;
}

export interface MirrorCounters {
  /** Entries acknowledged since start. */
  readonly mirrored: number;
  /** Requests sent to ADT since start. */
  readonly requests: number;
  /** Entries acknowledged and requests sent over the last minute, per second. */
  readonly mirroredPerSecond: number;
  readonly requestsPerSecond: number;
  readonly retries: number;
  readonly deadLettered: number;
  readonly lastError: MirrorError | null;
  readonly running: boolean;
}

const MINUTE_MS = 60_000;

/** Counts in one-second buckets over the last minute. */
class PerMinute {
  private readonly buckets = new Map<number, number>();
  add(n: number, now = Date.now()): void {
    const second = Math.floor(now / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + n);
    for (const s of this.buckets.keys()) if (s < second - 60) this.buckets.delete(s);
  }
  /** The rate over the last minute, or since `startedAt` when that is more recent. */
  perSecond(now = Date.now(), startedAt = 0): number {
    const since = Math.floor((now - MINUTE_MS) / 1000);
    let total = 0;
    for (const [s, n] of this.buckets) if (s > since) total += n;
    return total / Math.max(1, Math.min(60, (now - startedAt) / 1000));
  }
}

export class MirrorWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private abort = new AbortController();
  private readonly limiter: RateLimiter;
  private stopListening: (() => void) | undefined;
  private mirrored = 0;
  private requests = 0;
  private retries = 0;
  private deadLettered = 0;
  private lastError: MirrorError | null = null;
  private readonly mirroredRate = new PerMinute();
  private readonly requestRate = new PerMinute();
  private readonly random: () => number;
  /** Operations claimed and not yet finished, in claim order. */
  private readonly unfinished: Task[] = [];
  /** Failed operations until their retry is due (see schedule). */
  private cooling: Task[] = [];
  /** The seqs of their entries. */
  private readonly held = new Set<number>();
  /** Entries mirrored and not yet acknowledged to the store. */
  private acks: number[] = [];
  private inFlight = 0;
  private startedAt = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Dependency failures per entry (first seq) in this process: other failures (an outage) do not use them up. */
  private readonly dependencyFailures = new Map<number, number>();
  /** Set while stopping: called once nothing runs any more. */
  private drained: (() => void) | undefined;

  constructor(
    /** The outbox it drains, the commits that wake it, and the current state its repairs read (apply.ts). */
    private readonly store: Outbox & ChangeLog & TwinReads & ModelStore,
    private readonly adt: Adt,
    private readonly options: MirrorOptions = DEFAULT_MIRROR_OPTIONS,
    private readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void } = {
      warn: () => undefined,
      info: () => undefined,
    },
    random: () => number = Math.random,
  ) {
    this.limiter = new RateLimiter(options.limits);
    this.random = random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.startedAt = Date.now();
    this.stopListening = this.store.onCommit(() => this.wake?.());
    // Operations may outlast a lease (a long Retry-After pause, a busy twin's turn, many repairs): keep the
    // entries held here leased, so that no other process takes them meanwhile.
    this.heartbeat = setInterval(
      () => {
        if (this.held.size === 0) return;
        this.store
          .renewOutbox([...this.held], this.options.leaseMs)
          .catch((error: unknown) =>
            this.log.warn({ err: error }, 'mirror: could not renew the leases of the changes in hand'),
          );
      },
      Math.max(100, Math.floor(this.options.leaseMs / 3)),
    );
    this.heartbeat.unref();
    this.loop = this.run();
  }

  /**
   * Stops after the operations in flight finish; what is claimed but not done is given back: at once when it was
   * never sent, after cutOffGraceMs when its request was cut off on its way.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopListening?.();
    clearInterval(this.heartbeat);
    this.abort.abort(new Error('the mirror is stopping'));
    // Requests in flight fail at once; what they carried goes back untouched once ADT can no longer apply them.
    this.adt.cancelAll?.();
    this.wake?.();
    await this.loop;
  }

  counters(): MirrorCounters {
    return {
      mirrored: this.mirrored,
      requests: this.requests,
      mirroredPerSecond: this.mirroredRate.perSecond(Date.now(), this.startedAt),
      requestsPerSecond: this.requestRate.perSecond(Date.now(), this.startedAt),
      retries: this.retries,
      deadLettered: this.deadLettered,
      lastError: this.lastError,
      running: this.running,
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }

  /**
   * The loop: claims whenever at most half a batch of operations is unfinished, so that a slow operation (a
   * busy twin waiting on its per-twin limit, a slow answer) holds up only what depends on it, never the whole
   * mirror. Operations of a new claim wait for the unfinished ones of earlier claims they conflict with.
   */
  private async run(): Promise<void> {
    while (this.running) {
      if (this.unfinished.length > this.options.batchSize / 2) {
        await this.sleep(this.options.idlePollMs);
        continue;
      }
      let entries: OutboxEntry[];
      try {
        // Acknowledged entries no longer hold their partitions: flush before claiming.
        await this.flushAcks();
        entries = await this.store.claimOutbox({
          limit: this.options.batchSize - this.unfinished.length,
          leaseMs: this.options.leaseMs,
        });
      } catch (error) {
        if (!this.running) break;
        this.log.warn({ err: error }, 'mirror: could not claim outbox entries');
        await this.sleep(this.options.idlePollMs);
        continue;
      }
      if (entries.length > 0) {
        const before = this.unfinished.length;
        this.schedule(entries);
        if (this.unfinished.length > before) continue;
      }
      const idle = this.unfinished.length === 0;
      await this.sleep(this.options.idlePollMs);
      // Woken by a commit with nothing under way: give the burst a moment to finish, so that it goes out coalesced.
      if (this.running && idle && this.options.coalesceMs > 0)
        await new Promise((r) => setTimeout(r, this.options.coalesceMs));
    }
    // Stopping: what runs finishes (or gives up its rate-limit wait), what waits goes back untouched.
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      this.pump();
    });
    await this.flushAcks();
  }

  /** Adds a claim's operations, each after the earlier ones — of this claim, or unfinished of earlier claims — it conflicts with. */
  private schedule(claimed: readonly OutboxEntry[]): void {
    // An entry still held here whose lease ran out (it waited long behind a pause) comes again: keep the one held.
    const entries = claimed.filter((e) => !this.held.has(e.seq));
    if (entries.length === 0) return;
    for (const e of entries) this.held.add(e.seq);
    const ops = planOperations(entries);
    const deps = dependencies(ops);
    const attempts = new Map(entries.map((e) => [e.seq, e.attempts]));
    // Failed operations stay in view until they are due again: what conflicts with them waits as long.
    const now = Date.now();
    this.cooling = this.cooling.filter((t) => t.retryAt! > now && !t.op.seqs.some((seq) => this.held.has(seq)));
    // Indexed by key, so that a claim costs its keys, not (claimed × unfinished) comparisons.
    const writers = new Map<string, Task[]>();
    const readers = new Map<string, Task[]>();
    const index = (map: Map<string, Task[]>, key: string, task: Task): void =>
      void (map.get(key) ?? map.set(key, []).get(key)!).push(task);
    for (const e of [...this.unfinished, ...this.cooling]) {
      for (const k of e.op.writes) index(writers, k, e);
      for (const k of e.op.reads) index(readers, k, e);
    }
    const tasks: Task[] = ops.map((op) => ({
      op,
      deps: [],
      state: 'waiting',
      attempts: attempts.get(op.seqs[0]) ?? 0,
    }));
    tasks.forEach((task, i) => {
      const earlier = new Set<Task>();
      for (const k of [...task.op.reads, ...task.op.writes]) for (const e of writers.get(k) ?? []) earlier.add(e);
      for (const k of task.op.writes) for (const e of readers.get(k) ?? []) earlier.add(e);
      task.deps.push(...earlier, ...deps[i].map((d) => tasks[d]));
    });
    this.unfinished.push(...tasks);
    this.pump();
  }

  /**
   * Starts what can start. What would have to follow a failed operation goes back: the rest of its partition
   * untouched (the outbox keeps it behind the failed entry), and what depends on it from other partitions held
   * back until the failed one's retry is due (the outbox would hand that out again at once).
   */
  private pump(): void {
    const release: number[] = [];
    const defer: Task[] = [];
    const stopped = new Set<string>();
    const now = Date.now();
    for (const task of this.unfinished) {
      if (task.state === 'failed' || task.state === 'released') stopped.add(task.op.partition);
      if (task.state !== 'waiting') continue;
      const blockers = task.deps.filter((d) => d.state === 'failed' || d.state === 'released');
      if (!this.running || stopped.has(task.op.partition) || blockers.length > 0) {
        task.state = 'released';
        // Behind a failed change of its own partition, the outbox holds it back by itself. Behind one of another
        // partition (a relationship whose target's create is to be retried) it must wait as long, or it would be
        // handed out again at once and go to ADT before what it needs.
        const until = Math.max(0, ...blockers.map((d) => d.retryAt ?? 0));
        if (this.running && !stopped.has(task.op.partition) && until > now) {
          task.retryAt = until;
          defer.push(task);
        } else release.push(...task.op.seqs);
        stopped.add(task.op.partition);
        continue;
      }
      if (this.inFlight >= this.options.concurrency || task.deps.some((d) => d.state !== 'done')) continue;
      task.state = 'running';
      this.inFlight++;
      void this.execute(task.op).then(async (outcome) => {
        await this.settle(task, outcome);
        this.inFlight--;
        this.pump();
        this.wake?.();
      });
    }
    // Finished tasks leave the list; their dependants keep them and read their state.
    for (let i = this.unfinished.length - 1; i >= 0; i--) {
      const task = this.unfinished[i];
      if (task.state === 'waiting' || task.state === 'running') continue;
      this.unfinished.splice(i, 1);
      if (task.state === 'failed' && task.retryAt !== undefined) this.cooling.push(task);
      for (const seq of task.op.seqs) this.held.delete(seq);
    }
    if (release.length > 0)
      this.store
        .releaseOutbox(release)
        .catch((error: unknown) =>
          this.log.warn({ err: error }, 'mirror: could not give outbox entries back (their leases will end)'),
        );
    for (const task of defer) {
      const [first, ...rest] = task.op.seqs;
      const blocker = task.deps.find((d) => d.state === 'failed' || d.state === 'released');
      void this.store
        .failOutbox(first, {
          error: `waiting for ${blocker ? describeOp(blocker.op) : 'an earlier change'}, which is to be retried`,
          retryAfterMs: task.retryAt! - now,
        })
        .then(() => (rest.length > 0 ? this.store.releaseOutbox(rest) : undefined))
        .catch((error: unknown) =>
          this.log.warn({ err: error }, 'mirror: could not hold back outbox entries (their leases will end)'),
        );
    }
    if (this.inFlight === 0 && this.unfinished.length === 0) this.drained?.();
  }

  private async flushAcks(): Promise<void> {
    if (this.acks.length === 0) return;
    const seqs = this.acks;
    this.acks = [];
    try {
      await this.store.ackOutbox(seqs);
    } catch (error) {
      // Not acknowledged: their leases end and they are mirrored again (every operation can be replayed).
      this.log.warn({ err: error }, 'mirror: could not acknowledge outbox entries');
    }
  }

  private backoffMs(attempts: number, retryAfterMs: number | undefined): number {
    const { baseMs, maxMs } = this.options.backoff;
    const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 20));
    const jittered = exponential * (0.5 + 0.5 * this.random());
    return Math.max(jittered, retryAfterMs ?? 0);
  }

  private async execute(op: MirrorOp): Promise<Outcome> {
    const signal = this.abort.signal;
    const reserve = async (_op: MirrorOp, twins: readonly string[]): Promise<() => void> => {
      let release: () => void;
      try {
        release = await this.limiter.reserve(op.rate, twins, signal);
      } catch {
        throw new MirrorStopping('the mirror is stopping');
      }
      if (this.options.maySend && !this.options.maySend()) {
        release();
        throw new MirrorStopping('this replica is no longer the active mirror');
      }
      return release;
    };
    try {
      return await applyOperation({ adt: this.adt, store: this.store, reserve }, op);
    } catch (error) {
      return { kind: 'retry', requests: 0, error: (error as Error).message, throttled: false, dependency: false };
    }
  }

  private async settle(task: Task, outcome: Outcome): Promise<void> {
    const { op } = task;
    this.requests += outcome.requests;
    this.requestRate.add(outcome.requests);
    const first = op.seqs[0];
    try {
      if (outcome.kind === 'done') {
        task.state = 'done';
        this.dependencyFailures.delete(first);
        this.acks.push(...op.seqs);
        this.mirrored += op.seqs.length;
        this.mirroredRate.add(op.seqs.length);
        if (outcome.repaired)
          this.log.info({ seqs: op.seqs, op: describeOp(op) }, `mirror: repaired: ${outcome.repaired}`);
        // The next operation of the partition goes only once this one's ack is stored: a crash then replays at most
        // the last request of a subject, never an older state after a newer one (ADT would show it meanwhile).
        if (this.acks.length >= 100 || this.unfinished.some((t) => t.state === 'waiting' && t.deps.includes(task)))
          await this.flushAcks();
        return;
      }
      if (outcome.kind === 'retry' && (outcome.stopping || !this.running)) {
        // Back in line as it was, no attempt counted: at once when its request was never sent; cut off by the
        // stop while out, after the grace, as ADT may still apply it (see cutOffGraceMs).
        task.state = 'released';
        if (outcome.stopping) await this.store.releaseOutbox(op.seqs);
        else await this.store.renewOutbox([...op.seqs], this.options.cutOffGraceMs);
        return;
      }
      this.lastError = { time: new Date().toISOString(), seq: first, message: outcome.error };
      // A dependency failure counts toward parking only once what it waits for is no longer in line before it: a
      // model create held up behind a decommission that waits for the whole outbox, or a target's create waiting to
      // retry, may take any number of attempts, and the change must not be parked meanwhile.
      const dependencyFailures =
        outcome.kind === 'retry' && outcome.dependency
          ? (this.dependencyFailures.get(first) ?? 0) +
            ((await this.store.pendingBefore(first, dependencyPartitions(op))) ? 0 : 1)
          : 0;
      if (dependencyFailures > 0) this.dependencyFailures.set(first, dependencyFailures);
      if (outcome.kind === 'dead' || dependencyFailures >= this.options.maxDependencyAttempts) {
        this.dependencyFailures.delete(first);
        // Parked; what follows it goes on (a dead letter must not hold up its twin for good).
        task.state = 'done';
        this.deadLettered += op.seqs.length;
        for (const seq of op.seqs) await this.store.failOutbox(seq, { error: outcome.error, dead: true });
        this.log.warn({ seqs: op.seqs, error: outcome.error }, 'mirror: parked as dead letters');
        return;
      }
      this.retries++;
      if (outcome.throttled && outcome.retryAfterMs !== undefined) this.limiter.pause(op.rate, outcome.retryAfterMs);
      // Unanswered, it may still land: nothing more of its twin goes before it could (see cutOffGraceMs).
      const backoff = Math.max(
        this.backoffMs(task.attempts, outcome.retryAfterMs),
        outcome.kind === 'retry' && outcome.unanswered ? this.options.cutOffGraceMs : 0,
      );
      task.retryAt = Date.now() + backoff;
      task.state = 'failed';
      await this.store.failOutbox(first, { error: outcome.error, retryAfterMs: backoff });
      // The operation's other entries follow their first: back in line without an attempt counted.
      if (op.seqs.length > 1) await this.store.releaseOutbox(op.seqs.slice(1));
    } catch (error) {
      task.state = task.state === 'running' ? 'failed' : task.state;
      this.log.warn(
        { err: error, seqs: op.seqs },
        'mirror: could not record the outcome (the lease will end and the entries come back)',
      );
    }
  }
}

/** The outbox partitions (plan.ts's keys are named like them) whose earlier entries an operation may depend on. */
function dependencyPartitions(op: MirrorOp): string[] {
  return [...new Set([...op.reads, ...op.writes])].filter((key) => key !== op.partition);
}

interface Task {
  readonly op: MirrorOp;
  /** Earlier operations it must follow. */
  readonly deps: Task[];
  state: 'waiting' | 'running' | 'done' | 'failed' | 'released';
  /** Attempts its first entry has had before this one. */
  readonly attempts: number;
  /** Failed (or held back behind a failure): when its first entry is due again, epoch ms. */
  retryAt?: number;
}
