/**
 * The SQLite schema, as numbered migrations applied on open (PRAGMA user_version records how far a file
 * has come). Never edit a released migration: add the next one.
 *
 * Layout: twins and relationships keep their ADT JSON in `body` (filters read it with json_extract, and
 * expression indexes make chosen properties fast); `model_ancestors` answers "twins of this model or a
 * subtype"; metric points are keyed by (series, time) without a rowid so a range is one index scan;
 * `changes.seq` is AUTOINCREMENT so numbers are never reused even after pruning, and roll back with
 * their transaction, which keeps them contiguous.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE models (
    id TEXT PRIMARY KEY,
    upload_time TEXT NOT NULL,
    decommissioned INTEGER NOT NULL DEFAULT 0,
    ancestors TEXT NOT NULL,
    dependencies TEXT NOT NULL,
    display_name TEXT,
    description TEXT,
    definition TEXT NOT NULL
  ) WITHOUT ROWID;

  -- Every model with itself and each ancestor; kept when a model is deleted, as its twins keep their labels.
  CREATE TABLE model_ancestors (
    ancestor TEXT NOT NULL,
    model TEXT NOT NULL,
    PRIMARY KEY (ancestor, model)
  ) WITHOUT ROWID;

  CREATE TABLE model_dependencies (
    dependency TEXT NOT NULL,
    model TEXT NOT NULL,
    PRIMARY KEY (dependency, model)
  ) WITHOUT ROWID;

  CREATE TABLE twins (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    etag TEXT NOT NULL,
    body TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX twins_by_model ON twins (model, id);

  CREATE TABLE relationships (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    target TEXT NOT NULL,
    etag TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (source, id)
  ) WITHOUT ROWID;
  CREATE INDEX relationships_out ON relationships (source, name, target);
  CREATE INDEX relationships_in ON relationships (target, name, source);

  CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY,
    twin TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (twin, name)
  );

  CREATE TABLE metric_points (
    series INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    value REAL,
    json TEXT,
    PRIMARY KEY (series, ts)
  ) WITHOUT ROWID;

  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    type TEXT NOT NULL,
    subject TEXT NOT NULL,
    model TEXT,
    twin TEXT,
    relationship TEXT,
    patch TEXT,
    body TEXT NOT NULL
  );
  CREATE INDEX changes_by_time ON changes (time);

  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    partition TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    available_at INTEGER NOT NULL,
    claimed_until INTEGER,
    last_error TEXT
  );
  CREATE INDEX outbox_by_status ON outbox (status, seq);
  `,
  // `barrier` marks a model decommission or delete; `resync` an entry put back from the dead letters, which
  // the mirror resyncs from the current state instead of replaying. (The indexes made here served a claim
  // query that migration 3 replaced.) The back-fill looks only at the outbox's model changes, the only
  // partition barriers are in, each by its primary key in changes: never the whole change log.
  `
  ALTER TABLE outbox ADD COLUMN barrier INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE outbox ADD COLUMN resync INTEGER NOT NULL DEFAULT 0;
  UPDATE outbox SET barrier = 1 WHERE partition = 'models'
    AND EXISTS (SELECT 1 FROM changes c WHERE c.seq = outbox.seq AND c.type IN ('Model.Decommission', 'Model.Delete'));
  CREATE INDEX outbox_pending ON outbox (seq, partition) WHERE status = 'pending';
  CREATE INDEX outbox_waiting ON outbox (available_at, partition) WHERE status = 'pending';
  CREATE INDEX outbox_leased ON outbox (claimed_until, partition) WHERE status = 'pending';
  CREATE INDEX outbox_barriers ON outbox (seq, partition) WHERE status = 'pending' AND barrier = 1;
  `,
  // Partition heads, so that a claim costs what it examines, not the backlog (see claimOutbox in outbox.ts).
  // `head` marks the first pending entry of each partition (by seq); triggers keep it so whatever writes the
  // outbox: an entry enqueued or put back from the dead letters heads its partition when no earlier entry is
  // pending (and the entry it goes before no longer does); when a head is acknowledged, dropped or parked as
  // a dead letter, the next pending entry of its partition takes over. outbox_heads lists the heads in seq
  // order with what decides whether they block (covering); outbox_partition walks a partition's pending
  // entries in seq order.
  `
  ALTER TABLE outbox ADD COLUMN head INTEGER NOT NULL DEFAULT 0;
  DROP INDEX outbox_pending;
  DROP INDEX outbox_waiting;
  DROP INDEX outbox_leased;
  DROP INDEX outbox_barriers;
  CREATE INDEX outbox_partition ON outbox (partition, seq) WHERE status = 'pending';
  UPDATE outbox SET head = 1 WHERE seq IN (SELECT min(seq) FROM outbox WHERE status = 'pending' GROUP BY partition);
  CREATE INDEX outbox_heads ON outbox (seq, available_at, claimed_until, barrier, partition) WHERE head = 1;

  CREATE TRIGGER outbox_head_enqueued AFTER INSERT ON outbox WHEN NEW.status = 'pending' BEGIN
    UPDATE outbox SET head = 0 WHERE head = 1 AND seq = (SELECT min(seq) FROM outbox WHERE partition = NEW.partition AND status = 'pending' AND seq > NEW.seq);
    UPDATE outbox SET head = 1 WHERE seq = NEW.seq AND NOT EXISTS (SELECT 1 FROM outbox WHERE partition = NEW.partition AND status = 'pending' AND seq < NEW.seq);
  END;
  CREATE TRIGGER outbox_head_retried AFTER UPDATE OF status ON outbox WHEN OLD.status <> 'pending' AND NEW.status = 'pending' BEGIN
    UPDATE outbox SET head = 0 WHERE head = 1 AND seq = (SELECT min(seq) FROM outbox WHERE partition = NEW.partition AND status = 'pending' AND seq > NEW.seq);
    UPDATE outbox SET head = 1 WHERE seq = NEW.seq AND NOT EXISTS (SELECT 1 FROM outbox WHERE partition = NEW.partition AND status = 'pending' AND seq < NEW.seq);
  END;
  CREATE TRIGGER outbox_head_parked AFTER UPDATE OF status ON outbox WHEN OLD.status = 'pending' AND NEW.status <> 'pending' AND OLD.head = 1 BEGIN
    UPDATE outbox SET head = 0 WHERE seq = NEW.seq;
    UPDATE outbox SET head = 1 WHERE seq = (SELECT min(seq) FROM outbox WHERE partition = OLD.partition AND status = 'pending');
  END;
  CREATE TRIGGER outbox_head_removed AFTER DELETE ON outbox WHEN OLD.head = 1 BEGIN
    UPDATE outbox SET head = 1 WHERE seq = (SELECT min(seq) FROM outbox WHERE partition = OLD.partition AND status = 'pending');
  END;
  `,
  // Who made each change (an API key's name or a token's subject), and the API keys themselves: only a
  // SHA-256 of each key is kept (keys are 256 random bits, so a fast hash is enough), looked up by it.
  `
  ALTER TABLE changes ADD COLUMN actor TEXT;

  CREATE TABLE api_keys (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    models TEXT,
    hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    expires TEXT,
    revoked TEXT
  ) WITHOUT ROWID;
  `,
  // The model-write lease (models.ts: lockModels): one row while a process holds it, with when it runs out.
  `
  CREATE TABLE model_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    until INTEGER NOT NULL
  );
  `,
  // Named leases (leases.ts): one row per name ever taken; a given-back or run-out lease keeps its row, so the
  // next taker learns how long ago it ended.
  `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

/**
 * Brings a database file up to the newest schema, one migration per transaction. Each transaction reads the
 * version it starts from under the write lock: replicas opening a new file at once each apply what the others
 * have not, rather than all applying the first migration (`table models already exists`).
 */
export function migrate(db: Database.Database): void {
  const step = db.transaction((): boolean => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `This database was written by a newer Twingraph (schema ${current}; this one knows ${MIGRATIONS.length}). Upgrade Twingraph to open it.`,
      );
    }
    if (current === MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[current]);
    db.pragma(`user_version = ${current + 1}`);
    return true;
  });
  while (step.immediate()) {
    // The next migration, if any.
  }
}
