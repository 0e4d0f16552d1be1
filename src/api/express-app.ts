/**
 * The Express 5 app of the HTTP API: everything but operations POSTed as JSON (./direct-post.ts serves those
 * from node:http). GraphQL of every other shape at the GraphQL path (GET operations, preflights, other charsets,
 * compressed or chunked bodies, with the body limit and JSON errors for requests that never reach GraphQL),
 * GraphiQL for browsers at the same path, the schema documents, the Explorer's bundle, /healthz and /readyz.
 *
 * ./http.ts loads this module, and with it Express, when the first such request comes or half a second after the
 * first answer: a start to its first answer loads none of it (about a tenth of a start with no compile cache). The steps both paths take (CORS,
 * compression, express.json()) are ./http.ts's, the same instances, so that both answer alike.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { GraphContext } from '../graphql/graph-context';
import { schemaDocuments, type SchemaDocuments } from '../graphql/schema-documents';
import type { Identity } from '../access/identity';
import type { Refusal } from './direct-post';
import { bodyError, errorAnswer } from './error-answers';
import { EXPLORER_PATH, explorerRouter } from './explorer';
import { graphiqlAssets, graphiqlPage } from './graphiql';
import type { LiveApollo } from './live-apollo';
import type { Services } from './request-context';

const GRAPHIQL_ASSETS = '/graphiql';
/** How long the NATS commit bus may be gone before /readyz says so. */
const BUS_GRACE_MS = 5_000;

/** A middleware of the form Express, cors, compression and body-parser share. */
type Step = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface ExpressAppOptions {
  readonly config: Config;
  readonly services: Services;
  readonly log: Logger;
  readonly graphqlPath: string;
  readonly apollo: LiveApollo<GraphContext>;
  /** The caller from the Authorization header, or (in a promise) a refusal to answer with (./http.ts). */
  readonly identify: (authorization: string | undefined) => Identity | Promise<Identity | Refusal>;
  readonly isRefusal: (outcome: Identity | Refusal) => outcome is Refusal;
  /** The CORS headers of a request with an Origin, the compression middleware and express.json(): ./http.ts's. */
  readonly cors: Step;
  readonly compress: Step;
  readonly parseJson: Step;
}

/** The Express step of `identify`: the identity goes in res.locals for the context. */
function authenticate(options: ExpressAppOptions) {
  const { identify, isRefusal } = options;
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

/** The app, its routes in the order they are matched. */
export function createExpressApp(options: ExpressAppOptions): Express {
  const { config, services, log, graphqlPath, apollo } = options;
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag header; GraphQL responses are POSTed and never cached
  // (twin ETags are in the data), so that hash is pure cost.
  app.set('etag', false);
  // gzip or brotli (quality 4) when the client asks, for anything of 1 KB or more: GraphiQL's bundle, the schema,
  // large pages of twins. Small answers (a twin by id) are sent as they are, costing nothing.
  app.use(options.compress);
  // The Explorer's static bundle (./explorer.ts): it talks to this API as any client does.
  app.use(EXPLORER_PATH, explorerRouter());

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
  // Browsers on the listed origins may call the API (./http.ts's CORS step); a request with no Origin (not a
  // browser's cross-origin request) gets no CORS header whatever it asks: it passes without the middleware's
  // work. Every request to the GraphQL path meets it first, once: in the routes of the schema documents and
  // GraphiQL when they answer, else in the GraphQL layer below (which takes any method, and so answers
  // preflight requests for the documents too).
  const corsGate = (req: Request, res: Response, next: NextFunction): void =>
    req.headers.origin === undefined ? next() : options.cors(req, res, next);
  const authenticated = authenticate(options);
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
  const graphql = (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('cache-control', 'no-store');
    // As Express reads a step's callback: an error when there is one (truthy), else on to the next step.
    authenticated(req, res, (error?: unknown) => {
      if (error) next(error);
      else options.parseJson(req, res, (failed?: unknown) => (failed ? next(failed) : apollo.handle(req, res, next)));
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
  return app;
}
