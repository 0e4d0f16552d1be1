/**
 * Waiting unless stopped (src/api/stoppable.ts): a wait settles as its promise does, or with STOPPED the moment
 * stop() is called, and leaves nothing behind once it is over, however many a subscription makes.
 */
import { STOPPED, Stopper } from '../../src/api/stoppable';

describe('a stoppable wait', () => {
  it('settles as its promise does', async () => {
    const stopper = new Stopper();
    expect(await stopper.until(Promise.resolve(1))).toBe(1);
    await expect(stopper.until(Promise.reject(new Error('failed')))).rejects.toThrow('failed');
  });

  it('settles with STOPPED when stopped first, and at once once stopped; a later rejection is dropped', async () => {
    const stopper = new Stopper();
    let fail!: (error: Error) => void;
    const waits = [
      stopper.until(new Promise(() => undefined)),
      stopper.until(new Promise((_r, reject) => (fail = reject))),
    ];
    stopper.stop();
    expect(await Promise.all(waits)).toEqual([STOPPED, STOPPED]);
    fail(new Error('too late'));
    expect(await stopper.until(Promise.resolve(1))).toBe(STOPPED);
    expect(stopper.stopped).toBe(true);
  });

  it('leaves nothing behind once a wait is over', async () => {
    const stopper = new Stopper();
    for (let i = 0; i < 10_000; i++) await stopper.until(Promise.resolve(i));
    await stopper.until(Promise.reject(new Error('x'))).catch(() => undefined);
    expect(stopper.waiting).toBe(0);
  });
});
