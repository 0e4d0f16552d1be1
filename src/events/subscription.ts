/**
 * One subscriber of the change feed: a cursor over the change log, pulled as an async iterator (what
 * graphql-ws consumes). It holds no queue: each `next()` takes the entry after its cursor from the feed's
 * shared window, or, when the cursor has fallen behind the window (a replay, a slow reader), from the store,
 * one batch at a time. So a slow subscriber costs nobody else anything, and its memory is bounded; what
 * keeps it from falling behind for ever is the lag limit, which ends it with a resumable error.
 */
import type { ChangeEntry } from '../store/types';
import { changesPruned, slowConsumer } from './feed-errors';

export type ChangePredicate = (change: ChangeEntry) => boolean;

/** An async iterator of committed changes, in seq order, each exactly once. */
export interface ChangeSubscription extends AsyncIterableIterator<ChangeEntry, undefined, undefined> {
  /**
   * Every change up to this seq has been delivered (returned by `next()`) or filtered out: resubscribing
   * with `since: resumeSeq` continues without a gap or a repeat. Undefined only until a subscription made
   * without `since`, on a feed that has not read the log's position yet, knows where it starts.
   */
  readonly resumeSeq: number | undefined;
  /**
   * Resolves once the subscription knows its start; rejects with what the first `next()` would throw for a
   * start it cannot serve (`ChangesPruned`, `InvalidArgument`). Lets a resolver refuse a subscription
   * before it is accepted, instead of ending it after.
   */
  ready(): Promise<void>;
  next(): Promise<IteratorResult<ChangeEntry, undefined>>;
  /** Ends the subscription and releases everything it holds; pending `next()` calls resolve done. */
  return(): Promise<IteratorResult<ChangeEntry, undefined>>;
}

/** What a subscription needs from its feed. */
export interface FeedAccess {
  readonly maxLag: number;
  readonly readBatchSize: number;
  /** The newest seq the feed has read: every entry up to it is committed and can be read. */
  head(): number;
  /** The oldest seq in the shared window. */
  windowFirst(): number;
  /** The entry with this seq from the shared window, if it is there. */
  recent(seq: number): ChangeEntry | undefined;
  /** Entries after `after`, straight from the store (frozen). */
  read(after: number, limit: number): Promise<readonly ChangeEntry[]>;
  /** Calls `subscription.wake()` when the head moves (or `subscription.fail()` when the feed cannot move it). */
  wait(subscription: Subscription): void;
  /** Forgets the subscription. */
  release(subscription: Subscription): void;
}

