/**
 * The limits every operation meets before it runs, the same over HTTP and WebSocket: its estimated cost
 * (./cost.ts) against TWINGRAPH_MAX_COST (QUERY_TOO_COSTLY, with `extensions.cost: { estimated, limit }`),
 * and its caller's budget of cost points a minute (RATE_LIMITED, with Retry-After). Budgets are token
 * buckets, one per identified caller, in this process: behind a load balancer each replica keeps its own,
 * so the limit a caller meets is per replica. With authentication off there is no one to count and no
 * budget.
 */
import { GraphQLError, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Identity } from '../access/identity';
import type { AccessConfig } from '../config';
import { estimateCost } from './cost';

interface Bucket {
  points: number;
  at: number;
}

/** Idle buckets are full again after a minute; forgetting them then changes nothing. */
const FORGET_AFTER_MS = 60_000;

export class OperationLimits {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAt = 0;

  constructor(
    private readonly access: Pick<AccessConfig, 'maxCost' | 'ratePerMinute'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The error refusing the operation, or undefined (and its cost charged to the caller). */
  check(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Readonly<Record<string, FragmentDefinitionNode>>,
    variables: Readonly<Record<string, unknown>> | undefined,
    identity: Identity | undefined,
  ): GraphQLError | undefined {
    const estimated = estimateCost(schema, operation, fragments, variables);
    const limit = this.access.maxCost;
    if (estimated > limit)
      return new GraphQLError(
        `The operation may cost ${estimated} points, more than the limit of ${limit} (TWINGRAPH_MAX_COST): ask for smaller pages (first/last), fewer nested connections, or fewer forecasts at once.`,
        { extensions: { code: 'QUERY_TOO_COSTLY', cost: { estimated, limit }, http: { status: 400 } } },
      );
    if (!identity || identity.via === 'open' || this.access.ratePerMinute === 0) return undefined;
    const retryAfter = this.charge(identity.name, Math.max(1, estimated));
    if (retryAfter === undefined) return undefined;
    return new GraphQLError(
      `'${identity.name}' has spent its ${this.access.ratePerMinute} cost points a minute (TWINGRAPH_RATE_LIMIT): retry in ${retryAfter} s.`,
      {
        extensions: {
          code: 'RATE_LIMITED',
          retryAfter,
          cost: { estimated, perMinute: this.access.ratePerMinute },
          http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
        },
      },
    );
  }

  /** Takes `points` from the caller's bucket; undefined when it had them, else the seconds until it will. */
  private charge(name: string, points: number): number | undefined {
    const now = this.now();
    const capacity = this.access.ratePerMinute;
    const perMs = capacity / 60_000;
    this.sweep(now);
    const bucket = this.buckets.get(name) ?? { points: capacity, at: now };
    bucket.points = Math.min(capacity, bucket.points + (now - bucket.at) * perMs);
    bucket.at = now;
    this.buckets.set(name, bucket);
    // An operation dearer than a whole minute's budget could never run: it waits for a full bucket instead.
    const needed = Math.min(points, capacity);
    if (bucket.points >= needed) {
      bucket.points -= needed;
      return undefined;
    }
    return Math.max(1, Math.ceil((needed - bucket.points) / perMs / 1000));
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < FORGET_AFTER_MS) return;
    this.sweptAt = now;
    for (const [name, bucket] of this.buckets) if (now - bucket.at > FORGET_AFTER_MS) this.buckets.delete(name);
  }
}
