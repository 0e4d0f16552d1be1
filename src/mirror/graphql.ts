/**
 * The mirror to Azure Digital Twins in the GraphQL schema (a plugin): its state (`mirrorStatus`) and the operator's levers
 * on dead letters. Present whether or not a mirror is configured (then `enabled` is false).
 */
import 'reflect-metadata';
import {
  Arg,
  Ctx,
  Extensions,
  Field,
  Float,
  FieldResolver,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { needsRole } from '../graphql/access';
import type { OutboxEntry } from '../store/types';
import type { GraphContext } from '../graphql/graph-context';
import { featureContext, type SchemaPlugin } from '../graphql/plugin';
import { DateTimeScalar, JSONScalar, LongScalar } from '../graphql/scalars';
import type { MirrorStatus as MirrorState } from './mirror';

/** The plugin's name, and its key in GraphContext.features. */
export const MIRROR = 'mirror';

/** What the mirror's resolvers ask of the running mirror. */
export interface MirrorAccess {
  status(): Promise<MirrorState>;
  deadLetters(limit: number): Promise<OutboxEntry[]>;
  retryDeadLetters(seqs?: readonly number[]): Promise<number>;
  dropDeadLetters(seqs?: readonly number[]): Promise<number>;
}

function mirrorOf(ctx: GraphContext): MirrorAccess {
  return featureContext<MirrorAccess>(ctx, MIRROR);
}

@ObjectType({ description: 'The last failure the mirror met (a retry or a dead letter).' })
export class MirrorError {
  @Field(() => DateTimeScalar, { description: 'When it happened.' }) time!: string;
  @Field(() => LongScalar, { description: 'The change it was about.' }) seq!: number;
  @Field(() => String, { description: "What happened (ADT's answer)." }) message!: string;
}

@ObjectType({ description: "A change ADT refused for good, parked with ADT's error; the mirror moved on." })
export class MirrorDeadLetter {
  @Field(() => LongScalar, { description: 'The seq of the change in the change log.' }) seq!: number;
  @Field(() => String, { description: 'Twin.Update, Relationship.Create, Model.Create, …' }) type!: string;
  @Field(() => String, { description: 'What the change is about (twin id, <twin>/relationships/<id>, or a DTMI).' })
  subject!: string;
  @Field(() => DateTimeScalar, { description: 'When the change was committed in Twingraph.' }) time!: string;
  @Field(() => Int, { description: 'How many times it was sent.' }) attempts!: number;
  @Field(() => String, { nullable: true, description: "ADT's answer." }) error!: string | null;
  @Field(() => JSONScalar, { nullable: true, description: "The change's JSON Patch, for updates." }) patch!: unknown;
}

@ObjectType({ description: 'The mirror to Azure Digital Twins: how far behind it is and how it is doing.' })
export class MirrorStatus {
  @Field(() => Boolean, { description: 'Whether a mirror is configured (ADT_ENDPOINT).' }) enabled!: boolean;
  @Field(() => Boolean, {
    description:
      'Whether this replica is the active mirror. Of the replicas sharing a store one mirrors at a time (ADT’s rate limits are the instance’s); the others stand by to take over.',
  })
  active!: boolean;
  @Field(() => Boolean, { description: 'Whether the mirror is running now (on this replica).' }) running!: boolean;
  @Field(() => String, { nullable: true, description: 'The ADT instance it mirrors to; null when none is configured.' })
  endpoint!: string | null;
  @Field(() => Int, { description: 'Changes not yet in ADT.' }) pending!: number;
  @Field(() => Int, { description: 'Changes ADT refused, parked (see deadLetters).' }) dead!: number;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the oldest change not yet in ADT was committed.' })
  oldestPendingTime!: string | null;
  @Field(() => Float, {
    nullable: true,
    description: "How long the oldest pending change has waited, seconds: the mirror's lag.",
  })
  oldestPendingAgeSeconds!: number | null;
  @Field(() => Float, { description: 'Changes mirrored since start.' }) mirrored!: number;
  @Field(() => Float, { description: 'Requests sent to ADT since start.' }) requests!: number;
  @Field(() => Float, { description: 'Changes mirrored per second over the last minute.' }) mirroredPerSecond!: number;
  @Field(() => Float, { description: 'Requests per second over the last minute.' }) requestsPerSecond!: number;
  @Field(() => Float, { description: 'Requests retried since start.' }) retries!: number;
  @Field(() => Float, { description: 'Changes parked as dead letters since start.' }) deadLettered!: number;
  @Field(() => MirrorError, { nullable: true, description: 'The last failure it met; null when none.' })
  lastError!: MirrorError | null;
}

function deadLetter(e: OutboxEntry): MirrorDeadLetter {
  return {
    seq: e.seq,
    type: e.change.type,
    subject: e.change.subject,
    time: e.change.time,
    attempts: e.attempts,
    error: e.lastError ?? null,
    patch: e.change.patch ?? null,
  };
}

@Resolver(() => MirrorStatus)
export class MirrorStatusResolver {
  @FieldResolver(() => [MirrorDeadLetter], { description: 'The dead letters, oldest first.' })
  async deadLetters(
    @Root() _status: MirrorStatus,
    @Ctx() ctx: GraphContext,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most this many (at most 1000).' }) first: number,
  ): Promise<MirrorDeadLetter[]> {
    return (await mirrorOf(ctx).deadLetters(Math.max(0, Math.min(first, 1000)))).map(deadLetter);
  }
}

@Resolver()
export class MirrorOperations {
  @Extensions(needsRole('admin'))
  @Query(() => MirrorStatus, { description: 'The mirror to Azure Digital Twins.' })
  mirrorStatus(@Ctx() ctx: GraphContext): Promise<MirrorStatus> {
    return mirrorOf(ctx).status();
  }

  @Extensions(needsRole('admin'))
  @Mutation(() => Int, {
    description:
      'Puts dead letters back in line to be mirrored again (all of them when no seqs are given); returns how many.',
  })
  retryMirrorDeadLetters(
    @Ctx() ctx: GraphContext,
    @Arg('seqs', () => [LongScalar], {
      nullable: true,
      description: 'The seqs of the dead letters; all when left out.',
    })
    seqs?: number[],
  ): Promise<number> {
    return mirrorOf(ctx).retryDeadLetters(seqs ?? undefined);
  }

  @Extensions(needsRole('admin'))
  @Mutation(() => Int, {
    description:
      'Drops dead letters for good (all of them when no seqs are given); returns how many. `twingraph mirror reconcile` then repairs ADT.',
  })
  dropMirrorDeadLetters(
    @Ctx() ctx: GraphContext,
    @Arg('seqs', () => [LongScalar], {
      nullable: true,
      description: 'The seqs of the dead letters; all when left out.',
    })
    seqs?: number[],
  ): Promise<number> {
    return mirrorOf(ctx).dropDeadLetters(seqs ?? undefined);
  }
}

/** The mirror's part of the schema: present whether or not a mirror is configured (then `enabled` is false). */
export const mirrorSchemaPlugin: SchemaPlugin = {
  name: MIRROR,
  resolvers: [MirrorStatusResolver, MirrorOperations],
};
