/**
 * GraphQL over Server-Sent Events (graphql-sse's protocol), for clients that cannot use WebSockets, at
 * /graphql/stream beside the HTTP and WebSocket endpoint. Both of the protocol's modes are served: "distinct
 * connections", one event stream per operation (POST, or GET as an EventSource would, with
 * `Accept: text/event-stream`); and "single connection", a stream reserved with PUT, connected with GET, that
 * operations POSTed with its token (x-graphql-event-stream-token) stream into and DELETE completes.
 *
 * An operation goes through the transport-free core (./transport-core.ts) the WebSocket transport uses: the
 * same checks (limits, roles, cost and rate), context (scope, deadline, actor) and wording of results and
 * errors. What is this transport's own is here: the caller identified from each request's Authorization header
 * as on HTTP (a missing or wrong one is 401); the Origin check the WebSocket upgrade makes, and CORS for the
 * listed origins; a body read within TWINGRAPH_MAX_BODY; each event stream, distinct or reserved, taking one of
 * its identity's connection slots (./identity-slots.ts), shared with WebSocket; a reserved stream usable by its
 * identity only, holding at most TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET operations, and let go of when it is
 * not connected in time; and every refusal, graphql-sse's own included, answered as JSON errors with a code.
 *
 * The protocol is graphql-sse's core handler (`createHandler` from 'graphql-sse'), with this module as its
 * adapter to Node's http rather than graphql-sse's `use/http`, which reads bodies without a limit and cannot
 * say when a stream closed before it was handed over. The `next` events of subscriptions that share their
 * payloads with others (./shared-delivery.ts) are written to the stream here, framed as graphql-sse frames
 * them, because graphql-sse would serialize each payload again for every stream.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { createHandler, TOKEN_HEADER_KEY, TOKEN_QUERY_KEY } from 'graphql-sse';
import type { OperationResult, Request as SseRequest, Response as SseResponse, ResponseHeaders } from 'graphql-sse';
import type { Logger } from 'pino';
import type { Authenticator } from '../access/authenticate';
import type { Identity } from '../access/identity';
import type { Config } from '../config';
import { isTwingraphError, TwingraphError } from '../errors';
import { unauthenticatedError } from './authorize';
import type { IdentitySlots, Slot } from './identity-slots';
import { originAllowed } from './origin';
import { Outlet } from './sse-outlet';
import { deliverShared, graphqlSseNext } from './shared-delivery';
import { guardedResults } from './sse-results';
import { isSharedPayloads } from './subscription-groups';
import { expiresIn, type TransportCore } from './transport-core';

/** How long a stream reserved with PUT waits to be connected before it is let go of, with its operations. */
const RESERVATION_TIMEOUT_MS = 30_000;

/** A stream reserved with PUT (single connection mode). */
interface Reservation {
  readonly token: string;
  /** Only the identity that reserved it may connect to it and run operations on it. */
  readonly owner: string;
  readonly slot: Slot;
  readonly outlet: Outlet;
  /** The ids of its running operations. */
  readonly operations: Set<string>;
  connected: boolean;
  timeout?: NodeJS.Timeout;
}

/** What the endpoint keeps about one request, as graphql-sse's request context. */
interface RequestContext {
  /** The response to the request (none on the request the endpoint sends itself). */
  readonly response: ServerResponse | undefined;
  identity?: Identity;
  body?: Record<string, unknown> | string;
  /** The event stream of this request itself (distinct connections mode): its slot and outlet. */
  own?: { readonly slot: Slot; readonly outlet: Outlet };
  /** The reserved stream this request concerns (single connection mode). */
  reservation?: Reservation;
  /** This request's operation on its reservation, counted until it completes. */
  operationId?: string;
  /** The token of an abandoned reservation, on the request this endpoint sends itself to end it. */
  readonly abandoning?: string;
}

type Request = SseRequest<IncomingMessage | undefined, RequestContext>;

/** The code of a refusal of graphql-sse's, which carries none, by its HTTP status. */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: ApolloServerErrorCode.BAD_REQUEST,
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: ApolloServerErrorCode.BAD_REQUEST,
  406: ApolloServerErrorCode.BAD_REQUEST,
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: ApolloServerErrorCode.BAD_REQUEST,
  429: 'LimitExceeded',
};

