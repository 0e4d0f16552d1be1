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
  // Claiming skips blocked partitions in the query itself (see SqliteStore.claimOutbox): it finds the few
  // entries that hold their partition back (waiting to retry, leased, a barrier not yet oldest) through
  // outbox_waiting, outbox_leased and outbox_barriers, then walks the pending entries in seq order through
  // outbox_pending. `barrier` marks a model decommission or delete; `resync` an entry put back from the dead
  // letters, which the mirror resyncs from the current state instead of replaying.
  `
  ALTER TABLE outbox ADD COLUMN barrier INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE outbox ADD COLUMN resync INTEGER NOT NULL DEFAULT 0;
  UPDATE outbox SET barrier = 1 WHERE seq IN (SELECT seq FROM changes WHERE type IN ('Model.Decommission', 'Model.Delete'));
  CREATE INDEX outbox_pending ON outbox (seq, partition) WHERE status = 'pending';
  CREATE INDEX outbox_waiting ON outbox (available_at, partition) WHERE status = 'pending';
  CREATE INDEX outbox_leased ON outbox (claimed_until, partition) WHERE status = 'pending';
  CREATE INDEX outbox_barriers ON outbox (seq, partition) WHERE status = 'pending' AND barrier = 1;
  `,
];

/** Brings a database file up to the newest schema, one migration per transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`This database was written by a newer Twingraph (schema ${current}; this one knows ${MIGRATIONS.length}). Upgrade Twingraph to open it.`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
