/**
 * The API: GraphQL over HTTP (Apollo Server 5 on Express 5) and over WebSocket (graphql-ws, subprotocol
 * graphql-transport-ws) on one port and one path, /graphql; GraphiQL for browsers; /healthz and /readyz.
 *
 * The schema changes at run time (model uploads): each schema gets its own Apollo Server (./live-apollo.ts), and
 * graphql-ws asks for the current schema per subscription. Operations keep the schema they started with.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { GraphContext } from '../graphql/graph-context';
import type { Config } from '../config';
import { createContext, type Services } from './request-context';
import { errorExtensions, formatError } from './format-error';
import { graphiqlAssets, graphiqlPage } from './graphiql';
import { LiveApollo } from './live-apollo';

export const GRAPHQL_PATH = '/graphql';
const GRAPHIQL_ASSETS = '/graphiql';
/** How long a stopping server lets running requests finish. */
const STOP_GRACE_MS = 10_000;

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting work, lets running requests finish, closes subscriptions with a close frame. */
  close(): Promise<void>;
}

/**
 * The query limits (TWINGRAPH_MAX_DEPTH, TWINGRAPH_MAX_ALIASES) as validation rules. graphql-armor throws from
 * inside validation by default, which Apollo reports as an internal error and graphql-ws answers by closing
 * the whole connection; reported through the validation context instead, a query over a limit is an ordinary
 * GRAPHQL_VALIDATION_FAILED error that names the limit.
 */
function limitRules(config: Config): ValidationRule[] {
  const report =
    (variable: string) =>
    (context: ValidationContext | null, error: GraphQLError): void =>
      context?.reportError(
        new GraphQLError(`${error.message.replace(/^Syntax Error: /, '')} (${variable})`, {
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      );
  return [
    maxDepthRule({
      n: config.limits.maxDepth,
      propagateOnRejection: false,
      onReject: [report('TWINGRAPH_MAX_DEPTH')],
    }) as unknown as ValidationRule,
    maxAliasesRule({
      n: config.limits.maxAliases,
      propagateOnRejection: false,
      onReject: [report('TWINGRAPH_MAX_ALIASES')],
    }) as unknown as ValidationRule,
  ];
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

/** JSON errors for requests that never reach GraphQL: a body too large, JSON that does not parse. */
function requestErrors(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  const e = error as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === 'entity.too.large') {
    res
      .status(413)
      .json({
        errors: [
          {
            message: `The request body is larger than the limit of ${e.limit} bytes (TWINGRAPH_MAX_BODY).`,
            extensions: { code: 'PAYLOAD_TOO_LARGE' },
          },
        ],
      });
  } else if (e?.type === 'entity.parse.failed') {
    res
      .status(400)
      .json({
        errors: [{ message: `The request body is not valid JSON: ${e.message}`, extensions: { code: 'BAD_REQUEST' } }],
      });
  } else next(error);
}

export async function startServer(config: Config, services: Services, log: Logger): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag header; GraphQL responses are POSTed and never cached
  // (twin ETags are in the data), so that hash is pure cost.
  app.set('etag', false);
  const httpServer = http.createServer(app);
  const validationRules = limitRules(config);

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const ws = useServer<Record<string, unknown>, { socket: unknown }>(
    {
      // Parsing and validation here rather than through graphql-ws's `parse` and `validate` options: an
      // operation that does not parse would otherwise close the connection, and every subscription on it,
      // instead of being refused alone. Each refusal carries a code, like the HTTP side's.
      onSubscribe: (_ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const schema = services.models.current.schema;
        const errors = validate(schema, document, [...specifiedRules, ...validationRules]);
        if (errors.length > 0)
          return errors.map((e) =>
            typeof e.extensions.code === 'string' ? e : withCode(e, 'GRAPHQL_VALIDATION_FAILED'),
          );
        if (!getOperationAST(document, payload.operationName)) {
          return [
            new GraphQLError(
              `Unable to identify the operation${payload.operationName ? ` '${payload.operationName}'` : ''} to run.`,
              { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
            ),
          ];
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      context: () => createContext(services) as unknown as Record<string, unknown>,
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => {
          const original = (e as { originalError?: Error }).originalError;
          const ours = errorExtensions(original);
          if (ours) return { ...e.toJSON(), message: original!.message, extensions: { ...e.extensions, ...ours } };
          if (typeof e.extensions?.code === 'string') return e.toJSON();
          // Something that failed in the middle of a subscription, not of ours: logged, reported without internals.
          log.error({ err: original ?? e }, 'unexpected error in a subscription');
          return {
            message: 'Internal server error: the server logged the details.',
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          };
        }),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!('errors' in result) || !result.errors?.length) return result;
        const format = formatError(log);
        return { ...result, errors: result.errors.map((e) => format(e, e)) };
      },
    },
    wsServer,
  );

  const apollo = new LiveApollo<GraphContext>(
    () => ({
      validationRules,
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
      plugins: [ApolloServerPluginCacheControlDisabled()],
    }),
    async () => createContext(services),
  );
  await apollo.use(services.models.current.schema);
  // Awaited by the model service: an upload's answer leaves only once new requests see the new schema.
  const unsubscribe = services.models.onChange((snapshot) => apollo.use(snapshot.schema));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await services.store.ping();
      const { version, records } = services.models.current;
      res.json({ status: 'ready', store: services.store.kind, schemaVersion: version, models: records.length });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', reason: (error as Error).message });
    }
  });
  app.use(GRAPHIQL_ASSETS, graphiqlAssets());
  app.get(GRAPHQL_PATH, (req, res, next) => {
    // A browser asking for the page (not a GET operation) gets GraphiQL.
    if (req.accepts(['application/json', 'text/html']) === 'text/html' && req.query.query === undefined)
      res.type('html').send(graphiqlPage(GRAPHQL_PATH, GRAPHIQL_ASSETS));
    else next();
  });
  app.use(
    GRAPHQL_PATH,
    (_req: Request, res: Response, next: NextFunction) => {
      res.setHeader('cache-control', 'no-store');
      next();
    },
    express.json({ limit: config.limits.maxBodyBytes }),
    apollo.handle,
  );
  app.use(requestErrors);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${port}${GRAPHQL_PATH}`;
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    unsubscribe();
    // No new connections; idle keep-alive ones go now, busy ones when their request ends.
    httpServer.close();
    httpServer.closeIdleConnections();
    await ws.dispose();
    await apollo.drain(STOP_GRACE_MS);
    httpServer.closeAllConnections();
    await apollo.close();
  };
  return {
    url,
    port,
    close: () => (closing ??= close()),
  };
}
