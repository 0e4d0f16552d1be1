/**
 * GraphQL over HTTP: Apollo Server 5 at the GraphQL path, with the checks of every operation (a plugin), the
 * caller's identity and the steps both ways of serving a request share (CORS, compression, the JSON body
 * parser). It knows nothing of the port it is served on (./server.ts) nor of WebSocket (./ws.ts). Operations
 * POSTed as JSON, most requests, are served from node:http (./direct-post.ts); everything else (other GraphQL
 * requests, GraphiQL, the schema documents, the Explorer, /healthz and /readyz) by the Express app of
 * ./express-app.ts, made when the first such request comes or half a second after the first answer, whichever
 * is sooner (a start to its first answer loads no Express); `handle` picks the path.
 *
 * The schema changes at run time (model uploads): each schema gets its own Apollo Server (./live-apollo.ts),
 * swapped in when the model service reports a new one. Operations keep the schema they started with.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { Express } from 'express';
import {
  GraphQLError,
  type FormattedExecutionResult,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { GraphContext } from '../graphql/graph-context';
import { OPEN_ACCESS, type Identity } from '../access/identity';
import type { Authenticator } from '../access/authenticate';
import { isTwingraphError } from '../errors';
import { authorizeOperation, fragmentsOf, rootFieldsOf, unauthenticatedError, type ApiGuards } from './authorize';
import type { OperationLimits } from './operation-limits';
import { bodyError, errorAnswer } from './error-answers';
import { formatError } from './format-error';
import { limitRules } from './limits';
import { LiveApollo } from './live-apollo';
import { plainVariables } from './plain-variables';
import { createContext, type Services } from './request-context';
import { directPost, graphqlRequest, type DirectStep, type Refusal } from './direct-post';

/** Answers from this size (bytes) are compressed when the client accepts it; smaller ones cost nothing. */
const COMPRESS_THRESHOLD = 1024;
/** How long after the first answer the Express app is made if no request has needed it yet. */
const EXPRESS_PRELOAD_MS = 500;

const SUBSCRIPTION_OVER_HTTP =
  'Subscriptions are served over WebSocket at this same URL (graphql-ws, subprotocol graphql-transport-ws) and over Server-Sent Events at this URL followed by /stream (graphql-sse), not as a plain HTTP request.';

/** Whether an operation selects introspection only, by operation (Apollo keeps parsed documents). */
const introspectionOnly = new WeakMap<OperationDefinitionNode, boolean>();

function isIntrospection(
  operation: OperationDefinitionNode,
  fragments: () => Readonly<Record<string, FragmentDefinitionNode>>,
): boolean {
  let only = introspectionOnly.get(operation);
  if (only === undefined) {
    only = [...rootFieldsOf(operation, fragments())].every((name) => name.startsWith('__'));
    introspectionOnly.set(operation, only);
  }
  return only;
}

/**
 * The JSON text of each answer the size cap measured, by its `data`, for Apollo to send as it is rather than
 * serializing the answer a second time (`stringifyResult` below). Kept with the errors and extensions it was
 * made with: an answer changed after it was measured is serialized again.
 */
const measured = new WeakMap<object, { errors: unknown; extensions: unknown; text: string }>();

/** The answer's text as Apollo writes it (its own `prettyJSONStringify`): errors, data, extensions, a newline. */
function answerText(result: FormattedExecutionResult): string {
  return `${JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions })}\n`;
}

/** Apollo's `stringifyResult`: the measured text when there is one (see `measured`). */
function stringifyResult(result: FormattedExecutionResult): string {
  const known = result.data ? measured.get(result.data) : undefined;
  if (known && known.errors === result.errors && known.extensions === result.extensions) return known.text;
  return answerText(result);
}

/**
 * The checks of every operation over HTTP, as one plugin whose hooks hold no state of their own (the same
 * listener serves every request). Before the operation runs: a subscription is refused, saying where
 * subscriptions are served (POSTed, its root field would run as a query with no event to resolve); then every
 * root field is checked against the caller's role (./authorize.ts), then its cost against the limits
 * (./operation-limits.ts).
 */
