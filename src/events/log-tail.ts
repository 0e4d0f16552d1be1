/**
 * How a replica hears of commits made through other replicas of the same store: the change log in the store
 * is the source of truth, and the feed reads it in seq order (./change-feed.ts); this module only tells the
 * feed how far the log has grown. Without a bus it asks the store for the newest seq every `pollMs`; with
 * one (NATS), every replica publishes the seq of each of its commits and every replica announces what it
 * hears at once, polling on as a safety net (a message lost while the bus was down costs one poll interval,
 * never a change). An announcement may come late, twice or out of order: the feed reads what it has not
 * read, in order, exactly once.
 */
import type { ChangeLog } from '../store/port';
import type { ChangeFeed } from './change-feed';

/** Whether a commit bus can carry news now, for readiness checks. */
export interface BusHealth {
  /** Connected to the bus (false while it reconnects, and once closed). */
  readonly connected: boolean;
  /** Since when it has been disconnected (epoch ms), while it is. */
  readonly disconnectedSince?: number;
  /** The last error the bus reported, if any since it last connected. */
  readonly lastError?: string;
}

/** A publish/subscribe channel for commit seqs (./nats-bus.ts is the one there is). */
export interface CommitBus {
  publish(seq: number): void;
  /** Calls `heard` with every seq published by any replica (this one's too); returns a stop function. */
  subscribe(heard: (seq: number) => void): () => void;
  /** The connection's state now (cheap: kept up to date from the client's status events). */
  health(): BusHealth;
  close(): Promise<void>;
}

export interface LogTailOptions {
  /** How often to ask the store for the newest seq, ms (0: never). */
  readonly pollMs: number;
  readonly bus?: CommitBus;
  /** Told when a poll fails (the store unreachable); polling goes on. */
  readonly onError?: (error: unknown) => void;
}

export interface LogTail {
  /** The newest seq the store reported at the last poll (or a bus message), for readiness. */
  readonly newestKnown: number;
  /** When the last poll succeeded (epoch ms; 0: never). */
  readonly lastPollAt: number;
  stop(): Promise<void>;
}

export function tailChangeLog(store: ChangeLog, feed: ChangeFeed, options: LogTailOptions): LogTail {
  let newestKnown = 0;
  let lastPollAt = 0;
  let stopped = false;
  const heard = (seq: number): void => {
    if (seq > newestKnown) newestKnown = seq;
    feed.announce(seq);
  };
  const stopPublishing = options.bus ? store.onCommit((seq) => options.bus!.publish(seq)) : () => undefined;
  const stopHearing = options.bus ? options.bus.subscribe(heard) : () => undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  const poll = (): void => {
    if (stopped || polling) return;
    polling = store
      .latestSeq()
      .then((seq) => {
        lastPollAt = Date.now();
        heard(seq);
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        polling = undefined;
      });
  };
  if (options.pollMs > 0) {
    timer = setInterval(poll, options.pollMs);
    timer.unref();
    poll();
  }
  return {
    get newestKnown() {
      return newestKnown;
    },
    get lastPollAt() {
      return lastPollAt;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      stopPublishing();
      stopHearing();
      await polling;
    },
  };
}
