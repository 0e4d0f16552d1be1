/**
 * Answers of 1 KB or more are compressed when the client accepts it, and smaller ones are not, on both ways a
 * GraphQL request is served: the direct JSON POST (src/api/direct-post.ts, which calls the compression
 * middleware itself, and only for answers at or over the threshold) and the Express app (src/api/http.ts,
 * src/api/express-app.ts), reached here with a GET operation and with a POST to `/graphql/`. The two decide
 * separately whether an answer is big enough, so each rule is checked on each path: gzip for a client that
 * accepts only gzip, brotli for one that accepts brotli (also beside gzip, unless its q-values say otherwise),
 * the identity for one that accepts nothing, and `Vary: Accept-Encoding` on every answer, compressed or not,
 * so that no cache hands a compressed answer to a client that cannot read it. A compressed answer must be the
 * identity answer's bytes, exactly, once decompressed.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { M, TestApp, twinInput } from '../support/api-harness';

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The bytes as sent, not decompressed. */
  readonly body: Buffer;
}

/** One raw HTTP request: fetch would decompress, and sends an Accept-Encoding of its own. */
function send(url: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const { hostname, port } = new URL(url);
  return new Promise<Answer>((resolve, reject) => {
    const request = http.request({ host: hostname, port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('error', reject);
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** One of the ways a GraphQL operation reaches the server. */
interface Path {
  readonly name: string;
  ask(url: string, query: string, headers: Record<string, string>): Promise<Answer>;
}

const PATHS: readonly Path[] = [
  {
    name: 'a JSON POST to /graphql (the direct path)',
    ask: (url, query, headers) => {
      const body = JSON.stringify({ query });
      return send(url, 'POST', '/graphql', { ...headers, 'content-type': 'application/json' }, body);
    },
  },
  {
    name: 'a GET /graphql?query= (Express)',
    // Apollo refuses a GET without a header a browser's simple request cannot send (CSRF prevention).
    ask: (url, query, headers) =>
      send(url, 'GET', `/graphql?query=${encodeURIComponent(query)}`, { ...headers, 'apollo-require-preflight': '1' }),
  },
  {
    name: 'a JSON POST to /graphql/ (Express)',
    ask: (url, query, headers) => {
      const body = JSON.stringify({ query });
      return send(url, 'POST', '/graphql/', { ...headers, 'content-type': 'application/json' }, body);
    },
  },
];

const THRESHOLD = 1024;
const BIG = '{ twin(id: "big") { json } }';
const SMALL = '{ twin(id: "small") { id } }';
const nameOf = (id: string) => `{ twin(id: "${id}") { ... on Client { name } } }`;

function decompress(answer: Answer): Buffer {
  const encoding = answer.headers['content-encoding'];
  if (encoding === 'gzip') return zlib.gunzipSync(answer.body);
  if (encoding === 'br') return zlib.brotliDecompressSync(answer.body);
  throw new Error(`not a gzip or br answer: content-encoding ${String(encoding)}`);
}

/** The Vary header's fields, lower-cased. */
const varies = (answer: Answer): string[] =>
  String(answer.headers.vary ?? '')
    .split(',')
    .map((field) => field.trim().toLowerCase())
    .filter(Boolean);

describe('compressing answers', () => {
  const t = new TestApp();
  /** The length of an answer to `nameOf(id)` beyond the name's own characters. */
  let nameAnswerOverhead: number;
  beforeAll(async () => {
    await t.start();
    await t.store.createTwins([
      { id: 'big', twin: twinInput(M.client, { name: 'x'.repeat(3000), industry: 'banking' }) },
      { id: 'small', twin: twinInput(M.client, { name: 'Small' }) },
      { id: 'probe', twin: twinInput(M.client, { name: 'probe' }) },
    ]);
    const probe = await PATHS[0].ask(t.url, nameOf('probe'), {});
    nameAnswerOverhead = probe.body.length - 'probe'.length;
    // Twins whose answers are exactly at the threshold and one byte under it (ASCII names: a byte a character).
    await t.store.createTwins([
      { id: 'at', twin: twinInput(M.client, { name: 'a'.repeat(THRESHOLD - nameAnswerOverhead) }) },
      { id: 'under', twin: twinInput(M.client, { name: 'u'.repeat(THRESHOLD - 1 - nameAnswerOverhead) }) },
    ]);
  });
  afterAll(() => t.close());

  describe.each(PATHS)('on $name', (path) => {
    /** The answer as a client that accepts no encoding gets it: the bytes every compressed one must decode to. */
    let identity: Answer;
    beforeAll(async () => {
      identity = await path.ask(t.url, BIG, {});
    });

    it('sends an answer over 1 KB as it is to a client that sends no Accept-Encoding, saying it varies by encoding', () => {
      expect(identity.status).toBe(200);
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(identity.body.length).toBeGreaterThan(THRESHOLD);
      expect(JSON.parse(identity.body.toString('utf8'))).toEqual({
        data: { twin: { json: expect.objectContaining({ $dtId: 'big', name: 'x'.repeat(3000) }) } },
      });
      expect(varies(identity)).toContain('accept-encoding');
    });

    it('sends it as it is to a client that accepts only the identity', async () => {
      const answer = await path.ask(t.url, BIG, { 'accept-encoding': 'identity' });
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.body.equals(identity.body)).toBe(true);
      expect(varies(answer)).toContain('accept-encoding');
    });

    it.each([
      ['gzip', 'gzip'],
      ['br', 'br'],
      ['gzip, br', 'br'],
      ['gzip, deflate, br', 'br'],
      ['br;q=0.5, gzip', 'gzip'],
      ['*', 'br'],
    ])(
      'compresses an answer over 1 KB for Accept-Encoding "%s" with %s, to exactly the bytes of the identity answer',
      async (accepted, encoding) => {
        const answer = await path.ask(t.url, BIG, { 'accept-encoding': accepted });
        expect(answer.status).toBe(200);
        expect(answer.headers['content-encoding']).toBe(encoding);
        expect(varies(answer)).toContain('accept-encoding');
        // The length of the compressed bytes is not known when the headers go: the middleware drops the
        // uncompressed content-length rather than send one that is wrong.
        expect(answer.headers['content-length']).toBeUndefined();
        expect(answer.body.length).toBeLessThan(identity.body.length);
        expect(decompress(answer).equals(identity.body)).toBe(true);
      },
    );

    it('sends an answer under 1 KB as it is even to a client that accepts gzip and br, saying it varies by encoding', async () => {
      const plain = await path.ask(t.url, SMALL, {});
      const answer = await path.ask(t.url, SMALL, { 'accept-encoding': 'gzip, br' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.body.toString('utf8')).toBe('{"data":{"twin":{"id":"small"}}}\n');
      expect(answer.body.equals(plain.body)).toBe(true);
      expect(answer.headers['content-length']).toBe(String(answer.body.length));
      expect(varies(answer)).toEqual(['accept-encoding']);
    });

    it('compresses an answer of exactly 1024 bytes, and not one of 1023', async () => {
      const at = await path.ask(t.url, nameOf('at'), { 'accept-encoding': 'gzip' });
      expect(at.headers['content-encoding']).toBe('gzip');
      expect(decompress(at).length).toBe(THRESHOLD);
      const under = await path.ask(t.url, nameOf('under'), { 'accept-encoding': 'gzip' });
      expect(under.headers['content-encoding']).toBeUndefined();
      expect(under.body.length).toBe(THRESHOLD - 1);
      expect(varies(under)).toEqual(['accept-encoding']);
    });

    it('sends an answer over 1 KB as it is to a client that accepts only encodings the server lacks', async () => {
      const answer = await path.ask(t.url, BIG, { 'accept-encoding': 'zstd, compress' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.body.equals(identity.body)).toBe(true);
    });
  });
});
