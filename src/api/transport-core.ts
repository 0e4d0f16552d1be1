/**
 * What GraphQL over a long-lived connection does with an operation, whichever protocol carries it
 * (graphql-ws over WebSocket in ./ws.ts, graphql-sse over Server-Sent Events in ./sse.ts): the operation
 * parsed and checked on the current schema (depth and alias limits, roles, cost and rate), run with a fresh
 * per-operation context (the caller's scope, a deadline, the caller bound as the actor of every write), and its
 * results and failures worded as on HTTP, each error with its code. Like graphql-ws's and graphql-sse's own
 * protocol cores, it knows no socket: each transport adds only how it identifies a caller and how results
 * travel, so that the two cannot drift apart on what they allow.
 *
 * The schema changes at run time (model uploads): an operation takes the one current when it starts and keeps
 * it, like an HTTP operation.
 *
 * Subscriptions run here too (`subscribe`, given to both libraries as theirs), so that subscribers of either
 * transport with the same selection share one execution per change and one serialized payload
 * (./subscription-groups.ts).
 */
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import {
  getOperationAST,
  GraphQLError,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Logger } from 'pino';
import type { Identity } from '../access/identity';
import type { Config } from '../config';
import type { GraphContext } from '../graphql/graph-context';
import { authorizeOperation, fragmentsOf, type ApiGuards } from './authorize';
import { toClientError } from './format-error';
import { limitRules } from './limits';
import { createContext, type Services } from './request-context';
import { SubscriptionGroups, type SubscribeResult, type SubscriptionGroupsOptions } from './subscription-groups';

/** An operation as a client sends it, in either protocol. */
export interface OperationPayload {
  readonly query: string;
  readonly operationName?: string | null;
  readonly variables?: Readonly<Record<string, unknown>> | null;
}

/** An operation that passed every check, ready to execute or subscribe to. */
export interface PreparedOperation {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly operationName: string | null | undefined;
  readonly variableValues: Readonly<Record<string, unknown>> | null | undefined;
}

export interface TransportCore {
  /** The operation checked for `identity`; or why it is refused, every error carrying a code. */
  prepare(payload: OperationPayload, identity: Identity): PreparedOperation | GraphQLError[];
  /** A fresh context for one operation of `identity` (scoped, and with a deadline unless it is a subscription). */
  context(identity: Identity, kind: OperationTypeNode): GraphContext;
  /** One answer or event as the client gets it: its errors worded as on HTTP, or refused when it weighs too much. */
  result(result: ExecutionResult | FormattedExecutionResult): FormattedExecutionResult;
  /** The same as `result`, as the JSON text sent (what a shared subscription's members all send). */
  serialize(result: ExecutionResult): string;
  /**
   * Starts a prepared subscription, as graphql-js's `subscribe` (the protocol libraries' `subscribe` option):
   * a response stream, a result when it is refused, or payloads shared with the subscribers of the same
   * selection, which the transport sends itself (./shared-delivery.ts).
   */
  subscribe(args: ExecutionArgs): Promise<SubscribeResult>;
  /** Errors that refuse an operation before it runs (from `prepare`, or a transport's own), as the client gets them. */
  refusal(errors: readonly GraphQLError[]): GraphQLFormattedError[];
  /** What a subscription's event stream threw (SlowConsumer, a store failure), as the client gets it. */
  failure(error: unknown): GraphQLFormattedError[];
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code },
  });
}

/** Milliseconds until `identity`'s credential expires (within what a timer can wait); undefined if it does not. */
export function expiresIn(identity: Identity): number | undefined {
  if (identity.expiresAt === undefined) return undefined;
  return Math.max(0, Math.min(identity.expiresAt - Date.now(), 2 ** 31 - 1));
}

/** The same cap on what one answer (or one event) weighs as over HTTP. */
function tooLarge(size: number, limit: number): FormattedExecutionResult {
  return {
    errors: [
      {
        message: `The answer would be ${size} bytes, more than the limit of ${limit} (TWINGRAPH_MAX_RESPONSE): ask for less.`,
        extensions: { code: 'RESPONSE_TOO_LARGE', size, limit },
      },
    ],
  };
}