/** What to do, for the refusals graphql-sse answers without a body. */
const HINT_BY_STATUS: Readonly<Record<number, string>> = {
  404: 'No event stream to run this on: ask for one with "Accept: text/event-stream" (one stream per operation), or reserve one with PUT and send its token in x-graphql-event-stream-token.',
  405: 'This endpoint takes GET and POST (with "Accept: text/event-stream"), and PUT, POST and DELETE for a reserved stream.',
  406: 'Ask for an event stream with "Accept: text/event-stream"; operations on a reserved stream accept application/json.',
  415: 'Send the operation as JSON (content-type: application/json), or as GET parameters.',
};

const JSON_TYPE = 'application/json; charset=utf-8';

function errorsResponse(
  status: number,
  statusText: string,
  errors: readonly GraphQLFormattedError[],
  headers: Record<string, string> = {},
): SseResponse {
  return [JSON.stringify({ errors }), { status, statusText, headers: { ...headers, 'content-type': JSON_TYPE } }];
}

function refusal(status: number, statusText: string, message: string, code: string): SseResponse {
  return errorsResponse(status, statusText, [{ message, extensions: { code } }]);
}

/** graphql-sse's refusals (plain messages, or no body) as JSON errors with a code, like every other one. */
function withCodes(body: string | null, init: SseResponse[1]): SseResponse {
  let errors: GraphQLFormattedError[] | undefined;
  if (body) {
    try {
      const parsed = JSON.parse(body) as { errors?: unknown };
      if (Array.isArray(parsed.errors)) errors = parsed.errors as GraphQLFormattedError[];
    } catch {
      // Not JSON: replaced below.
    }
  }
  errors ??= [{ message: HINT_BY_STATUS[init.status] ?? init.statusText }];
  const code = CODE_BY_STATUS[init.status] ?? ApolloServerErrorCode.BAD_REQUEST;
  const coded = errors.map((e) =>
    typeof e.extensions?.code === 'string' ? e : { ...e, extensions: { ...e.extensions, code } },
  );
  const { 'content-type': _type, ...headers } = init.headers ?? {};
  return errorsResponse(init.status, init.statusText, coded, headers as Record<string, string>);
}

/** A refusal of one operation, sent on its stream as its only result (graphql-sse treats it as the result). */
async function* refused(errors: readonly GraphQLFormattedError[]): AsyncGenerator<ExecutionResult> {
  yield { errors } as unknown as ExecutionResult;
}

function isStream(body: unknown): body is AsyncGenerator<string, void, undefined> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

/**
 * graphql-sse recognises an event-stream request by an Accept header of exactly text/event-stream; curl and
 * other hand-made clients often list more.
 */
function acceptOf(req: IncomingMessage): string | undefined {
  const accept = req.headers.accept;
  if (!accept) return undefined;
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  return types.includes('text/event-stream') ? 'text/event-stream' : accept;
}

