/**
 * Models in SQLite: the write primitives the model rules (../writes.ts) run on, and the model reads. A model
 * is a row of `models`, with its line of ancestors in `model_ancestors` (the twin index by model: kept when
 * the model is deleted, as its twins keep their labels) and its references in `model_dependencies` (what
 * ADT's delete rule looks up). The model-write lease is the one row of `model_lock`.
 */
import { modelNotFound } from '../../errors';
import type { Primitives } from '../effects';
import type { ListModelsOptions } from '../port';
import { dependencyClosure } from '../reads';
import { modelFromRow, type ModelRow } from '../rows';
import type { ModelRecord } from '../types';
import { deepFreeze } from '../../freeze';
import type { Row, SqliteDb, WriteTx } from './db';

/**
 * Model records by id for the writes, which look up every twin's model (a statement and the parsing of its
 * lists, per write): kept while no other process has committed (PRAGMA data_version, checked each time: inside
 * the write's transaction it is the committed state the write sees) and until this process writes models.
 * Not filled or used by a transaction that has written models (`modelsWritten`): what it reads is not
 * committed yet.
 */
function cachedRecords(db: SqliteDb, tx: WriteTx): Map<string, ModelRecord> | undefined {
  if (tx.modelsWritten) return undefined;
  const version = db.writeVersion();
  if (version !== db.modelRecordsVersion) {
    db.modelRecords.clear();
    db.modelRecordsVersion = version;
  }
  return db.modelRecords;
}

/** This transaction writes models: the kept records go, and none are kept until it has ended. */
function modelsWritten(db: SqliteDb, tx: WriteTx): void {
  tx.modelsWritten = true;
  db.modelRecords.clear();
  db.forgetDerived();
}

export function modelPrimitives(
  db: SqliteDb,
  tx: WriteTx,
): Pick<
  Primitives,
  'models' | 'modelDependents' | 'insertModels' | 'newestModelUpload' | 'decommissionModel' | 'deleteModel'
> {
  return {
    models: (ids) => {
      const found = new Map<string, ModelRecord>();
      if (ids.length === 0) return found;
      const kept = cachedRecords(db, tx);
      const missing: string[] = [];
      for (const id of ids) {
        const record = kept?.get(id);
        if (record) found.set(id, record);
        else missing.push(id);
      }
      if (missing.length === 0) return found;
      const rows = db
        // Not the definition (the whole DTDL document): every twin write looks its model up here.
        .sql(
          'SELECT id, upload_time, decommissioned, ancestors, dependencies, display_name, description FROM models ' +
            'WHERE id IN (SELECT value FROM json_each(?))',
        )
        .all(JSON.stringify(missing)) as ModelRow[];
      for (const row of rows) {
        // Frozen: the kept record is every later write's.
        const record = deepFreeze(modelFromRow(row, false));
        found.set(row.id, record);
        kept?.set(row.id, record);
      }
      return found;
    },
    modelDependents: (id) =>
      (
        db
          .sql(
            'SELECT d.model FROM model_dependencies d JOIN models m ON m.id = d.model WHERE d.dependency = ? ORDER BY d.model',
          )
          .all(id) as Row[]
      ).map((r) => r.model as string),
    newestModelUpload: () =>
      (db.sql('SELECT max(upload_time) AS newest FROM models').get() as { newest: string | null }).newest,
    insertModels: (models) => {
      const insert = db.sql(
        'INSERT INTO models (id, upload_time, decommissioned, ancestors, dependencies, display_name, description, definition) VALUES (?, ?, 0, ?, ?, ?, ?, ?)',
      );
      const clearAncestors = db.sql('DELETE FROM model_ancestors WHERE model = ?');
      const ancestor = db.sql('INSERT OR IGNORE INTO model_ancestors (ancestor, model) VALUES (?, ?)');
      const dependency = db.sql('INSERT OR IGNORE INTO model_dependencies (dependency, model) VALUES (?, ?)');
      // The models a model stands for (its descendants) change: reads derived from them go.
      modelsWritten(db, tx);
      for (const { record, definition } of models) {
        insert.run(
          record.id,
          record.uploadTime,
          JSON.stringify(record.ancestors),
          JSON.stringify(record.dependencies),
          record.displayName ? JSON.stringify(record.displayName) : null,
          record.description ? JSON.stringify(record.description) : null,
          db.json(definition),
        );
        clearAncestors.run(record.id);
        for (const a of [record.id, ...record.ancestors]) ancestor.run(a, record.id);
        for (const d of record.dependencies) dependency.run(d, record.id);
      }
    },
    decommissionModel: (id) => {
      modelsWritten(db, tx);
      db.sql('UPDATE models SET decommissioned = 1 WHERE id = ?').run(id);
    },
    deleteModel: (id) => {
      modelsWritten(db, tx);
      db.sql('DELETE FROM models WHERE id = ?').run(id);
      db.sql('DELETE FROM model_dependencies WHERE model = ?').run(id);
    },
  };
}

export async function listModels(db: SqliteDb, options: ListModelsOptions = {}): Promise<ModelRecord[]> {
  db.check();
  const include = options.includeDefinition ?? false;
  if (!options.dependenciesFor) {
    return (db.sql('SELECT * FROM models ORDER BY upload_time, id').all() as ModelRow[]).map((r) =>
      modelFromRow(r, include),
    );
  }
  const get = db.sql('SELECT * FROM models WHERE id = ?');
  return dependencyClosure(options.dependenciesFor, (id) => {
    const row = get.get(id) as ModelRow | undefined;
    return row ? modelFromRow(row, include) : undefined;
  });
}

export async function getModel(
  db: SqliteDb,
  id: string,
  options: { includeDefinition?: boolean } = {},
): Promise<ModelRecord> {
  db.check();
  const row = db.sql('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
  if (!row) throw modelNotFound(id);
  return modelFromRow(row, options.includeDefinition ?? false);
}

/**
 * Takes or extends the model-write lease (see ModelStore.lockModels). In an IMMEDIATE transaction: the file's
 * write lock makes the look and the take one step for every process on the file; their clocks are the one
 * machine's.
 */
export async function lockModels(db: SqliteDb, holder: string, leaseMs: number): Promise<boolean> {
  db.check();
  return db.connection
    .transaction(() => {
      const now = db.now();
      const held = db.sql('SELECT holder, until FROM model_lock WHERE id = 1').get() as Row | undefined;
      if (held && held.holder !== holder && (held.until as number) > now) return false;
      db.sql(
        'INSERT INTO model_lock (id, holder, until) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until',
      ).run(holder, now + leaseMs);
      return true;
    })
    .immediate();
}

export async function unlockModels(db: SqliteDb, holder: string): Promise<void> {
  db.check();
  db.sql('DELETE FROM model_lock WHERE id = 1 AND holder = ?').run(holder);
}
