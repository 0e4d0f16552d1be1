/**
 * The change log's resolvers in the core schema: `changes(after)` reads it, `CommandInvocation` answers a
 * command mutation, and the subscriptions (`twinChanged`, `relationshipChanged`, `metricRecorded`,
 * `modelChanged`, `changed`) follow it through the change feed, filtered by type, model (with its subtypes),
 * twin, name or property path, and resumable with `since`.
 */
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import { changeFilter } from '../../events/filters';
import type { ChangeEntry, Relationship as StoreRelationship } from '../../store/types';
import type { GraphContext } from '../graph-context';
import { DEFAULT_PAGE_SIZE } from '../paging';
import { JSONScalar, LongScalar } from '../scalars';
import { modelRefOf, schemaInfo, type SchemaInfo } from '../schema-info';
import { ChangeType } from './change-type';
import { changeValue, mapped, metricChangeValue, relationshipChangeValue, twinChangeValue } from './change-values';
import { Change, CommandInvocation, MetricChange, ModelChange, RelationshipChange, TwinChange } from './changes.type';

/**
 * The models a subscription's `models` argument stands for: each (by GraphQL type name or DTMI, an unknown one
 * refused with ModelNotFound before anything is delivered), and every model that extends it.
 */
function modelsWithSubtypes(
  info: SchemaInfo | undefined,
  refs: readonly string[] | undefined | null,
): string[] | undefined {
  if (!refs || refs.length === 0) return undefined;
  const resolve = modelRefOf(info);
  const all = new Set<string>();
  for (const ref of refs) {
    const id = resolve(ref);
    all.add(id);
    for (const d of info?.models.descendantsOf(id) ?? []) all.add(d);
  }
  return [...all];
}

/** The twins a subscription asks for, from `twinIds` or its deprecated spelling `ids`. */
function twinIdsOf(args: Record<string, unknown>): string[] | undefined {
  const given = [...((args.twinIds as string[] | null) ?? []), ...((args.ids as string[] | null) ?? [])];
  return args.twinIds == null && args.ids == null ? undefined : given;
}

const modelsDescription =
  'Only changes of twins of these models or of models that extend them: GraphQL type names (Device) or full DTMIs with version; an unknown model is ModelNotFound.';

@Resolver()
export class ChangeQueries {
  @Query(() => [Change], { description: 'The change log after a seq, oldest first.' })
  changes(
    @Ctx() ctx: GraphContext,
    @Arg('after', () => LongScalar, {
      defaultValue: 0,
      description: 'The seq to read after (the last one you have; 0 for the oldest kept).',
    })
    after: number,
    @Arg('first', () => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: 'At most this many changes.' })
    first: number,
  ): Promise<Record<string, unknown>[]> {
    return ctx.changes.read(after, first).then((list) => list.map(changeValue));
  }
}

@Resolver(() => CommandInvocation)
export class CommandInvocationResolver {
  @FieldResolver(() => JSONScalar, { nullable: true, description: 'The request payload as recorded (DTDL values).' })
  request(@Root() c: { request?: unknown }): unknown {
    return c.request ?? null;
  }
}

/** Subscription arguments every change subscription takes. */
const sinceDescription =
  'Replay every change after this seq before going live (resume after a disconnect with the last seq you received).';

