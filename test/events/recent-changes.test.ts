/** The feed's window: a ring of the newest entries, contiguous, bounded, restartable after a gap. */
import { RecentChanges } from '../../src/events/recent-changes';
import type { ChangeEntry } from '../../src/store/types';

const entry = (seq: number): ChangeEntry => ({ seq, time: '', type: 'Twin.Update', subject: `t${seq}`, body: null });

describe('RecentChanges', () => {
  it('starts empty after a seq and holds at most its capacity, dropping the oldest', () => {
    const window = new RecentChanges(3, 10);
    expect([window.first, window.last]).toEqual([11, 10]);
    expect(window.get(10)).toBeUndefined();
    for (let seq = 11; seq <= 15; seq++) window.append(entry(seq));
    expect([window.first, window.last]).toEqual([13, 15]);
    expect([12, 13, 14, 15, 16].map((seq) => window.get(seq)?.subject)).toEqual([
      undefined,
      't13',
      't14',
      't15',
      undefined,
    ]);
  });

  it('takes entries only in order, without gaps', () => {
    const window = new RecentChanges(3);
    window.append(entry(1));
    expect(() => window.append(entry(3))).toThrow(RangeError);
    expect(() => window.append(entry(1))).toThrow(RangeError);
  });

  it('restarts empty after a later seq', () => {
    const window = new RecentChanges(3);
    window.append(entry(1));
    window.restartAfter(7);
    expect([window.first, window.last, window.get(1)]).toEqual([8, 7, undefined]);
    window.append(entry(8));
    expect(window.get(8)?.subject).toBe('t8');
  });

  it('refuses a capacity that holds nothing', () => {
    expect(() => new RecentChanges(0)).toThrow(RangeError);
  });
});
