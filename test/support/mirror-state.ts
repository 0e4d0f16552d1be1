/**
 * Both sides of the mirror in one comparable shape: models (definition and decommissioned flag), twins and
 * relationships as ADT's PUT bodies with keys sorted (no ETags, no times), so that `expect(adt).toEqual(ours)`
 * is the mirror's promise.
 */
import { allTwingraphTwins, comparableRelationship, comparableTwin } from '../../src/mirror/reconcile';
import type { TwinStore } from '../../src/store/port';
import type { JsonObject } from '../../src/store/types';
import type { AdtServer } from './adt-server';

export interface MirroredState {
  models: Record<string, { decommissioned: boolean; definition: unknown }>;
  twins: Record<string, string>;
  relationships: Record<string, string>;
}

export async function twingraphState(store: TwinStore): Promise<MirroredState> {
  const models: MirroredState['models'] = {};
  for (const m of await store.listModels({ includeDefinition: true }))
    models[m.id] = { decommissioned: m.decommissioned, definition: m.definition };
  const twins: Record<string, string> = {};
  const relationships: Record<string, string> = {};
  for (const t of await allTwingraphTwins(store)) {
    twins[t.$dtId] = comparableTwin(t as unknown as JsonObject);
    for (const r of await store.listRelationships(t.$dtId))
      relationships[`${r.$sourceId}/${r.$relationshipId}`] = comparableRelationship(r as unknown as JsonObject);
  }
  return { models, twins, relationships };
}

export function adtState(server: AdtServer): MirroredState {
  const snapshot = server.state.snapshot();
  const models: MirroredState['models'] = {};
  for (const [id, m] of Object.entries(snapshot.models))
    models[id] = { decommissioned: m.decommissioned, definition: m.model };
  const twins: Record<string, string> = {};
  for (const [id, t] of Object.entries(snapshot.twins)) twins[id] = comparableTwin(t as JsonObject);
  const relationships: Record<string, string> = {};
  for (const [source, rels] of Object.entries(snapshot.relationships))
    for (const [id, r] of Object.entries(rels))
      relationships[`${source}/${id}`] = comparableRelationship(r as JsonObject);
  return { models, twins, relationships };
}

/** Polls until the outbox is empty (nothing pending, nothing dead) or fails after `timeoutMs`. */
export async function drained(store: TwinStore, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await store.outboxStats();
    if (stats.pending === 0) return;
    if (Date.now() > deadline) throw new Error(`the mirror did not drain in ${timeoutMs} ms: ${JSON.stringify(stats)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