@Resolver()
export class ChangeSubscriptions {
  @Subscription(() => TwinChange, {
    description:
      'Twin creates, updates and deletes, optionally only of some models (their subtypes included), twins and property paths.',
    subscribe: ({ args, context, info }) =>
      mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter: changeFilter({
            types: ['Twin.'],
            modelIds: modelsWithSubtypes(schemaInfo(info.schema), args.models as string[] | null),
            twinIds: twinIdsOf(args),
            paths: (args.paths as string[] | null) ?? undefined,
          }),
        }),
        twinChangeValue,
      ),
  })
  twinChanged(
    @Root() change: Record<string, unknown>,
    @Arg('models', () => [String], { nullable: true, description: modelsDescription }) _models?: string[],
    @Arg('twinIds', () => [ID], { nullable: true, description: 'Only changes of these twins.' }) _twinIds?: string[],
    @Arg('ids', () => [ID], {
      nullable: true,
      description: 'Only changes of these twins.',
      deprecationReason: 'Use twinIds, as every other subscription calls it.',
    })
    _ids?: string[],
    @Arg('paths', () => [String], {
      nullable: true,
      description: 'JSON Pointers, e.g. /temperature: updates that touch them.',
    })
    _paths?: string[],
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }

  @Subscription(() => RelationshipChange, {
    description:
      'Relationship creates, updates and deletes, optionally only from twins of some models or some twins, of some names.',
    subscribe: ({ args, context, info }) => {
      const names = args.names as string[] | null;
      const base = changeFilter({
        types: ['Relationship.'],
        modelIds: modelsWithSubtypes(schemaInfo(info.schema), args.models as string[] | null),
        twinIds: (args.twinIds as string[] | null) ?? undefined,
      });
      const filter = names?.length
        ? (c: ChangeEntry) => base(c) && names.includes((c.body as StoreRelationship).$relationshipName)
        : base;
      return mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter,
        }),
        relationshipChangeValue,
      );
    },
  })
  relationshipChanged(
    @Root() change: Record<string, unknown>,
    @Arg('models', () => [String], {
      nullable: true,
      description:
        'Only relationships from twins of these models or of models that extend them: GraphQL type names or full DTMIs; an unknown model is ModelNotFound.',
    })
    _models?: string[],
    @Arg('twinIds', () => [ID], {
      nullable: true,
      description: 'Only relationships with these twins at either end.',
    })
    _twinIds?: string[],
    @Arg('names', () => [String], { nullable: true, description: 'Only relationships of these DTDL names.' })
    _names?: string[],
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }

  @Subscription(() => MetricChange, {
    description: 'Telemetry points as they are recorded, optionally only of some models, twins and telemetry names.',
    subscribe: ({ args, context, info }) => {
      const names = args.names as string[] | null;
      const base = changeFilter({
        types: ['Telemetry'],
        modelIds: modelsWithSubtypes(schemaInfo(info.schema), args.models as string[] | null),
        twinIds: (args.twinIds as string[] | null) ?? undefined,
      });
      const filter = names?.length
        ? (c: ChangeEntry) =>
            base(c) && ((c.body as { points?: { name: string }[] }).points ?? []).some((p) => names.includes(p.name))
        : base;
      return mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter,
        }),
        (c) => {
          const value = metricChangeValue(c);
          return names?.length
            ? { ...value, points: (value.points as { name: string }[]).filter((p) => names.includes(p.name)) }
            : value;
        },
      );
    },
  })
  metricRecorded(
    @Root() change: Record<string, unknown>,
    @Arg('models', () => [String], { nullable: true, description: modelsDescription }) _models?: string[],
    @Arg('twinIds', () => [ID], { nullable: true, description: 'Only telemetry of these twins.' })
    _twinIds?: string[],
    @Arg('names', () => [String], {
      nullable: true,
      description: 'Only these telemetry names (the points of other names are left out of each event).',
    })
    _names?: string[],
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }

  @Subscription(() => ModelChange, {
    description: 'Models uploaded, decommissioned and deleted.',
    subscribe: ({ args, context }) =>
      mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter: changeFilter({ types: ['Model.'] }),
        }),
        changeValue,
      ),
  })
  modelChanged(
    @Root() change: Record<string, unknown>,
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }

  @Subscription(() => Change, {
    description:
      'Every committed change, including command invocations (type Command.Invoke), optionally only of some types or twins.',
    subscribe: ({ args, context }) =>
      mapped(
        (context as GraphContext).changes.subscribe({
          ...(args.since != null && { since: args.since as number }),
          filter: changeFilter({
            types: (args.types as string[] | null) ?? undefined,
            twinIds: (args.twinIds as string[] | null) ?? undefined,
          } as Parameters<typeof changeFilter>[0]),
        }),
        changeValue,
      ),
  })
  changed(
    @Root() change: Record<string, unknown>,
    @Arg('types', () => [ChangeType], { nullable: true, description: 'Only changes of these types.' })
    _types?: string[],
    @Arg('twinIds', () => [ID], {
      nullable: true,
      description: 'Only changes of these twins (their own, their telemetry, relationships with them at either end).',
    })
    _twinIds?: string[],
    @Arg('since', () => LongScalar, { nullable: true, description: sinceDescription }) _since?: number,
  ): Record<string, unknown> {
    return change;
  }
}
