/**
 * A real browser (headless Chromium, driven by playwright-core) on a page of another origin, calling a
 * server that requires identities: from a listed origin (TWINGRAPH_CORS_ORIGINS) the page can query over
 * HTTP with an Authorization header (a CORS preflight) and open a graphql-ws connection; from an unlisted
 * origin the browser keeps the HTTP answer from the page and the WebSocket upgrade is refused.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { TestApp } from '../support/api-harness';
import { createKey } from '../support/auth';
import { describeWhen } from '../support/shared';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A page server: any path answers an empty HTML page, so that the page's origin is this server's. */
async function pageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describeWhen(
  fs.existsSync(CHROMIUM),
  'a browser on another origin',
  `${CHROMIUM} is not installed (apt-get install chromium)`,
  () => {
    let t: TestApp;
    let browser: Browser;
    let allowed: Awaited<ReturnType<typeof pageServer>>;
    let other: Awaited<ReturnType<typeof pageServer>>;
    let key: string;
    beforeAll(async () => {
      [allowed, other] = await Promise.all([pageServer(), pageServer()]);
      t = await new TestApp({ env: { TWINGRAPH_AUTH: 'required', TWINGRAPH_CORS_ORIGINS: allowed.origin } }).start();
      key = await createKey(t.store, { name: 'spa', role: 'reader' });
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
      await Promise.all([allowed?.close(), other?.close()]);
    });

    /** On a page of `origin`: a POST with an Authorization header, and a graphql-ws connection_init. */
    const fromPage = async (origin: string) => {
      const page = await browser.newPage();
      try {
        await page.goto(`${origin}/`);
        return await page.evaluate(
          async ({ url, wsUrl, authorization }) => {
            let http: unknown;
            try {
              const response = await fetch(url, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization },
                body: JSON.stringify({ query: '{ models { id } }' }),
              });
              const body = (await response.json()) as { data?: { models?: unknown[] } };
              http = { status: response.status, models: body.data?.models?.length ?? 0 };
            } catch (error) {
              http = { blocked: String(error) };
            }
            const ws = await new Promise((resolve) => {
              const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
              socket.onopen = () =>
                socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } }));
              socket.onmessage = (event) => {
                resolve({ message: JSON.parse(event.data).type });
                socket.close();
              };
              socket.onerror = () => resolve({ refused: true });
            });
            return { http, ws };
          },
          { url: t.url, wsUrl: t.wsUrl, authorization: `Bearer ${key}` },
        );
      } finally {
        await page.close();
      }
    };

    it('lets a listed origin query over HTTP with an Authorization header, and connect over WebSocket', async () => {
      expect(await fromPage(allowed.origin)).toEqual({
        http: { status: 200, models: 8 },
        ws: { message: 'connection_ack' },
      });
    });

    it('keeps the answer from an unlisted origin, and refuses its WebSocket', async () => {
      const result = await fromPage(other.origin);
      expect(result).toEqual({ http: { blocked: expect.stringContaining('Failed to fetch') }, ws: { refused: true } });
    });
  },
);
