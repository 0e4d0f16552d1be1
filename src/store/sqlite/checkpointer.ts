/**
 * WAL checkpoints on a thread of their own (issue 13). SQLite copies the pages a commit appended to the
 * write-ahead log back into the database file in a checkpoint, which the committing connection runs itself
 * every 1,000 pages by default: for scattered writes that is a burst of page copies and two fsyncs, inside a
 * commit, holding the event loop. Here a worker thread with its own connection to the file runs a PASSIVE
 * checkpoint shortly after commits (it never blocks a writer or a reader, nor waits for a lock: busy, it
 * tries again at the next tick), so that the store's connection mostly finds nothing left to copy when its
 * own automatic checkpoint comes due; that one stays on, and keeps the log bounded should the worker lag or
 * be gone. The total work is about the store's own (each page copied once per checkpoint); it leaves the
 * event loop, and the fsyncs with it.
 *
 * Nothing about durability changes: a commit is acknowledged once it is in the log, as before, and a
 * checkpoint only moves committed pages. The worker starts once a store has committed START_AFTER times, so
 * that a store written a little (a test, a CLI command) never starts a thread.
 */
import { Worker } from 'node:worker_threads';

/** Commits before the worker starts. */
const START_AFTER = 256;
/**
 * When the worker checkpoints: after this many commits, or this long after the last checkpoint when anything
 * was committed since. A page rewritten between two checkpoints is copied once: checkpointing after every
 * few commits copied the same pages over and over, several times the CPU the store's own checkpoint spends
 * (on the worker's thread, but on a machine's same cores). 64 commits are some 300 to 700 pages of the log
 * here, under the store's own 1,000.
 */
const EVERY_COMMITS = 64;
const AT_MOST_MS = 200;
/** How often the worker looks at the commit count (an atomic read). */
const TICK_MS = 10;
/** How long a close waits for the worker to let go of the file. */
const CLOSE_WAIT_MS = 2000;

// Plain JavaScript, run with eval: it needs no build step, under ts-jest as from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const commits = new Int32Array(workerData.commits);
let done = Atomics.load(commits, 0);
let at = Date.now();
const timer = setInterval(() => {
  const now = Atomics.load(commits, 0);
  if (now === done || (now - done < workerData.everyCommits && Date.now() - at < workerData.atMostMs)) return;
  done = now;
  at = Date.now();
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // The store's own automatic checkpoint remains.
  }
}, workerData.tickMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  /** Commits so far, shared with the worker (Atomics): counting one costs no message. */
  private readonly commits = new Int32Array(new SharedArrayBuffer(4));
  private worker: Worker | undefined;
  private exited: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly file: string) {}

  /** After each commit. */
  committed(): void {
    if (Atomics.add(this.commits, 0, 1) + 1 === START_AFTER && !this.closed) this.start();
  }

  private start(): void {
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          file: this.file,
          driver: require.resolve('better-sqlite3'),
          commits: this.commits.buffer,
          everyCommits: EVERY_COMMITS,
          atMostMs: AT_MOST_MS,
          tickMs: TICK_MS,
        },
      });
      // A thread that only helps: it keeps no process alive, and its failure leaves the store's own
      // checkpoints to do the work.
      worker.unref();
      worker.on('error', () => undefined);
      this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
      this.worker = worker;
    } catch {
      this.worker = undefined;
    }
  }

  /** Stops the worker and waits (a while) until it has closed its connection, before the store closes its own. */
  async close(): Promise<void> {
    this.closed = true;
    const { worker, exited } = this;
    if (!worker || !exited) return;
    this.worker = undefined;
    worker.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
    await Promise.race([exited, late]);
    clearTimeout(timer);
    await worker.terminate();
  }
}
