/**
 * A start loads no Express (src/api/http.ts): operations POSTed as JSON are served without it, so that a cold
 * start to its first answer does not pay for loading Express, body-parser and compression. They are loaded half
 * a second after the first answer (or by the first request that needs them, if sooner), so that the first health
 * probe or GraphiQL page does not wait for them, and requests are answered as they always were.
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

describe('a server loads Express after its first answer', () => {
  const t = new TestApp();
  let answeredAt = 0;
  beforeAll(async () => {
    await t.start();
    await t.store.createTwins([
      { id: 'c1', twin: twinInput(M.client, { name: 'Acme Bank', industry: 'banking' }) },
      { id: 'big', twin: twinInput(M.client, { name: 'x'.repeat(3000), industry: 'banking' }) },
    ]);
  });
  afterAll(() => t.close());

  it('starts and answers an operation POSTed as JSON without loading Express, body-parser or compression', async () => {
    const response = await post(t.url, JSON.stringify({ query: '{ twin(id: "c1") { id } }' }));
    expect(await response.text()).toBe('{"data":{"twin":{"id":"c1"}}}\n');
    answeredAt = performance.now();
    expect(mockLoaded()).toEqual(new Set());
  });

  it('loads them soon after that answer, with no request needing them', async () => {
    // Half a second after the answer closed on the server; not timed here, as a busy machine delays the client.
    while (!mockLoaded().has('express') && performance.now() - answeredAt < 10_000)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(mockLoaded()).toEqual(new Set(['express', 'body-parser', 'compression']));
  });

  it('answers requests through Express as it always did', async () => {
    const health = await fetch(`${t.origin}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await health.text()).toBe('{"status":"ok"}');
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

  it('compresses large direct answers with the same middleware', async () => {
    const response = await post(t.url, JSON.stringify({ query: '{ twin(id: "big") { json } }' }), {
      'accept-encoding': 'gzip',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(((await response.json()) as { data: { twin: { json: { name: string } } } }).data.twin.json.name).toBe(
      'x'.repeat(3000),
    );
  });
});
