/**
 * GraphQL operations POSTed as JSON, served straight from node:http rather than through Express: the body read
 * and parsed here, the operation handed to Apollo Server (what @as-integrations/express5 does), the answer
 * written with node's own calls. Express's request setup, its router, body-parser and the compression
 * wrapper cost more than the operation itself on a small query (a twin by id); the answers are the same bytes
 * with the same status and headers (cache-control, content-type, content-length, Vary: Accept-Encoding, the
 * CORS headers), and the same checks run: authentication (401 before GraphQL), the body limit, JSON errors.
 *
 * Only the common request takes this path, checked before its body is read: POST to exactly the GraphQL path
 * (no query string), `content-type: application/json` (utf-8 at most), a content-length within the body limit,
 * no content-encoding. Everything else (GET operations, GraphiQL, preflights, other charsets, a gzipped or
 * chunked body, an oversized one) goes to the Express app as before, which answers it as it always did.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import type { Logger } from 'pino';
import type { Identity } from '../access/identity';

/** An Express-style step (cors, compression, express.json), called here on node's own request and response. */
export type DirectStep = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** A caller refused before GraphQL sees the request: its status, WWW-Authenticate challenge and JSON body. */
export interface Refusal {
  readonly status: number;
  readonly challenge: string;
  readonly body: unknown;
}

export interface DirectPostOptions {
  readonly path: string;
  readonly maxBodyBytes: number;
  /** The caller, or (in a promise) a refusal to answer with (http.ts: the same as the Express path's). */
  readonly identify: (req: IncomingMessage) => Identity | Promise<Identity | Refusal>;
  readonly isRefusal: (outcome: Identity | Refusal) => outcome is Refusal;
  /** Runs the operation on the current schema's Apollo Server (./live-apollo.ts); undefined before it has one. */
  readonly run: (
    req: IncomingMessage,
    body: unknown,
    identity: Identity,
  ) => { readonly response: Promise<HTTPGraphQLResponse>; done(): void } | undefined;
  /** The CORS headers of a request with an Origin (http.ts: the same middleware as the Express routes). */
  readonly cors: DirectStep;
  /** The compression middleware, for answers at or over its threshold. */
  readonly compress: DirectStep;
  readonly compressThreshold: number;
  /** express.json(), to parse again a body this path could not: its errors are the ones to answer with. */
  readonly parseJson: DirectStep;
  /** The JSON error answer for a body express.json() refused (http.ts `bodyError`). */
  readonly bodyError: (error: unknown) => { status: number; body: unknown } | undefined;
  readonly log: Logger;
}

const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** The first character that is not JSON whitespace (space, tab, line feed, carriage return). */
const NOT_WHITESPACE = /[^ \t\n\r]/;

/** Whether node's request is one this path takes (see the module's comment). */
function takes(req: IncomingMessage, path: string, maxBodyBytes: number): boolean {
  if (req.method !== 'POST' || req.url !== path) return false;
  const { headers } = req;
  const type = headers['content-type'];
  if (type === undefined || !(JSON_TYPES.has(type) || JSON_TYPES.has(type.toLowerCase()))) return false;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
  const length = headers['content-length'];
  if (length === undefined) return false;
  const bytes = Number(length);
  return Number.isSafeInteger(bytes) && bytes >= 0 && bytes <= maxBodyBytes;
}

/**
 * The handler: true when it took the request (and answers it), false when the caller should pass it on to
 * the Express app.
 */
