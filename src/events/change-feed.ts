/**
 * The in-process change feed behind GraphQL subscriptions. One commit listener for the whole feed; each
 * committed entry is read from the store once, in batches, into a bounded window shared by every
 * subscriber near the head. Subscribers are cursors (./subscription.ts) that pull from the window, or from
 * the store while they replay history or have fallen behind the window, and so receive every change after
 * their start, in order, exactly once.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { TwingraphError } from '../errors';
import type { ChangeLog } from '../store/port';
import type { ChangeEntry } from '../store/types';
import { changesPruned, sinceAhead, sinceInvalid } from './feed-errors';
import { deepFreeze } from '../freeze';
import { RecentChanges } from './recent-changes';
import { Subscription, type ChangePredicate, type ChangeSubscription, type FeedAccess } from './subscription';

export interface ChangeFeedOptions {
  /** How many of the newest entries the feed keeps in memory for every subscriber to share (default 10,000). */
  readonly windowSize?: number;
  /**
   * How many entries further behind the newest a subscriber may fall before it is ended with SlowConsumer
   * (default 10,000). Counted from the closest it has been to the head, so that a replay from far back is
   * not ended for the distance it started at, only for losing ground.
   */
  readonly maxLag?: number;
  /** Entries per store read, for the feed and for subscribers reading history (default 1,000; the store allows 10,000). */
  readonly readBatchSize?: number;
  /**
   * Back-pressure on this process's writes (when the store takes a write gate, as the SQLite and Neo4j
   * adapters do): a write waits while a subscriber that keeps reading is more than `lagMs` behind a commit
   * (default 200), so that under a write rate the subscribers cannot keep up with, commits slow to what
   * they can take instead of the distance between commit and delivery growing without bound. A subscriber
   * that has not asked for a change for `stallMs` (default 1,000) holds nobody back (the lag limit ends it);
   * writes also wait while more than `maxPending` deliveries are outstanding, which bounds the burst a
   * writer with a backlog can commit within `lagMs` (a thousand subscribers make each change a thousand);
   * no write waits longer than `maxWaitMs` (default 10,000). Writes wait only while this process is busy
   * (its event loop more than `busyUtilization` in use, default 0.8): a subscriber behind because its client
   * reads slowly leaves the process idle and must not pace everyone's writes. `false` turns it off.
   */
  readonly backPressure?:
    | false
    | {
        readonly lagMs?: number;
        readonly stallMs?: number;
        readonly maxWaitMs?: number;
        /** Deliveries (a change × a subscriber behind it) that may be outstanding before writes wait (default 5,000). */
        readonly maxPending?: number;
        /** The event loop utilization (0–1) above which the process counts as busy (default 0.8). */
        readonly busyUtilization?: number;
      };
}

/** What a store offers to hold its writes back (RulesStore.gateWrites). */
interface GatedWrites {
  gateWrites(gate: () => Promise<void> | undefined): () => void;
}

export interface SubscribeOptions {
  /**
   * Deliver every change with a larger seq, then continue live: the seq a previous subscription delivered
   * up to (its `resumeSeq`, or a SlowConsumer error's). Without it, the subscription starts after the newest
   * change committed when `subscribe()` is called.
   */
  readonly since?: number;
  /** Which changes to deliver; the others still move the subscription's position on. See `changeFilter`. */
  readonly filter?: ChangePredicate;
  /** Ends the subscription when aborted, like `return()`. */
  readonly signal?: AbortSignal;
  /** Whether writers wait for this subscriber when it falls behind (see ChangeFeedOptions.backPressure; default true). */
  readonly holdsWriters?: boolean;
}

const DEFAULTS = { windowSize: 10_000, maxLag: 10_000, readBatchSize: 1_000 } as const;
const BACK_PRESSURE = {
  lagMs: 200,
  stallMs: 1_000,
  maxWaitMs: 10_000,
  maxPending: 5_000,
  busyUtilization: 0.8,
} as const;
/** How often held writers look again whether the subscribers have caught up. */
const GATE_POLL_MS = 2;
/** How often the event loop's utilization is sampled (see `busy`). */
const UTILIZATION_SAMPLE_MS = 100;
/** Announcement times kept, for the age of the oldest change a subscriber has yet to take. */
const ANNOUNCEMENTS_KEPT = 20_000;
/** The port's limit for one readChanges call. */
const MAX_READ_BATCH = 10_000;