interface Request {
  resolve(result: IteratorResult<ChangeEntry, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<ChangeEntry, undefined> = Object.freeze({ done: true, value: undefined });
const NO_ENTRIES: readonly ChangeEntry[] = Object.freeze([]);
const acceptAll: ChangePredicate = () => true;

export class Subscription implements ChangeSubscription {
  /** The seq delivered (or filtered out) last; undefined until the start is known. */
  private cursor: number | undefined;
  private since: number | undefined;
  /** The smallest lag this subscriber has had: the lag limit counts from there (see `take`). */
  private closest = 0;
  /** `next()` calls not answered yet, oldest first (a well-behaved consumer has at most one). */
  private readonly requests: Request[] = [];
  /** A batch read from the store while the cursor is behind the window. */
  private replay: readonly ChangeEntry[] = NO_ENTRIES;
  private replayIndex = 0;
  private reading = false;
  private waiting = false;
  private finished = false;
  /** Why it ended, until a `next()` has been told. */
  private failure: { error: unknown } | undefined;
  private started: Promise<void> = Promise.resolve();
  private startError: { error: unknown } | undefined;
  private signal: AbortSignal | undefined;
  private readonly onAbort = (): void => void this.return();
  /** When its consumer last asked for a change (performance.now()): a consumer that stops asking has stalled. */
  private askedAt = performance.now();

  constructor(
    private readonly feed: FeedAccess,
    private readonly filter: ChangePredicate = acceptAll,
    /** Whether writers wait for this subscriber when it falls behind (ChangeFeed's back-pressure). */
    readonly holdsWriters = true,
  ) {}

  /**
   * The seq of the oldest change this subscriber still has to take, when writers should wait for it: it has
   * been at the head (a replay far behind does not hold writers back), it is behind now, and its consumer is
   * asking for changes or has asked within `stallMs` (one that stopped reading is left to the lag limit and
   * SlowConsumer, not allowed to stop every writer). Undefined when it holds no one back.
   */
  pendingSince(head: number, now: number, stallMs: number): number | undefined {
    if (!this.holdsWriters || this.finished || this.cursor === undefined || this.closest > 0) return undefined;
    if (this.cursor >= head) return undefined;
    if (this.requests.length === 0 && now - this.askedAt > stallMs) return undefined;
    return this.cursor + 1;
  }

  /** Starts at `start` (a seq, or a promise of one that may reject); ends when `signal` aborts. */
  begin(start: number | Promise<number>, since: number | undefined, signal: AbortSignal | undefined): void {
    this.since = since;
    // The start is taken care of first, so that a start that fails is never left unhandled.
    if (typeof start === 'number') this.startAt(start);
    else {
      this.started = start.then(
        (seq) => this.startAt(seq),
        (error: unknown) => {
          this.startError = { error };
          this.fail(error);
        },
      );
    }
    if (signal?.aborted) this.end();
    else if (signal && !this.finished) {
      this.signal = signal;
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  get resumeSeq(): number | undefined {
    return this.cursor ?? this.since;
  }

  async ready(): Promise<void> {
    await this.started;
    if (this.startError) throw this.startError.error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ChangeEntry, undefined>> {
    this.askedAt = performance.now();
    // The common case, a consumer keeping up: the entry is at hand, and nobody asked before it. Answered as
    // `advance` would answer it, without a pending request made for it (a promise, its two functions and an
    // object for every change and every subscriber: a batch write's thousand changes, for each of them).
    if (this.requests.length === 0 && !this.finished && this.cursor !== undefined && !this.reading && !this.waiting) {
      let next: ChangeEntry | 'read' | 'wait' | undefined;
      try {
        next = this.take(this.cursor);
      } catch (error) {
        this.fail(error);
      }
      if (typeof next === 'object') return Promise.resolve({ done: false, value: next });
    }
    return new Promise((resolve, reject) => {
      this.requests.push({ resolve, reject });
      this.advance();
    });
  }

  async return(): Promise<IteratorResult<ChangeEntry, undefined>> {
    this.end();
    return DONE;
  }

  /** The feed's head moved: answer the waiting `next()`. */
  wake(): void {
    this.waiting = false;
    this.advance();
  }

  /** Ends the subscription with an error, given to the pending or the next `next()` call. */
  fail(error: unknown): void {
    if (this.finished) return;
    this.failure = { error };
    this.end();
  }

  /** Ends the subscription: pending and later `next()` calls resolve done (after a failure, if any). */
  end(): void {
    if (!this.finished) {
      this.finished = true;
      this.waiting = false;
      this.replay = NO_ENTRIES;
      this.signal?.removeEventListener('abort', this.onAbort);
      this.signal = undefined;
      this.feed.release(this);
    }
    this.advance();
  }

  private startAt(seq: number): void {
    if (this.finished) return;
    this.cursor = seq;
    this.closest = Math.max(0, this.feed.head() - seq);
    this.advance();
  }

  /** Answers as many pending `next()` calls as it can now; otherwise arranges to be called again. */
  private advance(): void {
    while (this.requests.length > 0) {
      if (this.finished) {
        const failure = this.failure;
        this.failure = undefined;
        if (failure) this.requests.shift()!.reject(failure.error);
        else this.requests.shift()!.resolve(DONE);
        continue;
      }
      if (this.cursor === undefined || this.reading || this.waiting) return;
      let next: ChangeEntry | 'read' | 'wait';
      try {
        next = this.take(this.cursor);
      } catch (error) {
        this.fail(error);
        continue;
      }
      if (next === 'wait') {
        this.waiting = true;
        return this.feed.wait(this);
      }
      if (next === 'read') return this.readStore(this.cursor);
      this.requests.shift()!.resolve({ done: false, value: next });
    }
  }

  /**
   * The next entry this subscriber wants, moving the cursor past any it filters out; or what to do when
   * there is none at hand. Throws SlowConsumer when the subscriber has fallen more than `maxLag` entries
   * further behind the head than it has ever been: for a live subscriber that is simply "more than maxLag
   * behind", and a replay that starts far back may take its time as long as it does not lose ground (so
   * resuming after a SlowConsumer works).
   */
  private take(cursor: number): ChangeEntry | 'read' | 'wait' {
    const head = this.feed.head();
    for (;;) {
      const lag = Math.max(0, head - cursor);
      if (lag < this.closest) this.closest = lag;
      else if (lag - this.closest > this.feed.maxLag) throw slowConsumer(cursor, head, this.feed.maxLag);
      const entry = this.replayed(cursor + 1) ?? this.feed.recent(cursor + 1);
      if (!entry) return cursor < head ? 'read' : 'wait';
      const wanted = this.filter(entry);
      this.cursor = cursor = entry.seq;
      if (wanted) return entry;
    }
  }

  private replayed(seq: number): ChangeEntry | undefined {
    const entry = this.replay[this.replayIndex];
    if (entry?.seq !== seq) return undefined;
    if (++this.replayIndex === this.replay.length) {
      this.replay = NO_ENTRIES;
      this.replayIndex = 0;
    }
    return entry;
  }

  /** Reads the next batch from the store, up to where the shared window begins, so as to rejoin it. */
  private readStore(after: number): void {
    this.reading = true;
    const limit = Math.max(1, Math.min(this.feed.readBatchSize, this.feed.windowFirst() - 1 - after));
    this.feed.read(after, limit).then(
      (entries) => {
        this.reading = false;
        if (this.finished) return this.advance();
        // The log is contiguous, and pruning removes its oldest entries: a batch that does not start right
        // after the cursor means entries this subscriber has not seen are gone.
        const first = entries[0];
        if (first?.seq !== after + 1) return this.fail(changesPruned(after, first?.seq ?? this.feed.windowFirst()));
        this.replay = entries;
        this.replayIndex = 0;
        this.advance();
      },
      (error: unknown) => {
        this.reading = false;
        this.fail(error);
      },
    );
  }
}
