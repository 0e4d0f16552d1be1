/**
 * Group commit on Neo4j: the writes that arrive while a transaction is in flight wait for it, then run
 * together in the next one, each after the other, and are answered after its commit. Neo4j serializes every
 * write on the change-log counter (it keeps `seq` contiguous), and each write held that lock through its own
 * commit: a store took about a hundred writes a second however many requests were in flight. A group takes
 * the lock, BEGIN and COMMIT once for all its writes.
 *
 * Each write in a group sees the ones before it, as it would have had they committed first, and is answered
 * as it would have been alone. Neo4j has no savepoints, so a write that fails (its rules refuse it: a stale
 * ETag, a missing twin) takes its group's transaction down with it: it is answered with its error, and the
 * others run again without it, in a new transaction. A collision on a uniqueness constraint (another process
 * created the same twin first) runs the whole group again, where the rules see that twin. A failure that is no
 * write's own (Neo4j unavailable, the commit refused) answers every write of the group with it.
 */

/** One write of a group: runs its rules in the group's transaction, and returns what its caller gets. */
export type GroupWork<Tx> = (tx: Tx) => Promise<unknown>;

interface Queued<Tx> {
  readonly work: GroupWork<Tx>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions<Tx> {
  /**
   * Runs `body` in one write transaction and commits it; what `body` returned, once committed. The driver
   * retries a transaction on transient errors (a deadlock, a leader change), so `body` may run more than once.
   */
  readonly transaction: <T>(body: (tx: Tx) => Promise<T>) => Promise<T>;
  /** Called once a group has committed, with what each of its writes returned, before they are answered. */
  readonly committed?: (values: readonly unknown[]) => void;
  /** Whether an error asks for the whole group to run again (a uniqueness collision). */
  readonly isCollision: (error: unknown) => boolean;
  /** Writes in one transaction at most (a bulk write is one write, of up to a thousand items). */
  readonly maxWrites: number;
  /** Runs of a group that meets a collision each time, before its writes are answered with the last one. */
  readonly maxAttempts: number;
}

export class GroupCommit<Tx> {
  private readonly queue: Queued<Tx>[] = [];
  private running = false;

  constructor(private readonly options: GroupCommitOptions<Tx>) {}

  /** Resolves with what `work` returned once its transaction has committed; rejects with its own failure. */
  submit<T>(work: GroupWork<Tx>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.options.maxWrites));
    } finally {
      this.running = false;
    }
  }

  /** Commits `group`, less the writes that fail on their own; settles every one of them. */
  private async commit(group: readonly Queued<Tx>[]): Promise<void> {
    let writes = group;
    let collisions = 0;
    while (writes.length > 0) {
      // The write whose work threw in the transaction's last run, and what it threw.
      let failed: { readonly index: number; readonly error: unknown } | undefined;
      let values: unknown[];
      try {
        values = await this.options.transaction(async (tx) => {
          failed = undefined;
          const out: unknown[] = [];
          for (const [index, write] of writes.entries()) {
            try {
              out.push(await write.work(tx));
            } catch (error) {
              failed = { index, error };
              throw error;
            }
          }
          return out;
        });
      } catch (error) {
        if (this.options.isCollision(error)) {
          if (++collisions < this.options.maxAttempts) continue;
        } else if (failed !== undefined && failed.error === error && writes.length > 1) {
          // The write's own failure, as it threw it: answered with it; the others go again without it.
          const { index } = failed;
          writes[index].reject(error);
          writes = writes.filter((_, i) => i !== index);
          continue;
        }
        for (const write of writes) write.reject(error);
        return;
      }
      try {
        this.options.committed?.(values);
      } catch {
        // What follows a commit is not the writes' concern: they have committed.
      }
      writes.forEach((write, i) => write.resolve(values[i]));
      return;
    }
  }
}
