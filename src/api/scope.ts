/**
 * An identity limited to the twins of some models (an API key's `--models`, a token's models claim) sees a
 * GraphContext narrowed to them: out-of-scope twins behave as absent in every read (by id, in lists and
 * their totals, at every hop of a traversal, in relationship listings, telemetry), writes that touch one
 * are refused with FORBIDDEN before anything is written, and their changes never reach the identity, in
 * `changes` reads, replays and live subscriptions alike. It decorates the context the resolvers use, so
 * that no resolver, generated or written by hand, needs to know about scopes.
 *
 * A model in scope brings its subtypes (as ADT's IS_OF_MODEL does). A relationship is in scope with its
 * source twin; reads also require its target (listings and traversals go through scoped hops), and writes
 * require both ends.
 */
import type { ModelSet } from '../dtdl/model';
import { TwingraphError } from '../errors';
import type { GraphContext } from '../graphql/graph-context';
import { idsOf, ItemErrors } from '../store/batch-errors';
import type { Filter, Hop, Traversal, TwinQuery } from '../store/query';
import type { ChangeEntry, Twin } from '../store/types';

function forbidden(what: string): TwingraphError {
  return new TwingraphError('FORBIDDEN', `Forbidden: ${what} is outside the models this identity may use.`);
}

function and(where: Filter | undefined, scope: Filter): Filter {
  return where ? { and: [where, scope] } : scope;
}

