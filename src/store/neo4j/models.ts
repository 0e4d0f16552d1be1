/**
 * Models in Neo4j: the write primitives the model rules (../writes.ts) run on, and the model reads. A model
 * is a `Model` node holding its ancestors and dependencies as lists and its DTDL as JSON text; its node
 * properties are renamed to the shared row's columns (../rows.ts) to be read back. The model-write lease is
 * kept on the `models-lock` Counter node.
 */
import { modelNotFound } from '../../errors';
import type { AsyncPrimitives } from '../effects';
import type { ListModelsOptions } from '../port';
import { dependencyClosure } from '../reads';
import { modelFromRow, type ModelRow } from '../rows';
import type { ModelRecord } from '../types';
import { records, type Neo4jDb, type Props } from './db';
import type { CypherRunner } from './driver';

function modelRow(p: Props): ModelRow {
  return {
    id: p.id as string,
    upload_time: p.uploadTime as string,
    decommissioned: p.decommissioned as boolean,
    ancestors: p.ancestors as string[] | null,
    dependencies: p.dependencies as string[] | null,
    display_name: p.displayName as string | null,
    description: p.description as string | null,
    definition: p.definition as string,
  };
}

export function modelPrimitives(
  tx: CypherRunner,
): Pick<
  AsyncPrimitives,
  'models' | 'modelDependents' | 'insertModels' | 'newestModelUpload' | 'decommissionModel' | 'deleteModel'
> {
  return {
    models: async (ids) => {
      const found = new Map<string, ModelRecord>();
      if (ids.length === 0) return found;
      for (const r of await records(tx, 'MATCH (m:Model) WHERE m.id IN $ids RETURN properties(m) AS m', {
        ids: [...ids],
      })) {
        const model = modelFromRow(modelRow(r.get('m') as Props), false);
        found.set(model.id, model);
      }
      return found;
    },
    modelDependents: async (id) =>
      (await records(tx, 'MATCH (m:Model) WHERE $id IN m.dependencies RETURN m.id AS id ORDER BY id', { id })).map(
        (r) => r.get('id') as string,
      ),
    newestModelUpload: async () =>
      ((await records(tx, 'MATCH (m:Model) RETURN max(m.uploadTime) AS newest'))[0]?.get('newest') as string | null) ??
      null,
    insertModels: async (models) => {
      await records(tx, 'UNWIND $models AS m CREATE (n:Model) SET n = m', {
        models: models.map(({ record, definition }) => ({
          id: record.id,
          uploadTime: record.uploadTime,
          decommissioned: false,
          ancestors: record.ancestors,
          dependencies: record.dependencies,
          displayName: record.displayName ? JSON.stringify(record.displayName) : null,
          description: record.description ? JSON.stringify(record.description) : null,
          definition: JSON.stringify(definition),
        })),
      });
    },
    decommissionModel: async (id) =>
      void (await records(tx, 'MATCH (m:Model {id: $id}) SET m.decommissioned = true', { id })),
    deleteModel: async (id) => void (await records(tx, 'MATCH (m:Model {id: $id}) DELETE m', { id })),
  };
}

export async function listModels(db: Neo4jDb, options: ListModelsOptions = {}): Promise<ModelRecord[]> {
  const include = options.includeDefinition ?? false;
  const all = await db.read(async (tx) =>
    (await tx.run('MATCH (m:Model) RETURN properties(m) AS m ORDER BY m.uploadTime, m.id')).records.map((r) =>
      modelFromRow(modelRow(r.get('m') as Props), include),
    ),
  );
  if (!options.dependenciesFor) return all;
  const byId = new Map(all.map((m) => [m.id, m]));
  return dependencyClosure(options.dependenciesFor, (id) => byId.get(id));
}

export async function getModel(
  db: Neo4jDb,
  id: string,
  options: { includeDefinition?: boolean } = {},
): Promise<ModelRecord> {
  const props = await db.read(
    async (tx) =>
      (await tx.run('MATCH (m:Model {id: $id}) RETURN properties(m) AS m', { id })).records[0]?.get('m') as
        Props | undefined,
  );
  if (!props) throw modelNotFound(id);
  return modelFromRow(modelRow(props), options.includeDefinition ?? false);
}

/** The node that holds the model-write lease (under the counter_name uniqueness constraint, like the counters). */
const LOCK = "(l:Counter {name: 'models-lock'})";

/**
 * Takes or extends the model-write lease (see ModelStore.lockModels): the lock node is locked first, so two
 * takers are one after the other, and times are the server's (`timestamp()`), not the replicas' clocks.
 */
export async function lockModels(db: Neo4jDb, holder: string, leaseMs: number): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.session('WRITE', async (tx) => {
        const taken = await records(
          tx,
          `MERGE ${LOCK} ON CREATE SET l.value = 0 SET l._lock = true REMOVE l._lock ` +
            'WITH l, timestamp() AS now WITH l, now, l.holder IS NULL OR l.holder = $holder OR l.until <= now AS free ' +
            'FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END | SET l.holder = $holder, l.until = now + $leaseMs) ' +
            'RETURN free',
          { holder, leaseMs },
        );
        return taken[0].get('free') === true;
      });
    } catch (error) {
      // Two first takers both MERGE-created the node: the one that lost sees it now.
      if (attempt < 3 && (error as { code?: unknown })?.code === 'Neo.ClientError.Schema.ConstraintValidationFailed')
        continue;
      throw error;
    }
  }
}

export async function unlockModels(db: Neo4jDb, holder: string): Promise<void> {
  await db.session('WRITE', (tx) =>
    tx.run(`MATCH ${LOCK} WHERE l.holder = $holder REMOVE l.holder, l.until`, { holder }),
  );
}
