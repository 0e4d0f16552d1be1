/**
 * Retries for the one-off ADT callers (reconcile, import). The adapter in ./adt.ts takes the SDK's own retry
 * policies out, so whoever calls ADT decides what to send again: here, a call that failed transiently — no
 * answer at all (a refused or dropped connection, a deadline), 408, 429 or a 5xx — is sent again after an
 * exponential backoff with full jitter, and never before the Retry-After ADT asked for. Anything else (a
 * refusal of the request itself, 401/403, a 404) is ADT's answer and goes straight back to the caller.
 */
import { AdtError } from './adt';

export interface RetryPolicy {
  /** How many times the call is made at most (1: no retry). */
  readonly attempts: number;
  /** The first backoff's ceiling, ms; each retry doubles it up to `maxMs`. */
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface RetryOptions extends RetryPolicy {
  /** Stops waiting (and retrying) when aborted: the wait rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Told before each wait (after a failed attempt, 1-based). */
  readonly onRetry?: (error: AdtError, attempt: number, delayMs: number) => void;
  /** For tests: the jitter's source (default Math.random). */
  readonly random?: () => number;
}

/** The defaults of reconcile and import (the CLI takes base and max from ADT_RETRY_BASE_MS / ADT_RETRY_MAX_MS). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 500, maxMs: 30_000 };

/** A failure worth sending the same request again for: no answer, 408, 429 or 5xx. */
export function isTransient(error: unknown): error is AdtError {
  return error instanceof AdtError && failedTransiently(error);
}

/** The AdtError's own verdict (see isTransient). */
export function failedTransiently(error: AdtError): boolean {
  const s = error.status;
  return s === undefined || s === 408 || s === 429 || s >= 500;
}

/** The wait before retry number `attempt` (1-based): full jitter over the exponential ceiling, at least Retry-After. */
export function backoffMs(
  attempt: number,
  error: AdtError,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(Math.floor(random() * ceiling), error.retryAfterMs ?? 0);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Makes `call`, and again after a transient failure (see the module comment), up to `attempts` times in all. */
export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = Math.max(1, options.attempts);
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      const delay = backoffMs(attempt, error, options, options.random);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

/**
 * Reads a whole ADT listing into an array, retrying the listing as a whole: the port's async iterables
 * (allTwins, allRelationships, listModels, listRelationships) cannot be resumed from the page that failed, so
 * a transient failure part-way starts it over. That holds the listing in memory and may read pages twice: for
 * listings that are needed whole anyway (models, at most 10k in ADT; reconcile's comparisons). A listing that
 * can be handled item by item — import's twins and relationships, up to 2M — goes through `forEachListed`.
 */
export function collect<T>(listing: () => AsyncIterable<T>, options: RetryOptions): Promise<T[]> {
  return withRetries(async () => {
    const out: T[] = [];
    for await (const item of listing()) out.push(item);
    return out;
  }, options);
}

/**
 * Hands each item of an ADT listing to `each` as its page arrives (nothing is held), starting the listing over
 * after a transient failure part-way (it cannot resume: see collect). The restarted listing yields again what
 * was handled already: `each` must recognize those and return false for them (true for an item it took).
 * The policy's attempts count per failure streak: a run that took at least one new item before it failed
 * made progress, and the next failure starts a new streak — a long listing may break more often than
 * `attempts` in all, but not `attempts` times in a row at the same place. What `each` throws is passed on at
 * once, transient or not (it is the caller's failure, not the listing's).
 */
export async function forEachListed<T>(
  listing: () => AsyncIterable<T>,
  each: (item: T) => boolean | Promise<boolean>,
  options: RetryOptions,
): Promise<void> {
  const attempts = Math.max(1, options.attempts);
  for (let streak = 0; ;) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    let progressed = false;
    let failed: { readonly error: unknown } | undefined;
    try {
      for await (const item of listing()) {
        try {
          if (await each(item)) progressed = true;
        } catch (error) {
          failed = { error };
          throw error;
        }
      }
      return;
    } catch (error) {
      if (failed) throw failed.error;
      streak = progressed ? 1 : streak + 1;
      if (streak >= attempts || !isTransient(error)) throw error;
      const delay = backoffMs(streak, error, options, options.random);
      options.onRetry?.(error, streak, delay);
      await sleep(delay, options.signal);
    }
  }
}
