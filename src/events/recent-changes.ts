/**
 * The feed's window: the newest change-log entries, held once in memory and shared by every subscriber near
 * the head, so that a commit costs one store read however many subscribers there are. A ring of fixed
 * capacity: memory stays bounded whatever the write rate, and a subscriber that falls off its tail reads
 * the store instead.
 */
import type { ChangeEntry } from '../store/types';

export class RecentChanges {
  private readonly slots: (ChangeEntry | undefined)[];
  private oldest: number;
  private newest: number;

  /** An empty window whose first entry will be `after + 1`. */
  constructor(
    readonly capacity: number,
    after = 0,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`A window holds at least one entry (got ${capacity}).`);
    this.slots = new Array<ChangeEntry | undefined>(capacity);
    this.oldest = after + 1;
    this.newest = after;
  }

  /** The oldest seq held; `last + 1` when the window is empty. */
  get first(): number {
    return this.oldest;
  }

  /** The newest seq held (or, when empty, the seq the window starts after). */
  get last(): number {
    return this.newest;
  }

  /** Adds the next entry, dropping the oldest when full. Entries must come without gaps: seq = last + 1. */
  append(entry: ChangeEntry): void {
    if (entry.seq !== this.newest + 1)
      throw new RangeError(`The window holds seq ${this.newest} last; it cannot take seq ${entry.seq} next.`);
    this.slots[entry.seq % this.capacity] = entry;
    this.newest = entry.seq;
    if (this.newest - this.oldest + 1 > this.capacity) this.oldest++;
  }

  /** Empties the window so that it continues at `after + 1` (when the log has a gap: pruned entries). */
  restartAfter(after: number): void {
    this.slots.fill(undefined);
    this.oldest = after + 1;
    this.newest = after;
  }

  /** The entry with this seq, if the window holds it. */
  get(seq: number): ChangeEntry | undefined {
    return seq >= this.oldest && seq <= this.newest ? this.slots[seq % this.capacity] : undefined;
  }
}
