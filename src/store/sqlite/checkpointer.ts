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
 * Batch writes (a thousand twins a commit, each on a page of its own when they are scattered) put more than
 * the store's own threshold in the log at every commit: its automatic checkpoint then ran inside every such
 * commit, worker or not (the worker had not even started: it counted commits, and fifty batches are few). So
 * the worker counts rows written too, starts on either count, checkpoints after EVERY_ROWS rows, and while it
 * runs the store's connection checkpoints only past BACKSTOP_PAGES (`onStart`): a bound on the log should
 * the worker lag, no longer the usual case. The log file keeps the size it grew to (SQLite reuses it from
 * the start once it is all copied back), at most some BACKSTOP_PAGES pages, until the store closes.
 *
 * Nothing about durability changes: a commit is acknowledged once it is in the log, as before, and a
 * checkpoint only moves committed pages. The worker starts once a store has committed START_AFTER times or
 * written START_AFTER_ROWS rows, so that a store written a little (a test, a CLI command) never starts a
 * thread.
 */
import { Worker } from 'node:worker_threads';

/** Commits, or rows written, before the worker starts. */
const START_AFTER = 256;
const START_AFTER_ROWS = 4096;
/**
 * When the worker checkpoints: after this many commits, or this long after the last checkpoint when anything
 * was committed since. A page rewritten between two checkpoints is copied once: checkpointing after every
 * few commits copied the same pages over and over, several times the CPU the store's own checkpoint spends
 * (on the worker's thread, but on a machine's same cores). 64 commits are some 300 to 700 pages of the log
 * here, under the store's own 1,000.
 */
const EVERY_COMMITS = 64;
/**
 * Or after this many rows: two batches of a thousand, whose pages are mostly distinct anyway when scattered
 * (each page copied once whichever way), while the store's own threshold stays far above what that puts in
 * the log.
 */
const EVERY_ROWS = 2000;
const AT_MOST_MS = 200;
/**
 * The store's own automatic checkpoint while the worker runs (pages of the log; SQLite's default is 1,000,
 * which a single scattered batch exceeds).
 */
export const BACKSTOP_PAGES = 10_000;
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
let done = Atomics.load(counts, 0);
let doneRows = Atomics.load(counts, 1);
let at = Date.now();
const timer = setInterval(() => {
  const now = Atomics.load(counts, 0);
  const rows = Atomics.load(counts, 1);
  if (
    now === done ||
    (now - done < workerData.everyCommits && rows - doneRows < workerData.everyRows && Date.now() - at < workerData.atMostMs)
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
  private started = false;
  private closed = false;

  constructor(
    private readonly file: string,
    /** Called when the worker starts (with true) and should it fail (false): the store sets its own threshold. */
    private readonly onStart: (running: boolean) => void = () => undefined,
  ) {}

  /** After each commit, with the rows of documents and points it wrote (WriteTx.rows). */
  committed(rows: number): void {
    const commits = Atomics.add(this.counts, 0, 1) + 1;
    // Wraps past 2^31 rows: only a difference is ever read.
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
          atMostMs: AT_MOST_MS,
          tickMs: TICK_MS,
        },
      });
      // A thread that only helps: it keeps no process alive, and its failure leaves the store's own
      // checkpoints to do the work.
      worker.unref();
      // Gone, the store's own checkpoint does the work again, at its usual threshold.
      worker.on('error', () => this.onStart(false));
      this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
      this.worker = worker;
      this.onStart(true);
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