export class ChangeFeed {
  private readonly window: RecentChanges;
  private readonly access: FeedAccess;
  private readonly subscriptions = new Set<Subscription>();
  private started = 0;
  /** Subscribers at the head, waiting for the next entry. */
  private waiting = new Set<Subscription>();
  /** Store calls under way, which close() lets finish so that the store can be closed after it. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stopListening: () => void;
  /** The newest seq a commit has announced (it may not have been read into the window yet). */
  private announced = 0;
  /** The newest seq when the feed started: the window starts after it. Undefined until the store has said. */
  private initialSeq: number | undefined;
  private initializing: Promise<void> | undefined;
  private pumping = false;
  private closing: Promise<void> | undefined;
  private readonly backPressure:
    { lagMs: number; stallMs: number; maxWaitMs: number; maxPending: number; busyUtilization: number } | undefined;
  /** Seqs announced, ascending, and when (performance.now()), for the age of a change (`announcedAt`). */
  private announcedSeqs: number[] = [];
  private announcedTimes: number[] = [];
  /** Writes held back, oldest first, each with when it began to wait. */
  private held: { release(): void; since: number }[] = [];
  private gateTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private readonly stopGating: () => void;
  /** The event loop's utilization over the last sample, and that sample (see `busy`). */
  private utilization = 0;
  private utilizationSample: EventLoopUtilization = performance.eventLoopUtilization();
  private utilizationAt = performance.now();

  constructor(
    private readonly store: ChangeLog,
    options: ChangeFeedOptions = {},
  ) {
    const windowSize = positiveInteger('windowSize', options.windowSize ?? DEFAULTS.windowSize);
    const maxLag = positiveInteger('maxLag', options.maxLag ?? DEFAULTS.maxLag);
    const readBatchSize = Math.min(
      MAX_READ_BATCH,
      positiveInteger('readBatchSize', options.readBatchSize ?? DEFAULTS.readBatchSize),
    );
    this.window = new RecentChanges(windowSize);
    this.access = {
      maxLag,
      readBatchSize,
      head: () => this.window.last,
      windowFirst: () => this.window.first,
      recent: (seq) => this.window.get(seq),
      read: (after, limit) => this.read(after, limit),
      wait: (subscription) => {
        this.waiting.add(subscription);
        this.pump();
      },
      release: (subscription) => {
        this.subscriptions.delete(subscription);
        this.waiting.delete(subscription);
      },
    };
    this.backPressure =
      options.backPressure === false ? undefined : { ...BACK_PRESSURE, ...(options.backPressure ?? {}) };
    const gated = store as ChangeLog & Partial<GatedWrites>;
    this.stopGating =
      this.backPressure && typeof gated.gateWrites === 'function'
        ? gated.gateWrites(() => this.admission())
        : () => undefined;
    // Listen before asking for the newest seq, so that no commit falls between the two.
    this.stopListening = store.onCommit((seq) => this.announce(seq));
    // A failure here reaches subscribers through their start, which tries again.
    this.initialize().catch(() => undefined);
  }

  /**
   * Says the log holds entries up to `seq`: this process's commits (onCommit) and, through ./log-tail.ts,
   * other replicas' commits to the same store. Entries are read from the store in seq order, so an
   * announcement may come late, twice or out of order without any entry being delivered twice or skipped.
   */
  announce(seq: number): void {
    if (seq > this.announced) {
      this.announced = seq;
      if (this.backPressure) {
        this.announcedSeqs.push(seq);
        this.announcedTimes.push(performance.now());
        if (this.announcedSeqs.length > 2 * ANNOUNCEMENTS_KEPT) {
          this.announcedSeqs = this.announcedSeqs.slice(-ANNOUNCEMENTS_KEPT);
          this.announcedTimes = this.announcedTimes.slice(-ANNOUNCEMENTS_KEPT);
        }
      }
    }
    this.pump();
  }

  /** The newest seq read into the window: what subscribers at the head have been given. */
  get deliveredSeq(): number {
    return this.window.last;
  }

  /** Subscriptions not ended yet. */
  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** How many subscriptions have started since the feed opened (never decreases; for observers and tests). */
  get subscriptionsStarted(): number {
    return this.started;
  }

