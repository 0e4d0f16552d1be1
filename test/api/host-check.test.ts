/**
 * DNS rebinding (src/api/host-check.ts): a server without authentication answers only requests whose Host is
 * localhost, a name under .localhost, an IP address, or a name listed in TWINGRAPH_ALLOWED_HOSTS; a page whose
 * own name was re-resolved to the server's address still sends its own name as the Host, and is refused with
 * HOST_NOT_ALLOWED on every door: HTTP, WebSocket and Server-Sent Events. With authentication required any
 * Host is answered (a rebinding page has no credentials to send).
 */
import http from 'node:http';
import WebSocket from 'ws';
import { hostAllowed, hostNameOf } from '../../src/api/host-check';
import { TestApp } from '../support/api-harness';

describe('which Host headers a server without authentication answers', () => {
  it.each([
    ['localhost:4000', []],
    ['LOCALHOST', []],
    ['app.localhost:4000', []],
    ['127.0.0.1:4000', []],
    ['10.1.2.3', []],
    ['[::1]:4000', []],
    ['twins.example.com', ['twins.example.com']],
    ['twins.example.com.:443', ['twins.example.com']],
    ['anything.example', ['*']],
  ])('answers %s (allowed: %j)', (host, allowed) => {
    expect(hostAllowed(host, allowed)).toBe(true);
  });

  it.each([
    ['evil.example:4000', []],
    ['localhost.evil.example', []],
    ['127.0.0.1.nip.io', []],
    ['twins.example.com', ['other.example.com']],
    ['', []],
    [undefined, []],
    ['a:b:c', []],
    ['[::1', []],
  ])('refuses %j (allowed: %j)', (host, allowed) => {
    expect(hostAllowed(host, allowed)).toBe(false);
  });

  it('reads the host name out of a Host header, without its port', () => {
    expect(hostNameOf('Example.COM:8080')).toBe('example.com');
    expect(hostNameOf('[::1]:80')).toBe('::1');
    expect(hostNameOf('a:b:c')).toBeUndefined();
  });
});

/** A raw HTTP request, so that the Host header is the one given (fetch sets its own). */
function request(
  url: string,
  host: string,
  { method = 'POST', path, body }: { method?: string; path?: string; body?: string } = {},
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: path ?? target.pathname,
        method,
        headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body ?? JSON.stringify({ query: '{ models { id } }' }));
  });
}

/** Whether a WebSocket upgrade sent with this Host is accepted. */
function upgrade(url: string, host: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: { host } });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    socket.on('error', () => undefined);
  });
}

describe('a loopback server without authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_ALLOWED_HOSTS: 'twins.example.com' } }).start();
  });
  afterAll(() => t?.close());

  it('answers its own address, localhost and the listed names', async () => {
    const port = new URL(t.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `twins.example.com:${port}`])
      expect((await request(t.url, host)).status).toBe(200);
  });

  it('refuses a rebinding page over HTTP with HOST_NOT_ALLOWED, before any GraphQL runs', async () => {
    const answer = await request(t.url, 'evil.example:4000', {
      body: JSON.stringify({ query: 'mutation { deleteTwin(id: "x") }' }),
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('HOST_NOT_ALLOWED');
    expect(JSON.parse(answer.body).errors[0].message).toMatch(/TWINGRAPH_ALLOWED_HOSTS/);
  });

  it('refuses it over WebSocket and Server-Sent Events too', async () => {
    expect(await upgrade(t.url, 'evil.example')).toBe(403);
    expect(await upgrade(t.url, `localhost:${new URL(t.url).port}`)).toBe('open');
    const sse = await request(t.url, 'evil.example', {
      path: `${new URL(t.url).pathname}/stream`,
      body: JSON.stringify({ query: 'subscription { twinChanged { type } }' }),
    });
    expect(sse.status).toBe(403);
    expect(JSON.parse(sse.body).errors[0].extensions.code).toBe('HOST_NOT_ALLOWED');
  });
});

describe('a server with authentication required', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp({ env: { TWINGRAPH_AUTH: 'required' } }).start();
  });
  afterAll(() => t?.close());

  it('answers any Host: a caller without credentials is refused for those instead', async () => {
    const answer = await request(t.url, 'twins.example.net');
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
