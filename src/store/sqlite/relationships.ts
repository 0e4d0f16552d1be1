/**
 * Relationships in SQLite: the write primitives the relationship rules (../writes.ts) run on, and the reads
 * (one by id, a twin's outgoing and incoming lists). A relationship is a row of `relationships` keyed by
 * (source, id), holding its ADT JSON in `body`, with its name and target beside it for the joins.
 */
import { relationshipNotFound } from '../../errors';
import { relationshipKey, type Primitives } from '../effects';
import type { Relationship } from '../types';
import type { Row, SqliteDb, WriteTx } from './db';
import { requireTwinExists } from './twins';

export function relationshipPrimitives(
  db: SqliteDb,
  tx: WriteTx,
): Pick<Primitives, 'relationships' | 'relationshipsTouching' | 'writeRelationships' | 'deleteRelationships'> {
  return {
    relationships: (keys) => {
      const found = new Map<string, Relationship>();
      const get = db.sql('SELECT body FROM relationships WHERE source = ? AND id = ?');
      for (const [source, id] of keys) {
        const row = get.get(source, id) as Row | undefined;
        if (row) found.set(relationshipKey(source, id), JSON.parse(row.body as string) as Relationship);
      }
      return found;
    },
    relationshipsTouching: (twinId, limit) =>
      (
        db
          .sql(
            'SELECT body FROM (SELECT body FROM relationships WHERE source = @id UNION ALL SELECT body FROM relationships WHERE target = @id) LIMIT @limit',
          )
          .all({
            id: twinId,
            limit,
          }) as Row[]
      ).map((r) => JSON.parse(r.body as string) as Relationship),
    writeRelationships: (rows) => {
      const upsert = db.sql(
        'INSERT INTO relationships (source, id, name, target, etag, body) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (source, id) DO UPDATE SET name = excluded.name, target = excluded.target, etag = excluded.etag, body = excluded.body',
      );
      db.forgetDerived();
      for (const { relationship: r } of rows)
        upsert.run(r.$sourceId, r.$relationshipId, r.$relationshipName, r.$targetId, r.$etag, db.json(r));
      tx.rows += rows.length;
    },
    deleteRelationships: (relationships) => {
      const remove = db.sql('DELETE FROM relationships WHERE source = ? AND id = ?');
      db.forgetDerived();
      for (const r of relationships) remove.run(r.$sourceId, r.$relationshipId);
    },
  };
}

export async function getRelationship(db: SqliteDb, sourceId: string, relationshipId: string): Promise<Relationship> {
  db.check();
  requireTwinExists(db, sourceId);
  const row = db.sql('SELECT body FROM relationships WHERE source = ? AND id = ?').get(sourceId, relationshipId) as
    Row | undefined;
  if (!row) throw relationshipNotFound(sourceId, relationshipId);
  return JSON.parse(row.body as string) as Relationship;
}

export async function listRelationships(
  db: SqliteDb,
  sourceId: string,
  options: { name?: string } = {},
): Promise<Relationship[]> {
  db.check();
  requireTwinExists(db, sourceId);
  const rows = (
    options.name === undefined
      ? db.sql('SELECT body FROM relationships WHERE source = ? ORDER BY id').all(sourceId)
      : db.sql('SELECT body FROM relationships WHERE source = ? AND name = ? ORDER BY id').all(sourceId, options.name)
  ) as Row[];
  return rows.map((r) => JSON.parse(r.body as string) as Relationship);
}

export async function listIncomingRelationships(
  db: SqliteDb,
  targetId: string,
  options: { name?: string } = {},
): Promise<Relationship[]> {
  db.check();
  requireTwinExists(db, targetId);
  const rows = (
    options.name === undefined
      ? db.sql('SELECT body FROM relationships WHERE target = ? ORDER BY source, id').all(targetId)
      : db
          .sql('SELECT body FROM relationships WHERE target = ? AND name = ? ORDER BY source, id')
          .all(targetId, options.name)
  ) as Row[];
  return rows.map((r) => JSON.parse(r.body as string) as Relationship);
}
