/** API keys in SQLite: one row per key in `api_keys`, found by the key's hash (a unique index). */
import { TwingraphError } from '../../errors';
import type { ApiKeyRecord } from '../port';
import type { Row, SqliteDb } from './db';

function keyFromRow(row: Row): ApiKeyRecord {
  return {
    name: row.name as string,
    role: row.role as string,
    ...(row.models != null && { models: JSON.parse(row.models as string) as string[] }),
    hash: row.hash as string,
    created: row.created as string,
    ...(row.expires != null && { expires: row.expires as string }),
    ...(row.revoked != null && { revoked: row.revoked as string }),
  };
}

export async function createKey(db: SqliteDb, key: ApiKeyRecord): Promise<void> {
  db.check();
  const inserted = db
    .sql(
      'INSERT INTO api_keys (name, role, models, hash, created, expires) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    )
    .run(
      key.name,
      key.role,
      key.models ? JSON.stringify(key.models) : null,
      key.hash,
      key.created,
      key.expires ?? null,
    );
  if (inserted.changes === 0)
    throw new TwingraphError(
      'KeyAlreadyExists',
      `An API key named '${key.name}' exists already (names are never reused).`,
    );
}

export async function listKeys(db: SqliteDb): Promise<ApiKeyRecord[]> {
  db.check();
  return (db.sql('SELECT * FROM api_keys ORDER BY name').all() as Row[]).map(keyFromRow);
}

export async function findKey(db: SqliteDb, hash: string): Promise<ApiKeyRecord | undefined> {
  db.check();
  const row = db.sql('SELECT * FROM api_keys WHERE hash = ?').get(hash) as Row | undefined;
  return row && keyFromRow(row);
}

export async function revokeKey(db: SqliteDb, name: string, time: string): Promise<boolean> {
  db.check();
  return db.sql('UPDATE api_keys SET revoked = ? WHERE name = ? AND revoked IS NULL').run(time, name).changes > 0;
}
