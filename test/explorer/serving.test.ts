/**
 * /explorer as the server serves it: the page revalidated on each visit and compressed, hashed assets cached for
 * a year and compressed, /explorer sent on to /explorer/, an unknown asset a 404, and, without a built bundle,
 * a 503 page that says how to build it. Needs no browser.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import compression from 'compression';
import express from 'express';
import { EXPLORER_DIST, EXPLORER_PATH, explorerRouter } from '../../src/api/explorer';
import { useTestApp } from '../support/api-harness';
import { ensureBundle, sideServer } from './host';

/** A GET without fetch's transparent decompression: the headers as sent. */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }),
        );
      })
      .on('error', reject);
  });
}

/** What /explorer answers, wherever it is mounted behind the API's compression. */
function servesTheExplorer(origin: () => string): void {
  beforeAll(() => ensureBundle(), 240_000);

  it('serves the page compressed and revalidated, and its hashed assets compressed and cached for a year', async () => {
    const page = await get(`${origin()}${EXPLORER_PATH}/`, { 'accept-encoding': 'gzip, br' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const html = fs.readFileSync(path.join(EXPLORER_DIST, 'index.html'), 'utf8');
    const script = /src="(\/explorer\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await get(`${origin()}${script}`, { 'accept-encoding': 'gzip, br' });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-encoding']).toMatch(/^(gzip|br)$/);
    expect(asset.headers['cache-control']).toMatch(/max-age=31536000/);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect(asset.body.length).toBeLessThan(
      fs.statSync(path.join(EXPLORER_DIST, script.slice(EXPLORER_PATH.length))).size,
    );
  });

  it('sends /explorer on to /explorer/ and answers an unknown asset with a 404', async () => {
    const bare = await get(`${origin()}${EXPLORER_PATH}?endpoint=x`);
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe(`${EXPLORER_PATH}/?endpoint=x`);
    expect((await get(`${origin()}${EXPLORER_PATH}/assets/nothing-here.js`)).status).toBe(404);
  });
}

describe('/explorer on the API server (src/api/http.ts mounts explorerRouter)', () => {
  const t = useTestApp();
  servesTheExplorer(() => t.origin);
});

describe('/explorer behind compression, as http.ts mounts it', () => {
  let side: Awaited<ReturnType<typeof sideServer>>;
  beforeAll(async () => {
    side = await sideServer();
  });
  afterAll(() => side.close());
  servesTheExplorer(() => side.origin);
});

describe('/explorer without a built bundle', () => {
  let server: http.Server;
  let origin: string;
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-explorer-empty-'));
  beforeAll(async () => {
    const app = express();
    app.use(compression({ threshold: 1024 }));
    app.use(EXPLORER_PATH, explorerRouter({ dist: empty }));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('answers 503 with a page that says how to build it', async () => {
    const page = await get(`${origin}${EXPLORER_PATH}/`);
    expect(page.status).toBe(503);
    expect(page.body).toContain('npm run build:explorer');
  });
});
