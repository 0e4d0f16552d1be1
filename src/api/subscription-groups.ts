/**
 * Subscriptions to the change feed run one GraphQL execution per change for every group of subscribers whose
 * executions would be equal (same schema, document, operation, variables, role and scope: ./shared-execution.ts),
 * and the result is serialized once, as JSON text every member's transport sends as it is. Most partners
 * subscribe with the same document; with one execution and one JSON.stringify per subscriber, a thousand of
 * them made every change a thousand of each.
 *
 * Only the work is shared, never the stream: each member keeps its own feed subscription (its own position,
 * `since`, filter and scope, lag limit and back-pressure), and asks its group for the payload of each change
 * its own stream yields, in its own order. So a member resuming from far back and a live one each get every
 * change once, in order, whatever the other does. The group keeps a payload until every member has taken it,
 * within a budget shared by all groups (a member that stopped reading must not make the others' payloads pile
 * up); a member that asks for one no longer kept runs the execution again, for itself.
 *
 * A group's executions each get a fresh context, so that every member sees the same reads whenever it joined,
 * and nested reads are as of the change. Streams that are not the change feed's (the analytics' predictions),
 * and every stream when sharing is off, run as graphql-js's `subscribe` runs them, as before: one execution per
 * subscriber per event, with the subscriber's context, whose loaders keep what they read at its first event.
 */
import { createSourceEventStream, execute as graphqlExecute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Identity } from '../access/identity';
import { changeStreamOf, type ChangeStream } from '../graphql/changes/change-values';
import type { GraphContext } from '../graphql/graph-context';
import type { ChangeEntry } from '../store/types';
import { sharedExecution, type SharedExecution } from './shared-execution';