  /**
   * Starts a subscription; iterate it with `for await`. A `since` the log cannot serve (pruned:
   * ChangesPruned; beyond the newest change: InvalidArgument) rejects `ready()` and the first `next()`.
   */
  subscribe(options: SubscribeOptions = {}): ChangeSubscription {
    const subscription = new Subscription(this.access, options.filter, options.holdsWriters ?? true);
    if (this.closing) {
      subscription.end();
      return subscription;
    }
    this.subscriptions.add(subscription);
    this.started += 1;
    subscription.begin(this.startingPoint(options.since), options.since, options.signal);
    return subscription;
  }

  /** Ends every subscription (their iterators finish) and stops listening; resolves when no store call is under way. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopListening();
      this.stopGating();
      this.releaseHeld(this.held.length);
      for (const subscription of [...this.subscriptions]) subscription.end();
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    })();
    return this.closing;
  }

  /**
   * The write gate (see ChangeFeedOptions.backPressure): nothing when no subscriber is too far behind and no
   * write is already waiting; otherwise a promise the write waits on. Held writes go on one at a time, each
   * once the subscribers have caught up again, so that a crowd of waiting writers does not pour in at once.
   */
  private admission(): Promise<void> | undefined {
    if (this.closing || !this.backPressure) return undefined;
    if (this.held.length === 0 && !this.behind()) return undefined;
    return new Promise<void>((release) => {
      this.held.push({ release, since: performance.now() });
      this.scheduleGate(GATE_POLL_MS);
    });
  }

  /**
   * Whether the subscribers that hold writers (Subscription.pendingSince) have a change older than lagMs to
   * take, or more than maxPending deliveries outstanding between them.
   */
  private behind(): boolean {
    const { lagMs, stallMs, maxPending } = this.backPressure!;
    const head = this.window.last;
    const now = performance.now();
    let oldest = Infinity;
    let outstanding = 0;
    for (const subscription of this.subscriptions) {
      const pending = subscription.pendingSince(head, now, stallMs);
      if (pending === undefined) continue;
      outstanding += head - pending + 1;
      if (pending < oldest) oldest = pending;
    }
    if (oldest === Infinity) return false;
    return (outstanding > maxPending || now - this.announcedAt(oldest) > lagMs) && this.busy(now);
  }

  /**
   * Whether this process is short of time: its event loop was busy more than a share of the last
   * sample (`busyUtilization`). Writers wait for subscribers only then, when commits outrun the work of delivering them; a
   * subscriber that is behind because its client reads slowly (a slow network, or a hostile client pacing its
   * reads) leaves the process idle, and must not slow everyone's writes to its pace: the lag limit ends it.
   */
  private busy(now: number): boolean {
    const { busyUtilization } = this.backPressure!;
    if (busyUtilization <= 0) return true;
    if (now - this.utilizationAt >= UTILIZATION_SAMPLE_MS) {
      const sample = performance.eventLoopUtilization();
      this.utilization = performance.eventLoopUtilization(sample, this.utilizationSample).utilization;
      this.utilizationSample = sample;
      this.utilizationAt = now;
    }
    return this.utilization > busyUtilization;
  }

