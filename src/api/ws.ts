/**
 * GraphQL over WebSocket (graphql-ws, subprotocol graphql-transport-ws). As graphql-ws keeps its protocol core
 * (`makeServer`) apart from the socket library (`use/ws`), the options here say what a connection does and
 * `attachGraphqlWs` puts them on an HTTP server's upgrades. What an operation goes through (its checks, its
 * context, how its results and errors are worded) is the transport-free core's (./transport-core.ts), shared
 * with Server-Sent Events (./sse.ts); what is WebSocket's own is here: the credential in connection_init, a
 * connection refused or ended with a close code, the cap on subscriptions per socket, and the `next` messages
 * of subscriptions that share their payloads with others (./shared-delivery.ts), written to the socket here
 * because graphql-ws would serialize each payload again for every socket.
 */
import type http from 'node:http';
import { getOperationAST, GraphQLError, OperationTypeNode } from 'graphql';
import type { Disposable, OperationResult, ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Authenticator } from '../access/authenticate';
import { OPEN_ACCESS, type Identity } from '../access/identity';
import type { Config } from '../config';
import { isTwingraphError, TwingraphError } from '../errors';
import type { IdentitySlots, Slot } from './identity-slots';
import { originAllowed } from './origin';
import { deliverShared, graphqlWsNext, type PayloadSink } from './shared-delivery';
import { isSharedPayloads } from './subscription-groups';
import { expiresIn, type TransportCore } from './transport-core';

export type GraphqlWsOptions = ServerOptions<Record<string, unknown>, Extra>;

/** graphql-ws's close code for a missing, wrong or expired credential. */
const UNAUTHORIZED = 4401;
/** A close reason is at most 123 bytes. */
const closeReason = (text: string): string => (Buffer.byteLength(text) <= 123 ? text : `${text.slice(0, 119)}…`);

interface Connection {
  readonly identity: Identity;
  readonly slot: Slot;
  expiry?: NodeJS.Timeout;
}

export function graphqlWsOptions(
  core: TransportCore,
  auth: Authenticator,
  slots: IdentitySlots,
  config: Config,
): GraphqlWsOptions {
  // Keyed by graphql-ws's per-socket `extra`, which lives as long as the socket.
  const connections = new WeakMap<Extra, Connection>();
  const identityOf = (extra: Extra): Identity => connections.get(extra)?.identity ?? OPEN_ACCESS;
  return {
    // The credential comes in connection_init's payload ({ authorization: "Bearer …" }, where browsers can
    // put it) or, for other clients, in the upgrade request's header. A connection is refused as a whole
    // (4401) without one where one is required, before any operation.
    onConnect: async (ctx) => {
      const { socket, request } = ctx.extra;
      const refuse = (reason: string): false => {
        socket.close(UNAUTHORIZED, closeReason(`Unauthorized: ${reason}`));
        return false;
      };
      let identity: Identity | undefined;
      try {
        identity = await auth.identify(ctx.connectionParams?.authorization ?? request.headers.authorization);
      } catch (error) {
        if (isTwingraphError(error, 'UNAUTHENTICATED')) return refuse(error.message);
        throw error;
      }
      if (!identity) return refuse('send { "authorization": "Bearer <token or API key>" } in connection_init.');
      const slot = slots.take(identity);
      if (!slot) {
        socket.close(
          4429,
          closeReason(
            `Too many connections: '${identity.name}' holds ${slots.count(identity)} (TWINGRAPH_MAX_SOCKETS_PER_IDENTITY).`,
          ),
        );
        return false;
      }
      const connection: Connection = { identity, slot };
      // A credential that expires ends the connection and its subscriptions then, saying so; the client
      // reconnects with a fresh one (graphql-ws clients re-read connectionParams on every connect).
      const expiry = expiresIn(identity);
      if (expiry !== undefined)
        connection.expiry = setTimeout(
          () => socket.close(UNAUTHORIZED, 'Unauthorized: the credential expired.'),
          expiry,
        );
      connections.set(ctx.extra, connection);
      return true;
    },
    onClose: (ctx) => {
      const connection = connections.get(ctx.extra);
      if (!connection) return;
      connections.delete(ctx.extra);
      clearTimeout(connection.expiry);
      connection.slot.release();
    },
    // The core's checks, after WebSocket's own: an operation is refused alone, never the connection.
    onSubscribe: (ctx, _id, payload) => {
      // graphql-ws has already put this one among the connection's subscriptions when it asks.
      if (Object.keys(ctx.subscriptions).length > config.limits.maxSubscriptionsPerSocket) {
        const limit = new TwingraphError(
          'LimitExceeded',
          `This connection already holds ${config.limits.maxSubscriptionsPerSocket} subscriptions (TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET): complete one, or open another connection.`,
        );
        return [new GraphQLError(limit.message, { originalError: limit })];
      }
      const prepared = core.prepare(payload, identityOf(ctx.extra));
      if (Array.isArray(prepared)) return prepared;
      const { schema, document, operationName, variableValues } = prepared;
      return { schema, document, operationName, variableValues };
    },
    context: (ctx, _id, _payload, args) =>
      core.context(
        identityOf(ctx.extra),
        getOperationAST(args.document, args.operationName)?.operation ?? OperationTypeNode.QUERY,
      ) as unknown as Record<string, unknown>,
    // Shared payloads are replaced in onOperation, before graphql-ws iterates anything.
    subscribe: (args) => core.subscribe(args) as OperationResult,
    onOperation: (ctx, id, _payload, _args, result) =>
      isSharedPayloads(result) ? deliverShared(result, socketSink(ctx.extra.socket, id)) : undefined,
    // The refusals above, and a subscription's stream that failed (SlowConsumer, for one).
    onError: (_ctx, _id, _payload, errors) => core.refusal(errors),
    onNext: (_ctx, _id, _payload, _args, result) => core.result(result),
  };
}

/**
 * Sends a shared payload as operation `id`'s `next` message, as graphql-ws's own sends do: resolved once the
 * socket has taken it (what paces the subscription), at once when the socket is no longer open.
 */
function socketSink(socket: Extra['socket'], id: string): PayloadSink {
  const frame = graphqlWsNext(id);
  return {
    write: (payload) =>
      new Promise((resolve, reject) => {
        if (socket.readyState !== socket.OPEN) return resolve();
        socket.send(frame(payload), (error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Serves `options` on the WebSocket upgrades of `server` at `path`. Disposing closes every connection with a
 * close frame (1001, going away), ending its subscriptions.
 */
export function attachGraphqlWs(
  server: http.Server,
  path: string,
  options: GraphqlWsOptions,
  limits: {
    readonly maxMessageBytes: number;
    readonly origins: readonly string[];
    /** Whether an upgrade sent with this Host header may go on (./host-check.ts). */
    readonly hostAllowed: (host: string | undefined) => boolean;
  },
): Disposable {
  const allowed = new Set(limits.origins);
  const wss = new WebSocketServer({
    server,
    path,
    // A message over the limit closes the connection (1009, message too big), as HTTP refuses such a body.
    maxPayload: limits.maxMessageBytes,
    // Upgrades have no CORS: the Origin check (./origin.ts) is what keeps other sites' pages out.
    verifyClient: ({ origin, req }, done) => {
      if (!limits.hostAllowed(req.headers.host)) done(false, 403, 'Host not allowed (TWINGRAPH_ALLOWED_HOSTS)');
      else if (originAllowed(origin, req.headers.host, allowed)) done(true);
      else done(false, 403, 'Origin not allowed (TWINGRAPH_CORS_ORIGINS)');
    },
  });
  return useServer(options, wss);
}
