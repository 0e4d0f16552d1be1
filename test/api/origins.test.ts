/**
 * Browsers on other origins: those listed in TWINGRAPH_CORS_ORIGINS may call the API over HTTP (CORS, with
 * credentials and an Authorization header) and WebSocket; any other origin gets no CORS header and has its
 * WebSocket upgrade refused. Clients that send no Origin (servers, scripts) are not concerned, and neither is a
 * page served by Twingraph itself (GraphiQL).
 */
import WebSocket from 'ws';
import { TestApp } from '../support/api-harness';

const ALLOWED = 'http://localhost:5173';
const OTHER = 'https://evil.example';

describe('browser origins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_CORS_ORIGINS: `${ALLOWED}, https://app.example.com` } }).start();
  });
  afterAll(() => t?.close());

  const preflight = (origin: string): Promise<Response> =>
    fetch(t.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  const post = (origin: string): Promise<Response> =>
    fetch(t.url, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ models { id } }' }),
    });

  it("answers a listed origin's preflight with credentials, authorization and content-type allowed", async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type']),
    );
    expect(response.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it('lets a listed origin read the answer of a POST', async () => {
    const response = await post(ALLOWED);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('gives any other origin no CORS header, on the preflight or the request', async () => {
    const answer = await preflight(OTHER);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const response = await post(OTHER);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  /** Opens a graphql-ws socket with the given Origin; resolves 'open' or the HTTP status the upgrade got. */
  function upgrade(origin?: string): Promise<'open' | number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws', origin ? { origin } : {});
      socket.on('open', () => {
        socket.close();
        resolve('open');
      });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', (error) => (String(error).includes('Unexpected server response') ? undefined : reject(error)));
    });
  }

  it("opens WebSockets for a listed origin, the server's own, and clients that send no Origin", async () => {
    expect(await upgrade(ALLOWED)).toBe('open');
    expect(await upgrade(t.origin)).toBe('open');
    expect(await upgrade()).toBe('open');
  });

  it('refuses the WebSocket upgrade of any other origin (403), before any operation can run', async () => {
    expect(await upgrade(OTHER)).toBe(403);
    expect(await upgrade('http://localhost:5174')).toBe(403);
  });
});

describe('browser origins by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp().start();
  });
  afterAll(() => t?.close());

  it("allow none but the server's own", async () => {
    const response = await fetch(t.url, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const status = await new Promise<'open' | number>((resolve) => {
      const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws', { origin: ALLOWED });
      socket.on('open', () => {
        socket.close();
        resolve('open');
      });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(403);
  });
});