export function directPost(options: DirectPostOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { path, maxBodyBytes, log } = options;

  /** A JSON answer as Express's res.json wrote it, behind the compression middleware. */
  const sendJson = (res: ServerResponse, status: number, text: string): void => {
    res.statusCode = status;
    res.setHeader('content-type', JSON_CONTENT_TYPE);
    send(res, text);
  };

  /** Writes `text` (headers set), as express's res.send then the compression middleware would. */
  const send = (res: ServerResponse, text: string): void => {
    const length = Buffer.byteLength(text);
    res.setHeader('content-length', length);
    if (length >= options.compressThreshold) {
      // The compression middleware decides (the client's Accept-Encoding) and sets Vary itself.
      options.compress(res.req, res, () => res.end(text));
      return;
    }
    // Below the threshold the middleware compresses nothing, but still says the answer varies by encoding.
    const vary = res.getHeader('vary');
    res.setHeader('vary', vary === undefined ? 'Accept-Encoding' : `${String(vary)}, Accept-Encoding`);
    res.end(text);
  };

  const answer = async (res: ServerResponse, running: Promise<HTTPGraphQLResponse>): Promise<void> => {
    const { status, headers, body } = await running;
    for (const [key, value] of headers) res.setHeader(key, value);
    res.statusCode = status ?? 200;
    if (body.kind === 'complete') {
      send(res, body.string);
      return;
    }
    // Incremental delivery: chunks as they come, through the compression middleware as Express sent them.
    await new Promise<void>((resolve, reject) => {
      options.compress(res.req, res, () => {
        (async () => {
          for await (const chunk of body.asyncIterator) {
            res.write(chunk);
            (res as ServerResponse & { flush?: () => void }).flush?.();
          }
          res.end();
        })().then(resolve, reject);
      });
    });
  };

  const run = (req: IncomingMessage, res: ServerResponse, identity: Identity, parsed: unknown): void => {
    const operation = options.run(req, parsed, identity);
    if (!operation) {
      fail(res, new Error('The GraphQL server has no schema yet.'));
      return;
    }
    answer(res, operation.response).then(
      () => operation.done(),
      (error: unknown) => {
        operation.done();
        fail(res, error);
      },
    );
  };

  /** What Express's final handler would answer for an error no step handled: 500. */
  const fail = (res: ServerResponse, error: unknown): void => {
    log.error({ err: error }, 'GraphQL request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(
      res,
      500,
      JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }),
    );
  };

  /** A body this path could not parse: express.json() reads it again, for its own error (or its result). */
  const reparse = (req: IncomingMessage, res: ServerResponse, identity: Identity, raw: Buffer): void => {
    const replay = Object.assign(Readable.from([raw]), { headers: req.headers, method: req.method, url: req.url });
    options.parseJson(replay as unknown as IncomingMessage, res, (error?: unknown) => {
      const refusal = error === undefined ? undefined : options.bodyError(error);
      if (refusal) sendJson(res, refusal.status, JSON.stringify(refusal.body));
      else if (error !== undefined) fail(res, error);
      else run(req, res, identity, (replay as unknown as { body: unknown }).body);
    });
  };

  // As in the Express path: the caller is known (or refused, 401) before the body is read.
  const read = (req: IncomingMessage, res: ServerResponse, identity: Identity): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const text = raw.toString('utf8');
      // express.json() is strict: an object or an array, and an empty body is {}. Anything else, or JSON that
      // does not parse, is left to it, so that the error is its own, word for word.
      let parsed: unknown;
      if (text.length === 0) parsed = {};
      else {
        const first = text[0] === '{' || text[0] === '[' ? text[0] : NOT_WHITESPACE.exec(text)?.[0];
        if (first !== '{' && first !== '[') return reparse(req, res, identity, raw);
        try {
          parsed = JSON.parse(text);
        } catch {
          return reparse(req, res, identity, raw);
        }
      }
      run(req, res, identity, parsed);
    });
  };

  return (req, res) => {
    if (!takes(req, path, maxBodyBytes)) return false;
    const start = (): void => {
      res.setHeader('cache-control', 'no-store');
      const found = options.identify(req);
      if (!(found instanceof Promise)) {
        read(req, res, found);
        return;
      }
      found.then(
        (outcome) => {
          if (!options.isRefusal(outcome)) read(req, res, outcome);
          else {
            res.setHeader('www-authenticate', outcome.challenge);
            sendJson(res, outcome.status, JSON.stringify(outcome.body));
          }
        },
        (error: unknown) => fail(res, error),
      );
    };
    if (req.headers.origin === undefined) start();
    else options.cors(req, res, (error?: unknown) => (error ? fail(res, error) : start()));
    return true;
  };
}

/** Apollo's request from node's: its headers in a HeaderMap (as @as-integrations/express5 makes it). */
export function graphqlRequest(req: IncomingMessage, body: unknown) {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers))
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  return { method: 'POST', headers, search: '', body };
}
