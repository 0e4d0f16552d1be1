/**
 * GraphQL over HTTP: the Express 5 app with Apollo Server 5 at the GraphQL path (with the body limit and
 * JSON errors for requests that never reach GraphQL), GraphiQL for browsers at the same path, and /healthz
 * and /readyz. It knows nothing of the port it is served on (./server.ts) nor of WebSocket (./ws.ts).
 * Operations POSTed as JSON, most requests, go around Express to the same Apollo Server with the same checks
 * and answers (./direct-post.ts); `handle` picks the path.
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
import compression from 'compression';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import {
  GraphQLError,
  type FormattedExecutionResult,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { GraphContext } from '../graphql/graph-context';
import { schemaDocuments, type SchemaDocuments } from '../graphql/schema-documents';
import { OPEN_ACCESS, type Identity } from '../access/identity';
import type { Authenticator } from '../access/authenticate';
import { isTwingraphError } from '../errors';
import { authorizeOperation, fragmentsOf, rootFieldsOf, unauthenticatedError, type ApiGuards } from './authorize';
import type { OperationLimits } from './operation-limits';
import { EXPLORER_PATH, explorerRouter } from './explorer';
import { formatError } from './format-error';
import { graphiqlAssets, graphiqlPage } from './graphiql';
import { limitRules } from './limits';
import { LiveApollo } from './live-apollo';
import { plainVariables } from './plain-variables';
import { createContext, type Services } from './request-context';
import { directPost, graphqlRequest, type DirectStep, type Refusal } from './direct-post';

const GRAPHIQL_ASSETS = '/graphiql';
/** Answers from this size (bytes) are compressed when the client accepts it; smaller ones cost nothing. */
const COMPRESS_THRESHOLD = 1024;
/** How long the NATS commit bus may be gone before /readyz says so. */
const BUS_GRACE_MS = 5_000;

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

/** The Express step of `identifier`: the identity goes in res.locals for the context. */
function authenticate(identify: ReturnType<typeof identifier>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const found = identify(req.headers.authorization);
    if (!(found instanceof Promise)) {
      res.locals.identity = found;
      next();
      return;
    }
    found.then((outcome) => {
      if (!isRefusal(outcome)) {
        res.locals.identity = outcome;
        next();
      } else res.status(outcome.status).set('www-authenticate', outcome.challenge).json(outcome.body);
    }, next);
  };
}

export interface HttpApi {
  readonly app: Express;
  /** Serves a request: a JSON POST of an operation directly (./direct-post.ts), anything else through `app`. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Stops taking up new schemas: a stopping server starts no more Apollo Servers. */
  stopFollowingModels(): void;
  /** Waits until running requests have finished, at most `graceMs`. */
  drain(graceMs: number): Promise<void>;
  /** Stops every Apollo Server; after drain, once the connections are gone. */
  close(): Promise<void>;
}

/** A GraphQL-shaped error answer: one error, its message and stable code. */
function errorAnswer(status: number, message: string, code: string): { status: number; body: unknown } {
  return { status, body: { errors: [{ message, extensions: { code } }] } };
}

/**
 * The JSON error answer for a body express.json() refused (http-errors with a `type`: body-parser's words):
 * too large, JSON that does not parse, a charset or content-encoding it cannot read, a body cut short. Any other
 * error a client caused (a 4xx not marked private) is answered with its own message; undefined for the rest.
 */
