/**
 * The in-process change feed behind GraphQL subscriptions. One commit listener for the whole feed; each
 * committed entry is read from the store once, in batches, into a bounded window shared by every
 * subscriber near the head. Subscribers are cursors (./subscription.ts) that pull from the window, or from
 * the store while they replay history or have fallen behind the window, and so receive every change after
 * their start, in order, exactly once.
 */
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
}

const DEFAULTS = { windowSize: 10_000, maxLag: 10_000, readBatchSize: 1_000 } as const;
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
    if (seq > this.announced) this.announced = seq;
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
    const subscription = new Subscription(this.access, options.filter);
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
      for (const subscription of [...this.subscriptions]) subscription.end();
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    })();
    return this.closing;
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