function operationChecks(limits: OperationLimits, maxResponseBytes: number): ApolloServerPlugin<GraphContext> {
  const listener: GraphQLRequestListener<GraphContext> = {
    didResolveOperation: async ({ operation, document, schema, contextValue, request }) => {
      if (!operation) return;
      if (operation.operation === 'subscription')
        throw new GraphQLError(SUBSCRIPTION_OVER_HTTP, {
          extensions: { code: ApolloServerErrorCode.BAD_REQUEST, http: { status: 400 } },
        });
      const fragments = fragmentsOf(document.definitions);
      const refusal =
        authorizeOperation(schema, operation, fragments, contextValue.identity) ??
        limits.check(schema, operation, fragments, request.variables, contextValue.identity);
      if (refusal) throw refusal;
    },
    // The cost limit bounds what an answer holds; this bounds what it weighs (long strings, large JSON
    // properties). Measured on the text Apollo then sends (see `measured`), so that it is serialized once.
    // Introspection is exempt: its size is the schema's (tens of megabytes for a large ontology), and the
    // switch for it is TWINGRAPH_INTROSPECTION.
    willSendResponse: async ({ response, operation, document }) => {
      if (response.body.kind !== 'single' || !response.body.singleResult.data) return;
      if (operation && isIntrospection(operation, () => fragmentsOf(document?.definitions ?? []))) return;
      const result = response.body.singleResult;
      const text = answerText(result);
      measured.set(result.data!, { errors: result.errors, extensions: result.extensions, text });
      // The JSON without Apollo's newline. A UTF-16 unit takes at most 3 bytes in UTF-8: a text that short
      // is within the limit without counting its bytes.
      const chars = text.length - 1;
      if (chars * 3 <= maxResponseBytes) return;
      const size = Buffer.byteLength(text) - 1;
      if (size <= maxResponseBytes) return;
      response.http.status = 413;
      response.body.singleResult = {
        errors: [
          {
            message: `The answer would be ${size} bytes, more than the limit of ${maxResponseBytes} (TWINGRAPH_MAX_RESPONSE): ask for less, or page through it.`,
            extensions: { code: 'RESPONSE_TOO_LARGE', size, limit: maxResponseBytes },
          },
        ],
      };
    },
  };
  return { requestDidStart: async () => listener };
}

/** A caller refused before GraphQL sees the request: 401, with the challenge and the JSON error to send. */
interface AuthRefusal extends Refusal {
  readonly status: 401;
  readonly challenge: string;
  readonly body: { errors: { message: string; extensions: { code: 'UNAUTHENTICATED' } }[] };
}

function authRefusal(message: string, error?: string): AuthRefusal {
  return {
    status: 401,
    challenge: error ? `Bearer error="${error}"` : 'Bearer',
    body: { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] },
  };
}

/**
 * Who sends a request, from its Authorization header: wrong credentials, and none where they are required,
 * are refused (401) at once, so that an anonymous caller learns nothing of the schema (not even from
 * validation errors). With authentication off every caller is OPEN_ACCESS (../access/authenticate.ts), known
 * without a promise. Any other error is the caller's to pass on (a 500).
 */
function identifier(
  auth: Authenticator,
): (authorization: string | undefined) => Identity | Promise<Identity | AuthRefusal> {
  if (!auth.required) return () => OPEN_ACCESS;
  return (authorization) =>
    auth.identify(authorization).then(
      (identity) => identity ?? authRefusal(unauthenticatedError().message),
      (error: unknown) => {
        if (isTwingraphError(error, 'UNAUTHENTICATED')) return authRefusal(error.message, 'invalid_token');
        throw error;
      },
    );
}

const isRefusal = (outcome: Identity | Refusal): outcome is Refusal => (outcome as Refusal).status !== undefined;

export interface HttpApi {
  /** Serves a request: a JSON POST of an operation directly (./direct-post.ts), anything else through Express. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Stops taking up new schemas: a stopping server starts no more Apollo Servers. */
  stopFollowingModels(): void;
  /** Waits until running requests have finished, at most `graceMs`. */
  drain(graceMs: number): Promise<void>;
  /** Stops every Apollo Server; after drain, once the connections are gone. */
  close(): Promise<void>;
}