  /** When the change with this seq was announced (its commit, as far as this process can tell). */
  private announcedAt(seq: number): number {
    const seqs = this.announcedSeqs;
    let low = 0;
    let high = seqs.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (seqs[mid] < seq) low = mid + 1;
      else high = mid;
    }
    return low < seqs.length ? this.announcedTimes[low] : performance.now();
  }

  private scheduleGate(ms: number): void {
    if (this.gateTimer) return;
    const run = (): void => {
      this.gateTimer = undefined;
      this.openGate();
    };
    this.gateTimer = ms > 0 ? setTimeout(run, ms) : setImmediate(run);
  }

  private openGate(): void {
    if (this.held.length === 0) return;
    const { maxWaitMs } = this.backPressure!;
    const now = performance.now();
    let overdue = 0;
    while (overdue < this.held.length && now - this.held[overdue].since > maxWaitMs) overdue++;
    if (overdue > 0) this.releaseHeld(overdue);
    else if (!this.behind()) this.releaseHeld(1);
    // Caught up: the next one as soon as the one released has had its turn; behind: look again shortly.
    if (this.held.length > 0) this.scheduleGate(overdue > 0 || !this.behind() ? 0 : GATE_POLL_MS);
  }

  private releaseHeld(count: number): void {
    for (const { release } of this.held.splice(0, count)) release();
  }

  private get ready(): boolean {
    return this.initialSeq !== undefined;
  }

  /** The newest seq committed, as far as this feed knows. */
  private get latest(): number {
    return Math.max(this.window.last, this.announced);
  }

  private initialize(): Promise<void> {
    this.initializing ??= this.call(() => this.store.latestSeq()).then(
      (latest) => {
        this.initialSeq = latest;
        this.window.restartAfter(latest);
        this.pump();
      },
      (error: unknown) => {
        this.initializing = undefined;
        throw error;
      },
    );
    return this.initializing;
  }

  /** Where a new subscription's cursor starts: now when the feed knows, otherwise once it does. */
  private startingPoint(since: number | undefined): number | Promise<number> {
    if (since === undefined) {
      if (this.ready) return this.latest;
      // Commits announced before the store answered are already behind this subscription.
      const announcedBefore = this.announced;
      return this.initialize().then(() => Math.max(this.initialSeq!, announcedBefore));
    }
    if (!Number.isSafeInteger(since) || since < 0) return Promise.reject(sinceInvalid(since));
    // Entries still in the window are served from memory, whatever the store has pruned since.
    if (this.ready && since >= this.window.first - 1 && since <= this.latest) return since;
    return this.checkSince(since);
  }

  private async checkSince(since: number): Promise<number> {
    await this.initialize();
    if (since > this.latest) {
      const newest = await this.call(() => this.store.latestSeq());
      if (since > newest) throw sinceAhead(since, newest);
    }
    if (since < this.window.first - 1) {
      const oldest = await this.call(() => this.store.firstSeq());
      if (since < oldest - 1) throw changesPruned(since, oldest);
    }
    return since;
  }

  /** Reads announced entries into the window, one batch at a time, waking the waiting subscribers after each. */
  private pump(): void {
    if (this.pumping || this.closing || !this.ready || this.window.last >= this.announced) return;
    this.pumping = true;
    void this.fill().finally(() => {
      this.pumping = false;
    });
  }

  private async fill(): Promise<void> {
    try {
      while (!this.closing && this.window.last < this.announced) {
        const after = this.window.last;
        const batch = await this.read(after, this.access.readBatchSize);
        if (this.closing) return;
        if (batch.length > 0) {
          // A gap means the entries in it were pruned before the feed read them; subscribers that needed
          // them find out when they read the store (ChangesPruned).
          if (batch[0].seq !== after + 1) this.window.restartAfter(batch[0].seq - 1);
          for (const entry of batch) this.window.append(entry);
        } else {
          const oldest = await this.call(() => this.store.firstSeq());
          if (this.closing) return;
          // Announced but not readable and not pruned: not visible to this reader yet. The next commit, or
          // the next subscriber to wait, reads again.
          if (oldest - 1 <= after) return;
          this.window.restartAfter(Math.min(oldest - 1, this.announced));
        }
        this.wakeWaiting();
      }
    } catch (error) {
      // The waiting subscribers cannot be served: they end with the store's error (and can resume with
      // since); the next commit or waiting subscriber tries again.
      this.wakeWaiting(error);
    }
  }

  /**
   * Wakes the waiting subscribers in chunks, yielding to the event loop between them: with a thousand
   * subscribers, waking all at once runs every delivery (GraphQL execution, socket write) in one unbroken
   * chain of promises, and HTTP requests, timers and the next commit starve until it ends.
   */
  private wakeWaiting(error?: unknown): void {
    const woken = [...this.waiting];
    this.waiting = new Set();
    const wakeFrom = (start: number): void => {
      const end = Math.min(start + WAKE_CHUNK, woken.length);
      for (let i = start; i < end; i++) {
        if (error === undefined) woken[i].wake();
        else woken[i].fail(error);
      }
      if (end < woken.length) setImmediate(wakeFrom, end);
    };
    wakeFrom(0);
  }

  private read(after: number, limit: number): Promise<readonly ChangeEntry[]> {
    return this.call(() => this.store.readChanges({ after, limit })).then((entries) => entries.map(deepFreeze));
  }

  /** Every store call goes through here: none starts once the feed is closing, and close() waits for the others. */
  private call<T>(request: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new TwingraphError('StoreUnavailable', 'The change feed is closed.'));
    let promise: Promise<T>;
    try {
      promise = request();
    } catch (error) {
      return Promise.reject(error);
    }
    this.inFlight.add(promise);
    const forget = (): void => void this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}

/** Subscribers woken in one go before the feed lets other work run. */
const WAKE_CHUNK = 64;

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`ChangeFeedOptions.${name} must be a positive integer (got ${value}).`);
  return value;
}
