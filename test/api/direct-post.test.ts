/**
 * GraphQL operations POSTed as JSON are served without Express (src/api/direct-post.ts): which requests take
 * that path, and that every answer there is the Express path's, byte for byte, with the same status and
 * headers: answers and GraphQL errors, JSON the body parser refuses, 401s, CORS headers, compressed answers.
 * The Express path is reached with the same request at `/graphql/` (a path the direct one leaves to it).
 */
import http from 'node:http';
import pino from 'pino';
import { directPost, type DirectPostOptions } from '../../src/api/direct-post';
import { OPEN_ACCESS } from '../../src/access/identity';
import { M, TestApp, twinInput } from '../support/api-harness';
import { createKey } from '../support/auth';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One raw HTTP request (fetch would decompress, and adds headers of its own). */
function send(url: string, path: string, headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, method: 'POST', path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const { date: _date, ...rest } = response.headers;
        resolve({ status: response.statusCode!, headers: rest, body: Buffer.concat(chunks).toString('base64') });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const query = (q: string, variables?: Record<string, unknown>): string => JSON.stringify({ query: q, variables });

/** The answer of the direct path and of the Express path to the same request. */
async function bothPaths(url: string, headers: Record<string, string>, body: string): Promise<[Answer, Answer]> {
  return [await send(url, '/graphql', headers, body), await send(url, '/graphql/', headers, body)];
}

describe('the direct path answers as the Express path does', () => {
  const t = new TestApp({ env: { TWINGRAPH_CORS_ORIGINS: 'https://app.example', TWINGRAPH_MAX_BODY: '4000' } });
  beforeAll(async () => {
    await t.start();
    await t.store.createTwins([
      { id: 'c1', twin: twinInput(M.client, { name: 'Acme Bank', industry: 'banking' }) },
      { id: 'big', twin: twinInput(M.client, { name: 'x'.repeat(3000), industry: 'banking' }) },
    ]);
  });
  afterAll(() => t.close());

  it.each([
    ['a twin by id', JSON_TYPE, query('query($id: ID!) { twin(id: $id) { id etag } }', { id: 'c1' })],
    ['a twin that is not there', JSON_TYPE, query('{ twin(id: "nobody") { id } }')],
    ['a validation error', JSON_TYPE, query('{ nope }')],
    ['a subscription', JSON_TYPE, query('subscription { twinChanged { seq } }')],
    ['JSON that does not parse', JSON_TYPE, '{"query": '],
    ['JSON that is not an object', JSON_TYPE, '"{ __typename }"'],
    ['JSON after whitespace', JSON_TYPE, ' \n{"query": "{ __typename }"}'],
    ['an empty body', JSON_TYPE, ''],
    ['a batch', JSON_TYPE, `[${query('{ __typename }')}]`],
    ['a charset', { 'content-type': 'application/json; charset=UTF-8' }, query('{ __typename }')],
    ['a large answer, uncompressed', JSON_TYPE, query('{ twin(id: "big") { json } }')],
    [
      'a large answer, gzip accepted',
      { ...JSON_TYPE, 'accept-encoding': 'gzip' },
      query('{ twin(id: "big") { json } }'),
    ],
    ['a small answer, gzip accepted', { ...JSON_TYPE, 'accept-encoding': 'gzip' }, query('{ __typename }')],
    ['an allowed origin', { ...JSON_TYPE, origin: 'https://app.example' }, query('{ __typename }')],
    ['another origin', { ...JSON_TYPE, origin: 'https://evil.example' }, query('{ __typename }')],
  ])('%s', async (_what, headers, body) => {
    const [direct, viaExpress] = await bothPaths(t.url, headers, body);
    expect(direct).toEqual(viaExpress);
  });

  it('sends a twin by id as Apollo writes it, with the headers it always had', async () => {
    const answer = await send(t.url, '/graphql', JSON_TYPE, query('{ twin(id: "c1") { id } }'));
    expect(answer).toEqual({
      status: 200,
      headers: {
        'cache-control': 'no-store',
        'content-type': 'application/json; charset=utf-8',
        'content-length': '30',
        vary: 'Accept-Encoding',
        connection: 'keep-alive',
        'keep-alive': expect.stringMatching(/^timeout=/),
      },
      body: Buffer.from('{"data":{"twin":{"id":"c1"}}}\n').toString('base64'),
    });
  });

  it('leaves a body over the limit to the Express path: 413 PAYLOAD_TOO_LARGE', async () => {
    const answer = await send(t.url, '/graphql', JSON_TYPE, query(`{ twin(id: "${'x'.repeat(5000)}") { id } }`));
    expect(answer.status).toBe(413);
    expect(Buffer.from(answer.body, 'base64').toString()).toContain('PAYLOAD_TOO_LARGE');
  });
});

describe('on a server that requires identities, the direct path', () => {
  const t = new TestApp({ env: { TWINGRAPH_AUTH: 'required' } });
  let key: string;
  beforeAll(async () => {
    await t.start();
    key = await createKey(t.store, { name: 'reader', role: 'reader' });
  });
  afterAll(() => t.close());

  it.each([
    ['no credentials', {}],
    ['an unknown key', { authorization: `Bearer tgk_${'A'.repeat(43)}` }],
    ['a malformed header', { authorization: 'Basic dXNlcjpwYXNz' }],
  ])('refuses %s as the Express path does, before reading the operation', async (_what, auth) => {
    const [direct, viaExpress] = await bothPaths(t.url, { ...JSON_TYPE, ...auth }, '{"query": ');
    expect(direct.status).toBe(401);
    expect(direct).toEqual(viaExpress);
  });

  it('runs the operation of a known key', async () => {
    const [direct, viaExpress] = await bothPaths(
      t.url,
      { ...JSON_TYPE, authorization: `Bearer ${key}` },
      query('{ __typename }'),
    );
    expect(direct.status).toBe(200);
    expect(direct).toEqual(viaExpress);
  });
});

describe('which requests the direct path takes', () => {
  const handler = directPost({
    path: '/graphql',
    maxBodyBytes: 100,
    identify: () => OPEN_ACCESS,
    isRefusal: (_outcome): _outcome is never => false,
    run: () => undefined,
    cors: (_req, _res, next) => next(),
    compress: (_req, _res, next) => next(),
    compressThreshold: 1024,
    parseJson: (_req, _res, next) => next(),
    bodyError: () => undefined,
    log: pino({ level: 'silent' }),
  } satisfies DirectPostOptions);

  const takes = (method: string, url: string, headers: Record<string, string>): boolean => {
    const req = Object.assign(new http.IncomingMessage(null as never), { method, url, headers });
    const res = Object.assign(new http.ServerResponse(req), { end: () => res });
    return handler(req, res);
  };
  const json = { 'content-type': 'application/json', 'content-length': '20' };

  it('takes a JSON POST to the GraphQL path within the body limit', () => {
    expect(takes('POST', '/graphql', json)).toBe(true);
    expect(takes('POST', '/graphql', { ...json, 'content-type': 'application/json; charset=utf-8' })).toBe(true);
    expect(takes('POST', '/graphql', { ...json, origin: 'https://app.example' })).toBe(true);
  });

  it.each([
    ['a GET', 'GET', '/graphql', json],
    ['another path', 'POST', '/graphql/', json],
    ['a query string', 'POST', '/graphql?query=x', json],
    ['another type', 'POST', '/graphql', { ...json, 'content-type': 'text/plain' }],
    ['another charset', 'POST', '/graphql', { ...json, 'content-type': 'application/json; charset=latin1' }],
    ['a compressed body', 'POST', '/graphql', { ...json, 'content-encoding': 'gzip' }],
    ['a chunked body', 'POST', '/graphql', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }],
    ['a body over the limit', 'POST', '/graphql', { ...json, 'content-length': '101' }],
  ])('leaves %s to Express', (_what, method, url, headers) => {
    expect(takes(method, url, headers)).toBe(false);
  });
});