export function scopedContext(context: GraphContext, scopeModels: readonly string[], models: ModelSet): GraphContext {
  const scope: Filter = { or: scopeModels.map((ofModel) => ({ ofModel })) };
  const allowed = new Map<string, boolean>();
  const inScope = (modelId: string | undefined): boolean => {
    if (modelId === undefined) return false;
    let verdict = allowed.get(modelId);
    if (verdict === undefined) allowed.set(modelId, (verdict = scopeModels.some((m) => models.isOf(modelId, m))));
    return verdict;
  };
  const visible = (twin: Twin | undefined): Twin | undefined =>
    twin && inScope(twin.$metadata.$model) ? twin : undefined;
  const { twins, write, metrics, changes } = context;
  const get = async (id: string): Promise<Twin | undefined> => visible(await twins.get(id));
  const requireTwin = async (id: string): Promise<void> => {
    const twin = await twins.get(id);
    // An out-of-scope twin is refused as if absent would leak nothing either; FORBIDDEN says why the write failed.
    if (twin && !inScope(twin.$metadata.$model)) throw forbidden(`twin '${id}'`);
  };
  /**
   * A batch touching anything out of scope is refused whole, before anything is written, naming each such
   * item (FORBIDDEN) by index, as the batch's other refusals are named. `touched` gives an item's twin ids
   * and, for an upsert, its model.
   */
  const requireBatchInScope = async (
    what: string,
    items: readonly unknown[],
    touched: (item: never) => { twins: readonly unknown[]; model?: unknown },
  ): Promise<void> => {
    const touches = items.map((item) =>
      item !== null && typeof item === 'object' ? touched(item as never) : { twins: [] },
    );
    const ids = [...new Set(touches.flatMap((t) => t.twins.filter((id): id is string => typeof id === 'string')))];
    const found = new Map((await Promise.all(ids.map(twins.get))).map((twin, i) => [ids[i], twin]));
    const errors = new ItemErrors(what);
    touches.forEach(({ twins: touchedIds, model }, index) => {
      // The item's own twin (the one patched or written, a relationship's source) names it.
      const about = idsOf(touchedIds[0]);
      if (typeof model === 'string' && !inScope(model)) errors.add(index, forbidden(`model '${model}'`), about);
      for (const id of touchedIds) {
        const twin = typeof id === 'string' ? found.get(id) : undefined;
        if (twin && !inScope(twin.$metadata.$model)) errors.add(index, forbidden(`twin '${id}'`), about);
      }
    });
    errors.throwIfAny(items.length);
  };
  const scopedHop = (hop: Hop): Hop => ({ ...hop, where: and(hop.where, scope) });
  const changeVisible = (change: ChangeEntry): boolean => change.type.startsWith('Model.') || inScope(change.modelId);

  return {
    ...context,
    twins: {
      get,
      query: (query: TwinQuery) => twins.query({ ...query, where: and(query.where, scope) }),
      traverse: (traversal: Traversal) =>
        twins.traverse({
          ...traversal,
          from: and(traversal.from, scope),
          hops: traversal.hops.map(scopedHop),
          where: and(traversal.where, scope),
        }),
      neighbors: (id, hop, first, orderBy) => twins.neighbors(id, scopedHop(hop), first, orderBy),
      neighborCount: (id, hop) => twins.neighborCount(id, scopedHop(hop)),
      relationship: async (sourceId, relationshipId) => {
        const relationship = await twins.relationship(sourceId, relationshipId);
        if (!relationship) return undefined;
        const [source, target] = await Promise.all([get(sourceId), get(relationship.$targetId)]);
        return source && target ? relationship : undefined;
      },
      relationships: async (twinId, direction, name) => {
        if (!(await get(twinId))) return [];
        const hop = scopedHop({ direction, ...(name && { names: [name] }) });
        return (await twins.neighbors(twinId, hop, 1000, [])).map((n) => n.relationship);
      },
    },
    metrics: {
      latest: async (key) => ((await get(key.twinId)) ? metrics.latest(key) : undefined),
      range: async (key, options) => ((await get(key.twinId)) ? metrics.range(key, options) : []),
      aggregate: async (key, options) => ((await get(key.twinId)) ? metrics.aggregate(key, options) : []),
    },
    changes: {
      read: async (after, first) => (await changes.read(after, first)).filter(changeVisible),
      subscribe: ({ since, filter }) =>
        changes.subscribe({
          ...(since !== undefined && { since }),
          filter: (change) => changeVisible(change) && filter(change),
        }),
    },
    write: {
      ...write,
      create: async (id, modelId, body, options) => {
        if (!inScope(modelId)) throw forbidden(`model '${modelId}'`);
        await requireTwin(id);
        return write.create(id, modelId, body, options);
      },
      patch: async (id, patch, options) => {
        await requireTwin(id);
        return write.patch(id, patch, options);
      },
      update: async (id, modelId, makePatch, options) => {
        await requireTwin(id);
        return write.update(id, modelId, makePatch, options);
      },
      delete: async (id, options) => {
        await requireTwin(id);
        return write.delete(id, options);
      },
      putRelationship: async (sourceId, relationshipId, relationship, options) => {
        await Promise.all([requireTwin(sourceId), requireTwin(relationship.$targetId)]);
        return write.putRelationship(sourceId, relationshipId, relationship, options);
      },
      patchRelationship: async (sourceId, relationshipId, patch, options) => {
        await requireTwin(sourceId);
        const existing = await twins.relationship(sourceId, relationshipId);
        if (existing) await requireTwin(existing.$targetId);
        return write.patchRelationship(sourceId, relationshipId, patch, options);
      },
      deleteRelationship: async (sourceId, relationshipId, options) => {
        await requireTwin(sourceId);
        const existing = await twins.relationship(sourceId, relationshipId);
        if (existing) await requireTwin(existing.$targetId);
        return write.deleteRelationship(sourceId, relationshipId, options);
      },
      patchTwins: async (items) => {
        await requireBatchInScope('patches', items, (item: { id?: unknown }) => ({ twins: [item.id] }));
        return write.patchTwins(items);
      },
      upsertTwins: async (items) => {
        await requireBatchInScope(
          'twins',
          items,
          (item: { id?: unknown; twin?: { $metadata?: { $model?: unknown } } }) => ({
            twins: [item.id],
            model: item.twin?.$metadata?.$model,
          }),
        );
        return write.upsertTwins(items);
      },
      upsertRelationships: async (items) => {
        await requireBatchInScope(
          'relationships',
          items,
          (item: { sourceId?: unknown; relationship?: { $targetId?: unknown } }) => ({
            twins: [item.sourceId, item.relationship?.$targetId],
          }),
        );
        return write.upsertRelationships(items);
      },
      recordMetrics: async (points) => {
        await Promise.all([...new Set(points.map((p) => p.twinId))].map(requireTwin));
        return write.recordMetrics(points);
      },
      invokeCommand: async (twinId, modelId, command, request) => {
        await requireTwin(twinId);
        return write.invokeCommand(twinId, modelId, command, request);
      },
    },
  };
}
