/**
 * A start loads no Express (src/api/http.ts): operations POSTed as JSON are served without it, so that a cold
 * start to its first answer does not pay for loading Express, body-parser and compression. The first request
 * that needs one of them loads it then and is answered as it always was; an answer of 1 KB or more loads
 * compression (not Express), a body the direct path cannot parse loads express.json() (Express's) for its error.
 */
import { M, TestApp, twinInput } from '../support/api-harness';

/**
 * The packages loaded so far, by name: jest calls each factory below on the first require of its package,
 * which may come while this file's imports run (before its own constants exist), hence a global.
 */
function mockLoaded(): Set<string> {
  const global = globalThis as { lazyExpressLoaded?: Set<string> };
  return (global.lazyExpressLoaded ??= new Set());
}
jest.mock('express', () => {
  mockLoaded().add('express');
  return jest.requireActual('express');
});
jest.mock('body-parser', () => {
  mockLoaded().add('body-parser');
  return jest.requireActual('body-parser');
});
jest.mock('compression', () => {
  mockLoaded().add('compression');
  return jest.requireActual('compression');
});

/** A JSON error answer. */
interface ErrorBody {
  readonly errors: { message: string; extensions: { code: string } }[];
}

const post = (url: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('a server loads Express only when a request needs it', () => {
  const t = new TestApp();
  beforeAll(async () => {
    await t.start();
    await t.store.createTwins([
      { id: 'c1', twin: twinInput(M.client, { name: 'Acme Bank', industry: 'banking' }) },
      { id: 'big', twin: twinInput(M.client, { name: 'x'.repeat(3000), industry: 'banking' }) },
    ]);
  });
  afterAll(() => t.close());

  it('starts and answers operations POSTed as JSON without loading Express, body-parser or compression', async () => {
    const response = await post(t.url, JSON.stringify({ query: '{ twin(id: "c1") { id } }' }));
    expect(await response.text()).toBe('{"data":{"twin":{"id":"c1"}}}\n');
    expect(mockLoaded()).toEqual(new Set());
  });

  it('loads compression, and only it, for the first answer large enough to compress', async () => {
    const response = await post(t.url, JSON.stringify({ query: '{ twin(id: "big") { json } }' }), {
      'accept-encoding': 'gzip',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(await response.text()).data.twin.json.name).toBe('x'.repeat(3000));
    expect(mockLoaded()).toEqual(new Set(['compression']));
  });

  it("loads Express for express.json()'s words on a body the direct path cannot parse", async () => {
    const response = await post(t.url, '{"query": ');
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).errors[0]).toEqual({
      message: expect.stringMatching(/^The request body is not valid JSON: /),
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(mockLoaded()).toEqual(new Set(['compression', 'express', 'body-parser']));
  });

  it('answers the first request through Express as it always did', async () => {
    const response = await fetch(`${t.origin}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe('{"status":"ok"}');
  });

  it('serves GET operations, the JSON 404 and gzip through the same app afterwards', async () => {
    const query = encodeURIComponent('{ twin(id: "c1") { id } }');
    const get = await fetch(`${t.url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await get.json()).toEqual({ data: { twin: { id: 'c1' } } });
    const missing = await fetch(`${t.origin}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorBody).errors[0].extensions.code).toBe('NOT_FOUND');
    const sdl = await fetch(`${t.url}/schema.graphql`, { headers: { 'accept-encoding': 'gzip' } });
    expect(sdl.headers.get('content-encoding')).toBe('gzip');
    expect(await sdl.text()).toContain('type Query');
  });
});
