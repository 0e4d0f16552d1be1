/**
 * Relationships in Neo4j: the write primitives the relationship rules (../writes.ts) run on, and the reads
 * (one by id, a twin's outgoing and incoming lists). A relationship is a Neo4j relationship typed by its
 * DTDL name between two `Twin` nodes, its document in `_body` and flattened beside it (see encoding.ts).
 */
import { relationshipNotFound, TwingraphError } from '../../errors';
import { relationshipKey, type AsyncPrimitives } from '../effects';
import type { Relationship } from '../types';
import { relationshipTypes } from './cypher-query';
import { parseJson, records, RELATIONSHIP_ID, TWIN_ID, type Neo4jDb, type Props } from './db';
import type { CypherRunner } from './driver';
import { storedProperties } from './encoding';
import { requireTwinExists } from './twins';

export function relationshipPrimitives(
  db: Neo4jDb,
  tx: CypherRunner,
): Pick<AsyncPrimitives, 'relationships' | 'relationshipsTouching' | 'writeRelationships' | 'deleteRelationships'> {
  const deleteRelationships = async (relationships: readonly Relationship[]): Promise<void> => {
    if (relationships.length === 0) return;
    await records(
      tx,
      `UNWIND $keys AS k MATCH (:Twin {${TWIN_ID}: k.source})-[r]->(:Twin) WHERE r.${RELATIONSHIP_ID} = k.id DELETE r`,
      {
        keys: relationships.map((r) => ({ source: r.$sourceId, id: r.$relationshipId })),
      },
    );
  };
  return {
    relationships: async (keys) => {
      const found = new Map<string, Relationship>();
      if (keys.length === 0) return found;
      const locked = await records(
        tx,
        `UNWIND $keys AS k MATCH (:Twin {${TWIN_ID}: k.source})-[r]->(:Twin) WHERE r.${RELATIONSHIP_ID} = k.id SET r._lock = true REMOVE r._lock RETURN r._body AS body`,
        { keys: keys.map(([source, id]) => ({ source, id })) },
      );
      for (const r of locked) {
        const relationship = parseJson<Relationship>(r.get('body'));
        found.set(relationshipKey(relationship.$sourceId, relationship.$relationshipId), relationship);
      }
      return found;
    },
    relationshipsTouching: async (twinId, limit) =>
      (
        await records(tx, `MATCH (:Twin {${TWIN_ID}: $id})-[r]-(:Twin) RETURN r._body AS body LIMIT $limit`, {
          id: twinId,
          limit: db.int(limit),
        })
      ).map((r) => parseJson<Relationship>(r.get('body'))),
    writeRelationships: async (relationshipRows) => {
      // A replaced relationship may change name or target: the old one goes, the new one is created.
      await deleteRelationships(relationshipRows.filter((r) => r.previous).map((r) => r.previous!));
      const byName = new Map<string, Props[]>();
      for (const { relationship: r } of relationshipRows) {
        if (!byName.has(r.$relationshipName)) byName.set(r.$relationshipName, []);
        byName.get(r.$relationshipName)!.push({
          source: r.$sourceId,
          target: r.$targetId,
          props: storedProperties(r, { $relationshipId: r.$relationshipId, _etag: r.$etag }),
        });
      }
      for (const [name, group] of byName) {
        const created = await records(
          tx,
          `UNWIND $rows AS row MATCH (s:Twin {${TWIN_ID}: row.source}) MATCH (t:Twin {${TWIN_ID}: row.target}) CREATE (s)-[r${relationshipTypes([name])}]->(t) SET r = row.props RETURN count(r) AS n`,
          { rows: group },
        );
        if (Number(created[0]?.get('n') ?? 0) !== group.length) {
          throw new TwingraphError(
            'TargetTwinNotFound',
            'A relationship endpoint was deleted while the relationship was being written; retry.',
          );
        }
      }
    },
    deleteRelationships,
  };
}

export async function getRelationship(db: Neo4jDb, sourceId: string, relationshipId: string): Promise<Relationship> {
  return db.read(async (tx) => {
    await requireTwinExists(tx, sourceId);
    const body = (
      await tx.run(
        `MATCH (:Twin {${TWIN_ID}: $source})-[r]->(:Twin) WHERE r.${RELATIONSHIP_ID} = $id RETURN r._body AS body`,
        { source: sourceId, id: relationshipId },
      )
    ).records[0]?.get('body');
    if (body == null) throw relationshipNotFound(sourceId, relationshipId);
    return parseJson<Relationship>(body);
  });
}

export async function listRelationships(
  db: Neo4jDb,
  sourceId: string,
  options: { name?: string } = {},
): Promise<Relationship[]> {
  return db.read(async (tx) => {
    await requireTwinExists(tx, sourceId);
    const result = await tx.run(
      `MATCH (:Twin {${TWIN_ID}: $id})-[r]->(:Twin) WHERE $name IS NULL OR type(r) = $name RETURN r._body AS body ORDER BY r.${RELATIONSHIP_ID}`,
      { id: sourceId, name: options.name ?? null },
    );
    return result.records.map((r) => parseJson<Relationship>(r.get('body')));
  });
}

export async function listIncomingRelationships(
  db: Neo4jDb,
  targetId: string,
  options: { name?: string } = {},
): Promise<Relationship[]> {
  return db.read(async (tx) => {
    await requireTwinExists(tx, targetId);
    const result = await tx.run(
      `MATCH (s:Twin)-[r]->(:Twin {${TWIN_ID}: $id}) WHERE $name IS NULL OR type(r) = $name RETURN r._body AS body ORDER BY s.${TWIN_ID}, r.${RELATIONSHIP_ID}`,
      { id: targetId, name: options.name ?? null },
    );
    return result.records.map((r) => parseJson<Relationship>(r.get('body')));
  });
}