function bodyError(error: unknown): { status: number; body: unknown } | undefined {
  const e = error as {
    type?: string;
    status?: number;
    message?: string;
    limit?: number;
    charset?: string;
    expose?: boolean;
  } | null;
  switch (e?.type) {
    case 'entity.too.large':
      return errorAnswer(
        413,
        `The request body is larger than the limit of ${e.limit} bytes (TWINGRAPH_MAX_BODY).`,
        'PAYLOAD_TOO_LARGE',
      );
    case 'entity.parse.failed':
      return errorAnswer(400, `The request body is not valid JSON: ${e.message}`, ApolloServerErrorCode.BAD_REQUEST);
    case 'charset.unsupported':
      return errorAnswer(
        415,
        `The request body's charset "${e.charset ?? ''}" is not supported: send JSON in UTF-8 (content-type: application/json).`,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    case 'encoding.unsupported':
      return errorAnswer(
        415,
        `The request body's content-encoding is not supported (${e.message}): send it as it is, or with gzip, deflate or br.`,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    case 'request.aborted':
    case 'request.size.invalid':
      return errorAnswer(
        400,
        `The request body was not received whole: ${e.message}.`,
        ApolloServerErrorCode.BAD_REQUEST,
      );
  }
  // The router's own (a path parameter that does not decode: a URIError given status 400) and http-errors'.
  if (e?.expose !== false && typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return errorAnswer(e.status, `The request was refused: ${e.message}.`, ApolloServerErrorCode.BAD_REQUEST);
  return undefined;
}

/**
 * JSON errors for requests that never reach GraphQL (see bodyError), and for anything else that fails on the
 * way: a JSON 500 with a stable code, logged here, never Express's HTML page (which shows a stack trace outside
 * production).
 */
function requestErrors(log: Logger) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const refusal = bodyError(error);
    if (refusal) {
      res.status(refusal.status).json(refusal.body);
      return;
    }
    log.error({ err: error }, 'HTTP request failed');
    const { status, body } = errorAnswer(500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
    res.status(status).json(body);
  };
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
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag header; GraphQL responses are POSTed and never cached
  // (twin ETags are in the data), so that hash is pure cost.
  app.set('etag', false);
  // gzip or brotli (quality 4) when the client asks, for anything over 1 KB: GraphiQL's bundle, the schema,
  // large pages of twins. Small answers (a twin by id) are sent as they are, costing nothing.
  const compress = compression({ threshold: COMPRESS_THRESHOLD });
  app.use(compress);
  // The Explorer's static bundle (./explorer.ts): it talks to this API as any client does.
  app.use(EXPLORER_PATH, explorerRouter());

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
      // (about an eighth of a twin-by-id request); the header is set once below instead.
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

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Not ready when the store cannot be reached, or when this replica's feed is further behind the shared
  // change log than TWINGRAPH_READY_MAX_LAG (its subscribers would get changes late).
  app.get('/readyz', async (_req, res) => {
    try {
      await services.store.ping();
      const { version, records } = services.models.current;
      const newest = await services.store.latestSeq();
      const lag = Math.max(0, newest - services.feed.deliveredSeq);
      const health = services.featureHealth?.();
      const bus = services.busHealth?.();
      const body = {
        store: services.store.kind,
        schemaVersion: version,
        models: records.length,
        seq: newest,
        lag,
        ...(health && { features: health.features }),
        ...(bus && { bus }),
      };
      if (lag > config.replication.readyMaxLag)
        res
          .status(503)
          .json({ status: 'behind', ...body, reason: `${lag} changes behind the log (TWINGRAPH_READY_MAX_LAG)` });
      // Without its bus a replica still sees every change (it polls the log), only later: not ready once the
      // bus has been gone a few seconds (a reconnect is no reason to flap), so that a load balancer prefers
      // replicas whose subscribers hear of changes at once.
      else if (bus && !bus.connected && Date.now() - (bus.disconnectedSince ?? 0) > BUS_GRACE_MS)
        res.status(503).json({ status: 'degraded', ...body, reason: 'the NATS commit bus is not connected' });
      else if (health && !health.ready)
        res.status(503).json({ status: 'degraded', ...body, reason: 'a feature is not ready (see features)' });
      else res.json({ status: 'ready', ...body });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', reason: (error as Error).message });
    }
  });
  // The current schema for clients and code generators, and the fragment matcher their caches need; each
  // with a strong ETag, so that polling after model uploads costs a 304.
  const serve =
    (type: string, body: (d: SchemaDocuments) => string, etag: (d: SchemaDocuments) => string) =>
    (req: Request, res: Response): void => {
      if (!config.access.introspection) {
        res.status(404).json({
          errors: [
            {
              message: 'The schema is not published: introspection is off (TWINGRAPH_INTROSPECTION).',
              extensions: { code: 'NOT_FOUND' },
            },
          ],
        });
        return;
      }
      const documents = schemaDocuments(services.models.current.schema);
      res.setHeader('etag', etag(documents));
      res.setHeader('cache-control', 'no-cache');
      if (req.headers['if-none-match'] === etag(documents)) res.status(304).end();
      else res.type(type).send(body(documents));
    };
  // Browsers on the listed origins may call the API, with credentials and an Authorization header; any other
  // origin gets no CORS header, so its browser keeps the answer from it. (Before the schema documents, which
  // front-end tooling on another origin — a Vite dev server — reads too.)
  const allowed = new Set(config.corsOrigins);
  const corsHeaders = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name'],
    maxAge: 600,
  });
  // A request with no Origin (not a browser's cross-origin request) gets no CORS header whatever it asks: it
  // passes without the middleware's work. Every request to the GraphQL path meets it first, once: in the routes
  // of the schema documents and GraphiQL when they answer, else in the GraphQL layer below (which takes any
  // method, and so answers preflight requests for the documents too).
  const corsGate = (req: Request, res: Response, next: NextFunction): void =>
    req.headers.origin === undefined ? next() : corsHeaders(req, res, next);
  const identify = identifier(auth);
  const authenticated = authenticate(identify);
  app.get(
    `${graphqlPath}/schema.graphql`,
    corsGate,
    authenticated,
    serve(
      'text/plain; charset=utf-8',
      (d) => d.sdl,
      (d) => d.sdlEtag,
    ),
  );
  app.get(
    `${graphqlPath}/possible-types.json`,
    corsGate,
    authenticated,
    serve(
      'application/json',
      (d) => JSON.stringify(d.possibleTypes),
      (d) => d.possibleTypesEtag,
    ),
  );
  if (config.access.graphiql) {
    app.use(GRAPHIQL_ASSETS, graphiqlAssets());
    app.get(graphqlPath, (req, res, next) => {
      // A browser asking for the page (not a GET operation) gets GraphiQL.
      if (req.accepts(['application/json', 'text/html']) === 'text/html' && req.query.query === undefined)
        corsGate(req, res, (error?: unknown) =>
          error ? next(error) : res.type('html').send(graphiqlPage(graphqlPath, GRAPHIQL_ASSETS)),
        );
      else next();
    });
  }
  // The steps of every GraphQL request in one Express layer: each layer mounted on a path costs the router a
  // match and a rewrite of req.url on the way in and out, a noticeable part of a small query.
  const parseJson = express.json({ limit: config.limits.maxBodyBytes });
  const graphql = (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('cache-control', 'no-store');
    // As Express reads a step's callback: an error when there is one (truthy), else on to the next step.
    authenticated(req, res, (error?: unknown) => {
      if (error) next(error);
      else parseJson(req, res, (failed?: unknown) => (failed ? next(failed) : apollo.handle(req, res, next)));
    });
  };
  app.use(graphqlPath, (req: Request, res: Response, next: NextFunction) =>
    corsGate(req, res, (error?: unknown) => (error ? next(error) : graphql(req, res, next))),
  );
  // Nothing else is served: a JSON 404 rather than Express's HTML page.
  app.use((_req: Request, res: Response) => {
    const { status, body } = errorAnswer(
      404,
      `Nothing is served at this path. GraphQL is at ${graphqlPath}, the Explorer at ${EXPLORER_PATH}.`,
      'NOT_FOUND',
    );
    res.status(status).json(body);
  });
  app.use(requestErrors(log));

  const direct = directPost({
    path: graphqlPath,
    maxBodyBytes: config.limits.maxBodyBytes,
    identify: (req) => identify(req.headers.authorization),
    isRefusal,
    run: (req, body, identity) =>
      apollo.run(graphqlRequest(req, body), async () =>
        createContext(services, identity, Date.now() + config.access.operationTimeoutMs),
      ),
    cors: corsHeaders as unknown as DirectStep,
    compress: compress as unknown as DirectStep,
    compressThreshold: COMPRESS_THRESHOLD,
    parseJson: parseJson as unknown as DirectStep,
    bodyError,
    log,
  });

  return {
    app,
    handle: (req, res) => {
      if (!direct(req, res)) app(req, res);
    },
    stopFollowingModels: unsubscribe,
    drain: (graceMs) => apollo.drain(graceMs),
    close: () => apollo.close(),
  };
}
