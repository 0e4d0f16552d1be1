/**
 * API keys in Neo4j: one `ApiKey` node per key, its name and hash each under a uniqueness constraint
 * (schema.ts), so that two replicas creating the same name at once cannot both succeed.
 */
import { TwingraphError } from '../../errors';
import type { ApiKeyRecord } from '../port';
import type { Neo4jDb, Props } from './db';

function keyFromNode(p: Props): ApiKeyRecord {
  return {
    name: p.name as string,
    role: p.role as string,
    ...(p.models != null && { models: p.models as string[] }),
    hash: p.hash as string,
    created: p.created as string,
    ...(p.expires != null && { expires: p.expires as string }),
    ...(p.revoked != null && { revoked: p.revoked as string }),
  };
}

export async function createKey(db: Neo4jDb, key: ApiKeyRecord): Promise<void> {
  try {
    await db.session('WRITE', (tx) =>
      tx.run(
        'CREATE (k:ApiKey {name: $name, role: $role, models: $models, hash: $hash, created: $created, expires: $expires})',
        {
          name: key.name,
          role: key.role,
          models: key.models ? [...key.models] : null,
          hash: key.hash,
          created: key.created,
          expires: key.expires ?? null,
        },
      ),
    );
  } catch (error) {
    if ((error as { code?: unknown })?.code === 'Neo.ClientError.Schema.ConstraintValidationFailed')
      throw new TwingraphError(
        'KeyAlreadyExists',
        `An API key named '${key.name}' exists already (names are never reused).`,
      );
    throw error;
  }
}

export async function listKeys(db: Neo4jDb): Promise<ApiKeyRecord[]> {
  return db.read(async (tx) =>
    (await tx.run('MATCH (k:ApiKey) RETURN properties(k) AS k ORDER BY k.name')).records.map((r) =>
      keyFromNode(r.get('k') as Props),
    ),
  );
}

export async function findKey(db: Neo4jDb, hash: string): Promise<ApiKeyRecord | undefined> {
  return db.read(async (tx) => {
    const [record] = (await tx.run('MATCH (k:ApiKey {hash: $hash}) RETURN properties(k) AS k', { hash })).records;
    return record && keyFromNode(record.get('k') as Props);
  });
}

export async function revokeKey(db: Neo4jDb, name: string, time: string): Promise<boolean> {
  return db.session('WRITE', async (tx) => {
    const result = await tx.run(
      'MATCH (k:ApiKey {name: $name}) WHERE k.revoked IS NULL SET k.revoked = $time RETURN k.name',
      {
        name,
        time,
      },
    );
    return result.records.length > 0;
  });
}