/** `make()`'s value, made on the first call and kept. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** The HTTP side of the API, with the current schema's Apollo Server started. */
export async function createHttpApi(
  config: Config,
  services: Services,
  guards: ApiGuards,
  log: Logger,
  graphqlPath: string,
): Promise<HttpApi> {
  const { auth, limits } = guards;
  const validationRules = limitRules(config);
  const apollo = new LiveApollo<GraphContext>(
    () => ({
      validationRules,
      introspection: config.access.introspection,
      // The app stops its servers itself, in order (src/app.ts); Apollo's own SIGTERM handler (on unless
      // NODE_ENV=test) would stop this one first and re-send the signal, ending the process before that.
      stopOnTerminationSignals: false,
      formatError: formatError(log),
      includeStacktraceInErrorResponses: false,
      logger: {
        debug: (m: string) => log.debug(m),
        info: (m: string) => log.info(m),
        warn: (m: string) => log.warn(m),
        error: (m: string) => log.error(m),
      },
      // Twin data is live: no response is cacheable, so the per-field cache-hint machinery is pure cost
      // (about an eighth of a twin-by-id request); the header is set once by each path instead.
      stringifyResult,
      // Inline traces are for federated subgraphs, which this is not; Apollo otherwise loads the plugin, with its
      // protobuf library, for every schema (about 7 MB of a start's memory) just to find that out.
      plugins: [
        ApolloServerPluginCacheControlDisabled(),
        ApolloServerPluginInlineTraceDisabled(),
        operationChecks(limits, config.access.maxResponseBytes),
        plainVariables(),
      ],
    }),
    async ({ res }) =>
      createContext(services, res.locals.identity as Identity, Date.now() + config.access.operationTimeoutMs),
  );
  await apollo.use(services.models.current.schema);
  // Awaited by the model service: an upload's answer leaves only once new requests see the new schema.
  const unsubscribe = services.models.onChange((snapshot) => apollo.use(snapshot.schema));

  // Browsers on the listed origins may call the API, with credentials and an Authorization header; any other
  // origin gets no CORS header, so its browser keeps the answer from it (both paths: only for a request with
  // an Origin).
  const allowed = new Set(config.corsOrigins);
  const corsHeaders = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name'],
    maxAge: 600,
  }) as unknown as DirectStep;
  // compression and express.json() (body-parser, with Express) are loaded when a request first needs them: the
  // direct path needs the first only for an answer of 1 KB or more, the second only for a body it cannot parse
  // itself. One instance of each serves both paths.
  const compress = once(
    () => (require('compression') as typeof import('compression'))({ threshold: COMPRESS_THRESHOLD }) as DirectStep,
  );
  const parseJson = once(
    () => (require('express') as typeof import('express')).json({ limit: config.limits.maxBodyBytes }) as DirectStep,
  );
  const identify = identifier(auth);
  // The Express app serves everything the direct path does not take: made (and Express loaded) on the first
  // such request, which it then serves as any other, or half a second after the first answer (below).
  const app = once((): Express =>
    (require('./express-app') as typeof import('./express-app')).createExpressApp({
      config,
      services,
      log,
      graphqlPath,
      apollo,
      identify,
      isRefusal,
      cors: corsHeaders,
      compress: compress(),
      parseJson: parseJson(),
    }),
  );

  const direct = directPost({
    path: graphqlPath,
    maxBodyBytes: config.limits.maxBodyBytes,
    identify: (req) => identify(req.headers.authorization),
    isRefusal,
    run: (req, body, identity) =>
      apollo.run(graphqlRequest(req, body), async () =>
        createContext(services, identity, Date.now() + config.access.operationTimeoutMs),
      ),
    cors: corsHeaders,
    compress: (req, res, next) => compress()(req, res, next),
    compressThreshold: COMPRESS_THRESHOLD,
    parseJson: (req, res, next) => parseJson()(req, res, next),
    bodyError,
    log,
  });

  // Made in the background soon after the first answer, if no request needed it before: loading Express takes
  // 40-80 ms of a single thread, which the first health probe or GraphiQL page would otherwise wait for. Not
  // once the server is stopping (a request may end after that).
  let preload: NodeJS.Timeout | undefined;
  let answered = false;
  let stopping = false;
  const schedulePreload = (): void => {
    if (stopping) return;
    preload = setTimeout(() => {
      preload = undefined;
      try {
        app();
      } catch (error) {
        log.error({ err: error }, 'the Express app could not be made; requests that need it are answered 500');
      }
    }, EXPRESS_PRELOAD_MS).unref();
  };
  // A start used to fail when Express could not be loaded (a broken install); now a request that needs it gets
  // a JSON 500 with a stable code, and the log says why, rather than taking the process down.
  const throughExpress = (req: IncomingMessage, res: ServerResponse): void => {
    let made: Express;
    try {
      made = app();
    } catch (error) {
      log.error({ err: error }, 'the Express app could not be made');
      const { status, body } = errorAnswer(500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
      // With the CORS headers every other answer has, so that a browser on an allowed origin can read why.
      corsHeaders(req, res, () =>
        res
          .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
          .end(JSON.stringify(body)),
      );
      return;
    }
    made(req, res);
  };
  const stopPreload = (): void => {
    stopping = true;
    clearTimeout(preload);
  };
  return {
    handle: (req, res) => {
      if (!direct(req, res)) throughExpress(req, res);
      else if (!answered) {
        answered = true;
        res.once('close', schedulePreload);
      }
    },
    stopFollowingModels: () => {
      stopPreload();
      unsubscribe();
    },
    drain: (graceMs) => apollo.drain(graceMs),
    close: () => {
      stopPreload();
      return apollo.close();
    },
  };
}
