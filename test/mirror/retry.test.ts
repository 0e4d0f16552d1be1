/**
 * withRetries / collect (src/mirror/retry.ts): transient ADT failures (no answer, 408, 429, 5xx) are sent again
 * with exponential backoff and full jitter, never before Retry-After; ADT's other answers go straight back; a
 * listing that fails part-way is read again from the start (forEachListed: handled item by item, the attempts
 * counted per failure streak).
 */
import { AdtError } from '../../src/mirror/adt';
import { backoffMs, collect, forEachListed, isTransient, withRetries } from '../../src/mirror/retry';

const err = (status: number | undefined, retryAfterMs?: number): AdtError =>
  new AdtError(
    `failed ${status ?? 'network'}`,
    status === undefined ? 'NetworkError' : `Http${status}`,
    status,
    retryAfterMs,
  );
const fast = { attempts: 5, baseMs: 1, maxMs: 4 };

/** A call that fails with `errors` in turn, then answers 'ok'. */
function flaky(...errors: unknown[]): { call: () => Promise<string>; calls: () => number } {
  let n = 0;
  return {
    call: async () => {
      const e = errors[n++];
      if (e !== undefined) throw e;
      return 'ok';
    },
    calls: () => n,
  };
}

describe('withRetries', () => {
  it('sends again after a dropped connection, 408, 429 and 5xx, and returns the answer', async () => {
    const f = flaky(err(undefined), err(408), err(429), err(503));
    expect(await withRetries(f.call, fast)).toBe('ok');
    expect(f.calls()).toBe(5);
  });

  it.each([[400], [401], [403], [404], [409], [412]])(
    'does not send again after %i (ADT answered about the request)',
    async (status) => {
      const f = flaky(err(status));
      await expect(withRetries(f.call, fast)).rejects.toMatchObject({ status });
      expect(f.calls()).toBe(1);
    },
  );

  it('does not retry what is not an AdtError (a bug, a store error)', async () => {
    const f = flaky(new TypeError('boom'));
    await expect(withRetries(f.call, fast)).rejects.toThrow('boom');
    expect(f.calls()).toBe(1);
  });

  it('gives up after `attempts` calls with the last error', async () => {
    const f = flaky(err(503), err(503), err(429));
    await expect(withRetries(f.call, { ...fast, attempts: 3 })).rejects.toMatchObject({ status: 429 });
    expect(f.calls()).toBe(3);
    expect(isTransient(err(500))).toBe(true);
    expect(isTransient(err(499))).toBe(false);
  });

  it('waits at least Retry-After, however small the backoff', async () => {
    const f = flaky(err(429, 120));
    const delays: number[] = [];
    const started = performance.now();
    expect(await withRetries(f.call, { ...fast, onRetry: (_e, _n, ms) => delays.push(ms) })).toBe('ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(delays).toEqual([120]);
  });

  it('backs off exponentially with full jitter, capped at maxMs', () => {
    const policy = { attempts: 10, baseMs: 100, maxMs: 1000 };
    const top = (): number => 0.999999;
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, err(503), policy, top))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffMs(3, err(503), policy, () => 0)).toBe(0);
    expect(backoffMs(3, err(503), policy, () => 0.5)).toBe(200);
    // Retry-After wins over a shorter backoff, never the other way round.
    expect(backoffMs(1, err(429, 5000), policy, top)).toBe(5000);
    expect(backoffMs(5, err(429, 10), policy, top)).toBe(999);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const f = flaky(err(429, 60_000));
    const started = performance.now();
    const pending = withRetries(f.call, { ...fast, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stopping')), 20);
    await expect(pending).rejects.toThrow('stopping');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(f.calls()).toBe(1);
  });
});

describe('collect', () => {
  it('reads a listing whole, starting it over when it fails part-way (no item twice)', async () => {
    let runs = 0;
    async function* listing(): AsyncIterable<number> {
      runs++;
      yield 1;
      yield 2;
      if (runs === 1) throw err(undefined); // the connection dropped on the second page
      if (runs === 2) throw err(503);
      yield 3;
    }
    expect(await collect(listing, fast)).toEqual([1, 2, 3]);
    expect(runs).toBe(3);
  });

  it('passes on what is not transient at once', async () => {
    let runs = 0;
    async function* listing(): AsyncIterable<number> {
      runs++;
      yield 1;
      throw err(400);
    }
    await expect(collect(listing, fast)).rejects.toMatchObject({ status: 400 });
    expect(runs).toBe(1);
  });
});

describe('forEachListed', () => {
  /** A listing of 1..n that fails with `failures[run]` after yielding `at[run]` items (run 0 is the first). */
  function breaking(
    n: number,
    failures: { at: number; error: AdtError }[],
  ): { listing: () => AsyncIterable<number>; runs: () => number } {
    let run = 0;
    return {
      listing: async function* () {
        const f = failures[run++];
        for (let i = 1; i <= n; i++) {
          if (f && i > f.at) throw f.error;
          yield i;
        }
      },
      runs: () => run,
    };
  }

  it('hands each item over as it comes (before the listing goes on), and each once when restarted', async () => {
    let yielded = 0;
    const handedAt: number[] = [];
    let runs = 0;
    async function* listing(): AsyncIterable<number> {
      runs++;
      for (let i = 1; i <= 4; i++) {
        if (runs === 1 && i === 3) throw err(undefined);
        yielded = i;
        yield i;
      }
    }
    const taken = new Set<number>();
    await forEachListed(
      listing,
      (i) => {
        handedAt.push(yielded);
        if (taken.has(i)) return false;
        taken.add(i);
        return true;
      },
      fast,
    );
    expect(runs).toBe(2);
    expect([...taken]).toEqual([1, 2, 3, 4]);
    // Item i was handed over while the listing had yielded i, not more (nothing read ahead or held).
    expect(handedAt).toEqual([1, 2, 1, 2, 3, 4]);
  });

  it('counts attempts per failure streak: failures with progress between them do not add up', async () => {
    // Five breaks, each further on than the last: more than `attempts` in all, never two in a row at one place.
    const l = breaking(
      10,
      [1, 3, 5, 7, 9].map((at) => ({ at, error: err(503) })),
    );
    const taken: number[] = [];
    const seen = new Set<number>();
    await forEachListed(l.listing, (i) => !seen.has(i) && (seen.add(i), taken.push(i), true), { ...fast, attempts: 2 });
    expect(l.runs()).toBe(6);
    expect(taken).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('gives up after `attempts` failures in a row without progress', async () => {
    const l = breaking(10, [
      { at: 2, error: err(undefined) },
      { at: 2, error: err(503) },
      { at: 2, error: err(429) },
    ]);
    const seen = new Set<number>();
    const retries: number[] = [];
    await expect(
      forEachListed(l.listing, (i) => !seen.has(i) && !!seen.add(i), {
        ...fast,
        attempts: 3,
        onRetry: (_e, n) => retries.push(n),
      }),
    ).rejects.toMatchObject({ status: 429 });
    expect(l.runs()).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('passes on what is not transient, and what the handler throws (even a transient AdtError), at once', async () => {
    const refused = breaking(3, [{ at: 1, error: err(400) }]);
    await expect(forEachListed(refused.listing, () => true, fast)).rejects.toMatchObject({ status: 400 });
    expect(refused.runs()).toBe(1);
    const fine = breaking(3, []);
    await expect(
      forEachListed(
        fine.listing,
        () => {
          throw err(503);
        },
        fast,
      ),
    ).rejects.toMatchObject({ status: 503 });
    expect(fine.runs()).toBe(1);
  });
});
