/**
 * The storage floor of bench:bulk's patch phases: the same twin rows rewritten, each with its change-log row
 * appended, by a bare better-sqlite3 loop, with nothing of the server's own work (no HTTP, GraphQL, patching,
 * validation, ETags or caches). It runs in the bench's process after the server has stopped, on a file of its
 * own laid out by the store's migrations, with the store's settings (WAL, synchronous NORMAL, a 64 MB page
 * cache, no automatic checkpoint) and a PASSIVE checkpoint every 8,000 rows, as the store's checkpoint thread
 * runs them: the bench's batches, a transaction each, in its scattered order and in id order. Its CPU time
 * a write, measured in the same run as the server's, tells how much of a write is the server's and how much
 * the storage's on this machine at this hour: here the same code's figures swing by a third from hour to hour.
 */
import Database from 'better-sqlite3';

const CHECKPOINT_EVERY_ROWS = 8000;
const PATCH = JSON.stringify([{ op: 'replace', path: '/inUse', value: 1 }]);

export interface FloorFigures {
  /** CPU microseconds a write, scattered order and id order. */
  readonly scattered: number;
  readonly idOrder: number;
}

interface TwinRow {
  readonly id: string;
  readonly model: string;
  readonly etag: string;
  readonly body: string;
}

/**
 * Rewrites the twins of `model` found in `source` (a store file the server wrote) in a copy laid out by
 * `prepare(file)` (which opens and closes a store there), `batch` rows a transaction, first in `scattered`'s
 * order of their index, then in id order.
 */
export async function sqliteFloor(
  source: string,
  file: string,
  model: string,
  batch: number,
  scattered: (n: number) => number[],
  prepare: (file: string) => Promise<void>,
): Promise<FloorFigures> {
  const rows = readTwins(source, model);
  await prepare(file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -65536');
    db.pragma('wal_autocheckpoint = 0');
    const insert = db.prepare('INSERT INTO twins (id, model, etag, body) VALUES (?, ?, ?, ?)');
    db.transaction(() => rows.forEach((r) => insert.run(r.id, r.model, r.etag, r.body)))();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const order = scattered(rows.length);
    return {
      scattered: rewrite(
        db,
        order.map((i) => rows[i]),
        batch,
      ),
      idOrder: rewrite(db, rows, batch),
    };
  } finally {
    db.close();
  }
}

function readTwins(source: string, model: string): TwinRow[] {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, model, etag, body FROM twins WHERE model = ? ORDER BY id').all(model) as TwinRow[];
  } finally {
    db.close();
  }
}

/** CPU microseconds a write of rewriting `rows` in this order, with a change-log row each. */
function rewrite(db: Database.Database, rows: readonly TwinRow[], size: number): number {
  const update = db.prepare('UPDATE twins SET etag = ?, body = ? WHERE id = ?');
  const log = db.prepare(
    'INSERT INTO changes (time, type, subject, model, twin, relationship, patch, body, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const time = new Date().toISOString();
  const batch = db.transaction((from: number) => {
    for (let i = from; i < Math.min(from + size, rows.length); i++) {
      const r = rows[i];
      update.run(r.etag, r.body, r.id);
      log.run(time, 'Twin.Update', r.id, r.model, r.id, null, PATCH, r.body, null);
    }
  });
  const before = process.cpuUsage();
  let sinceCheckpoint = 0;
  for (let from = 0; from < rows.length; from += size) {
    batch.immediate(from);
    sinceCheckpoint += size;
    if (sinceCheckpoint >= CHECKPOINT_EVERY_ROWS) {
      db.pragma('wal_checkpoint(PASSIVE)');
      sinceCheckpoint = 0;
    }
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / rows.length;
}
