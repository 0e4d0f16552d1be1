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
 * Batch writes (a thousand twins a commit) append about a thousand pages each: the store's own checkpoint,
 * due at every such commit, took them all back on the event loop (a third of a scattered batch's time went to
 * its commit), and copying after every commit copied pages that the next batches rewrite. So the worker
 * starts early for them too (after START_AFTER_ROWS rows as after START_AFTER commits), counts rows as well
 * as commits, and while it runs the store's own checkpoint waits for a longer log (BACKSTOP_PAGES), still
 * bounding it should the worker lag or be gone (its failure puts the default back).
 *
 * Nothing about durability changes: a commit is acknowledged once it is in the log, as before, and a
 * checkpoint only moves committed pages. The worker starts once a store has committed START_AFTER times (or
 * written START_AFTER_ROWS rows), so that a store written a little (a test, a CLI command) never starts a
 * thread.
 */
import { Worker } from 'node:worker_threads';

/** Commits before the worker starts. */
const START_AFTER = 256;
/** Rows written before the worker starts (a few batch writes). */
const START_AFTER_ROWS = 4000;
/**
 * When the worker checkpoints: after this many commits, or this many rows written (a row rewritten is about a
 * page of the log when writes are scattered), or once the commits pause for QUIET_MS, or at the latest
 * AT_MOST_MS after the last checkpoint when anything was committed since. A page rewritten between two
 * checkpoints is copied once: checkpointing after every few commits copied the same pages over and over,
 * several times the CPU the store's own checkpoint spends (on the worker's thread, but on a machine's same
 * cores). 64 single-write commits are some 300 to 700 pages of the log here; 8,000 rows are eight batches of
 * a thousand (a log of some 40 MB at most), whose checkpoint copies what those batches rewrote once, and
 * whose fsyncs are paid once for eight batches (a checkpoint per batch or two cost a scattered batch a tenth
 * more CPU and much more time).
 */
const EVERY_COMMITS = 64;
const EVERY_ROWS = 8000;
const QUIET_MS = 100;
const AT_MOST_MS = 1000;
/** The store's own automatic checkpoint while the worker runs: only a backstop (SQLite's default is 1,000). */
const BACKSTOP_PAGES = 32_768;
const DEFAULT_AUTOCHECKPOINT = 1000;
/** How often the worker looks at the commit count (an atomic read). */
const TICK_MS = 10;
/** How long a close waits for the worker to let go of the file. */
const CLOSE_WAIT_MS = 2000;

// Plain JavaScript, run with eval: it needs no build step, under ts-jest as from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const counts = new Int32Array(workerData.counts);
// What was committed before the worker started is in the log too: none of it is checkpointed yet.
let done = 0;
let doneRows = 0;
let at = Date.now();
let seen = 0;
let seenAt = at;
const timer = setInterval(() => {
  const now = Atomics.load(counts, 0);
  const rows = Atomics.load(counts, 1);
  const time = Date.now();
  if (now !== seen) [seen, seenAt] = [now, time];
  if (
    now === done ||
    (now - done < workerData.everyCommits &&
      rows - doneRows < workerData.everyRows &&
      time - seenAt < workerData.quietMs &&
      time - at < workerData.atMostMs)
  )
    return;
  done = now;
  doneRows = rows;
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
  /** Commits and rows written so far, shared with the worker (Atomics): counting costs no message. */
  private readonly counts = new Int32Array(new SharedArrayBuffer(8));
  private worker: Worker | undefined;
  private exited: Promise<void> | undefined;
  private closed = false;
  /** The worker was started (once: a worker that failed to start is not tried again). */
  private started = false;

  /** `autocheckpoint` sets the store's own automatic checkpoint, in pages (PRAGMA wal_autocheckpoint). */
  constructor(
    private readonly file: string,
    private readonly autocheckpoint: (pages: number) => void = () => undefined,
  ) {}

  /** After each commit, with the rows it wrote. */
  committed(rows = 0): void {
    const commits = Atomics.add(this.counts, 0, 1) + 1;
    const written = Atomics.add(this.counts, 1, rows) + rows;
    if (!this.started && !this.closed && (commits >= START_AFTER || written >= START_AFTER_ROWS)) this.start();
  }

  private start(): void {
    this.started = true;
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          file: this.file,
          driver: require.resolve('better-sqlite3'),
          counts: this.counts.buffer,
          everyCommits: EVERY_COMMITS,
          everyRows: EVERY_ROWS,
          quietMs: QUIET_MS,
          atMostMs: AT_MOST_MS,
          tickMs: TICK_MS,
        },
      });
      // A thread that only helps: it keeps no process alive, and its failure leaves the store's own
      // checkpoints to do the work.
      worker.unref();
      worker.on('error', () => undefined);
      this.exited = new Promise((resolve) =>
        worker.once('exit', () => {
          // Gone (failed, or closing): the store checkpoints as often as by default again.
          if (!this.closed) this.autocheckpoint(DEFAULT_AUTOCHECKPOINT);
          resolve();
        }),
      );
      this.worker = worker;
      this.autocheckpoint(BACKSTOP_PAGES);
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