export function createTransportCore(
  config: Config,
  services: Services,
  guards: ApiGuards,
  log: Logger,
  /** How subscriptions share their executions (the benchmark turns it off for its baseline; tests count). */
  subscriptions: SubscriptionGroupsOptions = {},
): TransportCore {
  const validationRules = [...specifiedRules, ...limitRules(config)];
  const refusal = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((e) => toClientError(e.toJSON(), e.originalError ?? e, log, 'in a subscription'));
  const limit = config.access.maxResponseBytes;
  // Errors already worded (a refusal sent as a result) are plain objects, and go as they are.
  const worded = (result: ExecutionResult | FormattedExecutionResult): FormattedExecutionResult =>
    result.errors?.length
      ? {
          ...result,
          errors: result.errors.map((e) =>
            e instanceof GraphQLError
              ? toClientError(e.toJSON(), unwrapResolverError(e), log, 'while running an operation')
              : e,
          ),
        }
      : (result as FormattedExecutionResult);
  // Queries and mutations get the same deadline as over HTTP; a subscription resolves each event long after it
  // started, so it has none.
  const context = (identity: Identity, kind: OperationTypeNode): GraphContext =>
    createContext(
      services,
      identity,
      kind === 'subscription' ? Number.POSITIVE_INFINITY : Date.now() + config.access.operationTimeoutMs,
    );
  const serialize = (result: ExecutionResult): string => {
    const text = JSON.stringify(worded(result));
    // A UTF-16 unit is at most 3 bytes of UTF-8: most payloads need no count.
    if (text.length * 3 <= limit) return text;
    const size = Buffer.byteLength(text);
    return size > limit ? JSON.stringify(tooLarge(size, limit)) : text;
  };
  const groups = new SubscriptionGroups(
    { context: (identity) => context(identity, OperationTypeNode.SUBSCRIPTION), serialize },
    subscriptions,
  );
  return {
    // Parsing and validating here rather than in the protocol libraries: their own refusals carry no code,
    // and graphql-ws would close the whole connection (every subscription on it) for one that does not parse.
    prepare: (payload, identity) => {
      let document: DocumentNode;
      try {
        document = parse(payload.query);
      } catch (error) {
        return [withCode(error as GraphQLError, ApolloServerErrorCode.GRAPHQL_PARSE_FAILED)];
      }
      const schema = services.models.current.schema;
      const errors = validate(schema, document, validationRules);
      if (errors.length > 0)
        return errors.map((e) =>
          typeof e.extensions.code === 'string' ? e : withCode(e, ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED),
        );
      const operation = getOperationAST(document, payload.operationName);
      if (!operation)
        return [
          new GraphQLError(
            `Unable to identify the operation${payload.operationName ? ` '${payload.operationName}'` : ''} to run.`,
            { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE } },
          ),
        ];
      const fragments = fragmentsOf(document.definitions);
      const refused =
        authorizeOperation(schema, operation, fragments, identity) ??
        guards.limits.check(schema, operation, fragments, payload.variables ?? undefined, identity);
      if (refused) return [refused];
      return {
        schema,
        document,
        operation,
        operationName: payload.operationName,
        variableValues: payload.variables,
      };
    },
    context,
    result: (result) => {
      const size = Buffer.byteLength(JSON.stringify(result));
      return size > limit ? tooLarge(size, limit) : worded(result);
    },
    serialize,
    subscribe: (args) => groups.subscribe(args),
    refusal,
    // graphql-ws wraps what the stream threw in a GraphQL error without a path, which Apollo's unwrapping
    // leaves alone; the same wording whichever transport saw it.
    failure: (error) =>
      refusal([
        error instanceof GraphQLError
          ? error
          : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error as Error }),
      ]),
  };
}