export type Execute = (args: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult>;

export interface SubscriptionGroupsOptions {
  /** false: every subscriber runs its own executions, and its transport serializes them (default true). */
  readonly shared?: boolean;
  /** What runs one execution (graphql's `execute`; a test counts the calls). */
  readonly execute?: Execute;
  /** Characters of payloads kept for members still to take them, over all groups (default 16 million). */
  readonly cacheChars?: number;
}

/** What a group needs from the transports' core. */
export interface GroupRunner {
  /** A fresh context for one execution run as `identity` (a subscription's: no deadline). */
  context(identity: Identity): unknown;
  /** A result as the JSON text a client receives as an event's payload: errors worded, the size cap applied. */
  serialize(result: ExecutionResult): string;
}

/** What `subscribe` gives a transport: a response stream, a result (a subscription refused), or shared payloads. */
export type SubscribeResult = ExecutionResult | AsyncIterableIterator<ExecutionResult> | SharedPayloads;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
const CACHE_CHARS = 16_000_000;
/** What an entry costs besides its text, so that a flood of tiny payloads is bounded too. */
const ENTRY_OVERHEAD = 200;

export class SubscriptionGroups {
  private readonly groups = new Map<string, Group>();
  private readonly cache: PayloadCache;
  private readonly shared: boolean;
  private readonly execute: Execute;

  constructor(
    private readonly runner: GroupRunner,
    options: SubscriptionGroupsOptions = {},
  ) {
    this.shared = options.shared ?? true;
    this.execute = options.execute ?? graphqlExecute;
    this.cache = new PayloadCache(options.cacheChars ?? CACHE_CHARS);
  }

  /**
   * graphql-js's `subscribe`, for the transports: the root field's event stream from `args` (with the
   * subscriber's own context, which its stream of changes is scoped by), then either shared payloads or a
   * response stream of its own.
   */
  async subscribe(args: ExecutionArgs): Promise<SubscribeResult> {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const stream = this.shared ? changeStreamOf(source) : undefined;
    const identity = (args.contextValue as GraphContext | undefined)?.identity;
    const execution = stream && identity ? sharedExecution(args, identity) : undefined;
    if (!stream || !execution) return mapResults(source, (event) => this.execute({ ...args, rootValue: event }));
    let group = this.groups.get(execution.key);
    if (!group) {
      const created = new Group(
        (change, map) => this.run(execution, change, map),
        this.cache,
        () => this.groups.get(execution.key) === created && this.groups.delete(execution.key),
      );
      this.groups.set(execution.key, (group = created));
    }
    return new SharedPayloads(group, stream);
  }

  /** Runs a group's execution of one change: the payload text, or a promise of it when a resolver is async. */
  private run(execution: SharedExecution, change: ChangeEntry, map: ChangeStream['map']): string | Promise<string> {
    const { schema, document, operationName, variableValues, identity } = execution;
    const result = this.execute({
      schema,
      document,
      operationName,
      variableValues,
      rootValue: map(change),
      // Fresh for each execution: every member sees the same reads, however long ago it joined.
      contextValue: this.runner.context(identity),
    });
    return isPromise(result) ? result.then((r) => this.runner.serialize(r)) : this.runner.serialize(result);
  }
}

/** A payload of one change for a group, until every member has taken it or the cache needs the room. */
interface Entry {
  readonly group: Group;
  readonly seq: number;
  payload: string | Promise<string>;
  takers: number;
  /** What it counts against the cache budget (nothing until its text is there). */
  chars: number;
}

/** Subscribers with equal executions, and the payloads their slower members have yet to take. */
class Group {
  readonly members = new Set<SharedPayloads>();
  private readonly entries = new Map<number, Entry>();

  constructor(
    /** Runs the group's execution of a change. */
    private readonly run: (change: ChangeEntry, map: ChangeStream['map']) => string | Promise<string>,
    private readonly cache: PayloadCache,
    /** Called when the last member leaves. */
    private readonly dissolve: () => void,
  ) {}

  /** The payload of `change` for a member: run the first time any member asks, kept for the others. */
  payload(change: ChangeEntry, map: ChangeStream['map']): string | Promise<string> {
    let entry = this.entries.get(change.seq);
    if (!entry) {
      const created: Entry = {
        group: this,
        seq: change.seq,
        payload: this.run(change, map),
        takers: 0,
        chars: 0,
      };
      entry = created;
      this.entries.set(created.seq, created);
      this.cache.add(created);
      if (typeof created.payload !== 'string')
        created.payload.then(
          (text) => {
            created.payload = text;
            this.cache.sized(created);
          },
          // Each member that asked gets the failure from its own promise; nobody else is given it.
          () => this.forget(created),
        );
    }
    entry.takers += 1;
    const payload = entry.payload;
    if (entry.takers >= this.members.size) this.forget(entry);
    return payload;
  }

  forget(entry: Entry): void {
    if (this.entries.get(entry.seq) !== entry) return;
    this.entries.delete(entry.seq);
    this.cache.remove(entry);
  }

  /** A member gone: what only it had still to take goes too. */
  leave(member: SharedPayloads): void {
    if (!this.members.delete(member)) return;
    const remaining = this.members.size;
    for (const entry of [...this.entries.values()])
      if (remaining === 0 || entry.takers >= remaining) this.forget(entry);
    if (remaining === 0) this.dissolve();
  }
}

/** Every group's kept payloads, oldest first, within one budget: past it, the oldest go. */
class PayloadCache {
  private readonly entries = new Set<Entry>();
  private chars = 0;

  constructor(private readonly budget: number) {}

  add(entry: Entry): void {
    this.entries.add(entry);
    if (typeof entry.payload === 'string') this.sized(entry);
  }

  /** Counts an entry whose text is there. */
  sized(entry: Entry): void {
    if (!this.entries.has(entry) || typeof entry.payload !== 'string') return;
    entry.chars = entry.payload.length + ENTRY_OVERHEAD;
    this.chars += entry.chars;
    for (const oldest of this.entries) {
      if (this.chars <= this.budget) break;
      oldest.group.forget(oldest);
    }
  }

  remove(entry: Entry): void {
    if (this.entries.delete(entry)) this.chars -= entry.chars;
  }
}

/**
 * One member of a group: its own stream of changes, each turned into the group's payload text. What a
 * transport sends as it is (./shared-delivery.ts); ending it (return) ends the member's feed subscription at
 * once, as graphql-js's response streams do.
 */
export class SharedPayloads implements AsyncIterableIterator<string, undefined, undefined> {
  private left = false;

  constructor(
    private readonly group: Group,
    private readonly stream: ChangeStream,
  ) {
    group.members.add(this);
  }

  async next(): Promise<IteratorResult<string, undefined>> {
    let result: IteratorResult<ChangeEntry>;
    try {
      result = await this.stream.changes.next();
    } catch (error) {
      // SlowConsumer, ChangesPruned, a store failure: the feed subscription has ended itself.
      this.leave();
      throw error;
    }
    if (result.done || this.left) {
      this.leave();
      return DONE;
    }
    try {
      const payload = this.group.payload(result.value, this.stream.map);
      return { done: false, value: typeof payload === 'string' ? payload : await payload };
    } catch (error) {
      await this.return();
      throw error;
    }
  }

  async return(): Promise<IteratorResult<string, undefined>> {
    this.leave();
    await this.stream.changes.return?.();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<string, undefined>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private leave(): void {
    if (this.left) return;
    this.left = true;
    this.group.leave(this);
  }
}

export function isSharedPayloads(value: unknown): value is SharedPayloads {
  return value instanceof SharedPayloads;
}

/**
 * A subscriber's own response stream: each event executed for it, as graphql-js's `subscribe` maps one; return()
 * reaches the source at once.
 */
function mapResults(
  source: AsyncIterable<unknown>,
  run: (event: unknown) => ExecutionResult | Promise<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const close = async (): Promise<IteratorResult<ExecutionResult>> => {
    await iterator.return?.();
    return DONE;
  };
  const results: AsyncIterableIterator<ExecutionResult> & { throw(error: unknown): Promise<never> } = {
    next: async () => {
      const event = await iterator.next();
      if (event.done) return DONE;
      try {
        return { done: false, value: await run(event.value) };
      } catch (error) {
        await close().catch(() => undefined);
        throw error;
      }
    },
    return: close,
    throw: async (error: unknown) => {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]: () => results,
  };
  return results;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