export interface SseEndpoint {
  readonly path: string;
  /** Whether `req` is for this endpoint. */
  handles(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Ends every event stream (and the operations on them) and lets go of every reservation. */
  dispose(): Promise<void>;
}

export interface SseEndpointOptions {
  readonly path: string;
  readonly core: TransportCore;
  readonly auth: Authenticator;
  readonly slots: IdentitySlots;
  readonly config: Config;
  readonly log: Logger;
  /** How long a reserved stream may wait to be connected (default 30 s). */
  readonly reservationTimeoutMs?: number;
}

export function createSseEndpoint(options: SseEndpointOptions): SseEndpoint {
  const { path, core, auth, slots, config, log } = options;
  const reservationTimeoutMs = options.reservationTimeoutMs ?? RESERVATION_TIMEOUT_MS;
  const allowed = new Set(config.corsOrigins);
  const reservations = new Map<string, Reservation>();
  /** The event streams being sent, to end them on dispose. */
  const open = new Set<AsyncGenerator<string, void, undefined>>();
  let disposed = false;

  const forget = (reservation: Reservation): void => {
    if (reservations.get(reservation.token) !== reservation) return;
    reservations.delete(reservation.token);
    clearTimeout(reservation.timeout);
    reservation.outlet.close();
    reservation.slot.release();
  };

  /** Reads a POST's body within the limit; a refusal when it is too large or not JSON. */
  const readBody = (req: IncomingMessage): Promise<{ readonly body: unknown } | { readonly refusal: SseResponse }> => {
    const limit = config.limits.maxBodyBytes;
    const tooLarge = refusal(
      413,
      'Payload Too Large',
      `The request body is larger than the limit of ${limit} bytes (TWINGRAPH_MAX_BODY).`,
      'PAYLOAD_TOO_LARGE',
    );
    if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve({ refusal: tooLarge });
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size <= limit) chunks.push(chunk);
        else {
          // Read no further, as express.json does: the connection closes after the answer.
          req.off('data', onData);
          req.pause();
          resolve({ refusal: tooLarge });
        }
      };
      // A client that leaves while sending gets no answer; the request ends all the same, as a refusal.
      const cutShort = (): void =>
        resolve({
          refusal: refusal(
            400,
            'Bad Request',
            'The request ended before its body did.',
            ApolloServerErrorCode.BAD_REQUEST,
          ),
        });
      req.on('data', onData);
      req.once('error', cutShort);
      req.once('close', () => {
        if (!req.complete) cutShort();
      });
      req.once('end', () => {
        if (size > limit) return;
        const text = Buffer.concat(chunks).toString('utf8');
        // graphql-sse answers any other type 415, and JSON that is not an operation 400, saying why.
        if (!req.headers['content-type']?.includes('application/json')) return resolve({ body: text });
        try {
          resolve({ body: JSON.parse(text) as unknown });
        } catch (error) {
          resolve({
            refusal: refusal(
              400,
              'Bad Request',
              `The request body is not valid JSON: ${(error as Error).message}`,
              ApolloServerErrorCode.BAD_REQUEST,
            ),
          });
        }
      });
    });
  };

  const handler = createHandler<IncomingMessage | undefined, RequestContext, Record<string, unknown>>({
    // The caller, its body, and which stream the request concerns; graphql-sse asks this first, for every
    // request. Returning a token says which reserved stream; null, that there is none (distinct connections).
    authenticate: async (req) => {
      const context = req.context;
      if (context.abandoning) return context.abandoning;
      let identity: Identity | undefined;
      try {
        identity = await auth.identify(req.headers.get('authorization') ?? undefined);
      } catch (error) {
        if (!isTwingraphError(error, 'UNAUTHENTICATED')) throw error;
        return errorsResponse(
          401,
          'Unauthorized',
          [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }],
          {
            'www-authenticate': 'Bearer error="invalid_token"',
          },
        );
      }
      if (!identity)
        return errorsResponse(
          401,
          'Unauthorized',
          [{ message: unauthenticatedError().message, extensions: { code: 'UNAUTHENTICATED' } }],
          { 'www-authenticate': 'Bearer' },
        );
      context.identity = identity;
      if (req.method === 'POST') {
        const read = await readBody(req.raw!);
        if ('refusal' in read) return read.refusal;
        context.body = read.body as Record<string, unknown> | string;
      }
      const tooMany = (): SseResponse =>
        refusal(
          429,
          'Too Many Requests',
          `Too many connections: '${identity.name}' holds ${slots.count(identity)} WebSocket connections and event streams (TWINGRAPH_MAX_SOCKETS_PER_IDENTITY): close one.`,
          'LimitExceeded',
        );
      if (req.method === 'PUT') {
        const slot = slots.take(identity);
        if (!slot) return tooMany();
        // Unguessable, unlike graphql-sse's default: with authentication off the token is all that keeps
        // another client off the stream.
        const reservation: Reservation = {
          token: randomUUID(),
          owner: identity.name,
          slot,
          outlet: new Outlet(config.limits.streamStallMs),
          operations: new Set(),
          connected: false,
        };
        reservation.timeout = setTimeout(() => void abandon(reservation), reservationTimeoutMs).unref();
        reservations.set(reservation.token, reservation);
        // graphql-sse connects a PUT that asks for an event stream at once; it is then this reservation's.
        context.reservation = reservation;
        return reservation.token;
      }
      const token =
        req.headers.get(TOKEN_HEADER_KEY) ||
        new URL(req.url, 'http://localhost').searchParams.get(TOKEN_QUERY_KEY) ||
        undefined;
      if (token !== undefined) {
        const reservation = reservations.get(token);
        if (!reservation || reservation.owner !== identity.name)
          return refusal(
            404,
            'Not Found',
            'No event stream is reserved with this token for this identity: reserve one with PUT (the graphql-sse client does, in single connection mode).',
            'NOT_FOUND',
          );
        context.reservation = reservation;
        return token;
      }
      if (req.headers.get('accept') !== 'text/event-stream') return null;
      const slot = slots.take(identity);
      if (!slot) return tooMany();
      context.own = { slot, outlet: new Outlet(config.limits.streamStallMs) };
      return null;
    },
    // Validated by the core, with the limit rules; graphql-sse's own pass would only repeat it.
    validate: () => [],
    onSubscribe: (req, params) => {
      const { identity, reservation } = req.context;
      if (reservation) {
        if (reservation.operations.size >= config.limits.maxSubscriptionsPerSocket) {
          const limit = new TwingraphError(
            'LimitExceeded',
            `This stream already holds ${config.limits.maxSubscriptionsPerSocket} operations (TWINGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET): complete one, or reserve another stream.`,
          );
          return refused(core.refusal([new GraphQLError(limit.message, { originalError: limit })]));
        }
        const id = String(params.extensions?.operationId);
        reservation.operations.add(id);
        req.context.operationId = id;
      }
      const prepared = core.prepare(params, identity!);
      if (Array.isArray(prepared)) return refused(core.refusal(prepared));
      const { schema, document, operation, operationName, variableValues } = prepared;
      return {
        schema,
        document,
        operationName,
        variableValues,
        contextValue: core.context(identity!, operation.operation) as unknown as Record<string, unknown>,
      };
    },
    // Shared payloads are replaced in onOperation, before graphql-sse iterates anything.
    subscribe: (args) => core.subscribe(args) as OperationResult,
    onOperation: (_context, req, _args, result) => {
      if (!(Symbol.asyncIterator in Object(result))) return undefined;
      const { identity, own, reservation, operationId } = req.context;
      const outlet = (own?.outlet ?? reservation?.outlet)!;
      let results = result as AsyncIterable<ExecutionResult>;
      if (isSharedPayloads(result)) {
        const frame = graphqlSseNext(operationId);
        results = deliverShared(result, {
          ready: () => outlet.ready(),
          write: (payload) => outlet.write(frame(payload)),
        });
      }
      return guardedResults(results, {
        ready: () => outlet.ready(),
        expiresInMs: expiresIn(identity!),
        expired: () =>
          ({
            errors: [{ message: 'Unauthorized: the credential expired.', extensions: { code: 'UNAUTHENTICATED' } }],
          }) as unknown as ExecutionResult,
        failed: (error) => ({ errors: core.failure(error) }) as unknown as ExecutionResult,
      });
    },
    // graphql 16 has no @defer or @stream: every result is a whole one.
    onNext: (_context, _req, result) => core.result(result as ExecutionResult) as ExecutionResult,
    onComplete: (_context, req) => {
      const { reservation, operationId } = req.context;
      if (reservation && operationId !== undefined) reservation.operations.delete(operationId);
    },
  });

  /** Ends a reservation nobody connected to, and its operations: graphql-sse keeps such streams for ever. */
  const abandon = async (reservation: Reservation): Promise<void> => {
    if (reservation.connected || reservations.get(reservation.token) !== reservation) return;
    try {
      // The one way in to graphql-sse's streams: connect to it as its client would, and leave at once.
      const [body] = await handler({
        method: 'GET',
        url: path,
        headers: { get: (key) => (key === 'accept' ? 'text/event-stream' : null) },
        body: null,
        raw: undefined,
        context: { response: undefined, abandoning: reservation.token },
      } satisfies Request);
      if (isStream(body)) await body.return(undefined);
    } catch (error) {
      log.error({ err: error }, 'could not end an abandoned event stream reservation');
    } finally {
      forget(reservation);
    }
  };

  /** Writes graphql-sse's answer: a refusal or a short reply, or an event stream for as long as it runs. */
  const send = async (
    res: ServerResponse,
    [body, init]: SseResponse,
    context: RequestContext,
    closed: () => boolean,
  ): Promise<void> => {
    // An operation that did not start is not counted on its reservation (onComplete will not be called).
    if (context.operationId !== undefined && init.status !== 202)
      context.reservation?.operations.delete(context.operationId);
    if (!isStream(body)) {
      const [text, head] = init.status >= 400 ? withCodes(body, init) : [body, init];
      if (!closed()) res.writeHead(head.status, head.statusText, head.headers).end(text ?? undefined);
      return;
    }
    // The client may have left while the operation was being prepared: its stream is let go of at once.
    if (closed() || disposed) {
      await body.return(undefined);
      return;
    }
    const { reservation } = context;
    if (reservation) {
      reservation.connected = true;
      clearTimeout(reservation.timeout);
      res.once('close', () => forget(reservation));
    }
    const headers: ResponseHeaders = {
      ...init.headers,
      // No proxy may compress events or hold them back to batch them.
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    };
    res.writeHead(init.status, init.statusText, headers);
    // Only now: an event written to the stream before its head would go out without it.
    (context.own?.outlet ?? reservation?.outlet)?.connect(res);
    const leave = (): void => void body.return(undefined);
    res.once('close', leave);
    open.add(body);
    try {
      for await (const message of body) {
        if (res.destroyed || !res.writable) break;
        res.write(message);
      }
    } finally {
      open.delete(body);
      res.off('close', leave);
      if (!res.writableEnded) res.end();
    }
  };

  return {
    path,
    handles: (req) => {
      const url = req.url ?? '';
      const query = url.indexOf('?');
      return (query < 0 ? url : url.slice(0, query)) === path;
    },
    handle: (req, res) => {
      let closed = false;
      res.once('close', () => (closed = true));
      // Refusals and replies are never cached; an event stream says so itself.
      res.setHeader('cache-control', 'no-store');
      const origin = req.headers.origin;
      if (!originAllowed(origin, req.headers.host, allowed)) {
        const [text, init] = refusal(
          403,
          'Forbidden',
          `Origin not allowed (TWINGRAPH_CORS_ORIGINS): '${origin}' may not open event streams here.`,
          'FORBIDDEN',
        );
        res.writeHead(init.status, init.statusText, init.headers).end(text);
        return;
      }
      // The listed origins may read the answers, with an Authorization header and a stream token.
      if (origin && allowed.has(origin)) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('access-control-allow-credentials', 'true');
        res.setHeader('vary', 'Origin');
      }
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE');
        res.setHeader('access-control-allow-headers', `authorization, content-type, ${TOKEN_HEADER_KEY}`);
        res.setHeader('access-control-max-age', '600');
        res.writeHead(204, { allow: 'GET, POST, PUT, DELETE, OPTIONS' }).end();
        return;
      }
      const context: RequestContext = { response: res };
      res.once('close', () => context.own?.slot.release());
      const accept = acceptOf(req);
      handler({
        method: req.method ?? 'GET',
        url: req.url ?? path,
        headers: {
          get: (key) => {
            if (key === 'accept') return accept;
            const value = req.headers[key];
            return Array.isArray(value) ? value.join(', ') : value;
          },
        },
        body: () => context.body ?? null,
        raw: req,
        context,
      })
        .then((response) => send(res, response, context, () => closed))
        .catch((error: unknown) => {
          log.error({ err: error }, 'unexpected error in a Server-Sent Events request');
          if (res.headersSent) {
            if (!res.writableEnded) res.end();
            return;
          }
          const [text, init] = refusal(
            500,
            'Internal Server Error',
            'Internal server error: the server logged the details.',
            ApolloServerErrorCode.INTERNAL_SERVER_ERROR,
          );
          res.writeHead(init.status, init.statusText, init.headers).end(text);
        });
    },
    dispose: async () => {
      disposed = true;
      await Promise.all([
        ...[...open].map((body) => body.return(undefined)),
        ...[...reservations.values()].map((reservation) => abandon(reservation)),
      ]);
    },
  };
}
