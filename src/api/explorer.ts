/**
 * The Twingraph Explorer (explorer/, built by `npm run build:explorer` into explorer/dist) served at /explorer
 * by the API's own Express app, so that a browser needs nothing but the server: no CDN, no second port. The
 * bundle holds no data (the Explorer reads everything over GraphQL with the caller's own credentials), so it
 * is served without authentication. Hashed assets are cached for a year; index.html is revalidated on every
 * visit, so that a new build is picked up at once. A server whose bundle was not built says so (503) rather
 * than failing with a bare 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';

export const EXPLORER_PATH = '/explorer';

/** explorer/dist of the package: the same from src/api (tsx, jest) and from dist/api (compiled). */
export const EXPLORER_DIST = path.resolve(__dirname, '..', '..', 'explorer', 'dist');

/**
 * What the page may do: scripts and styles from this server only (CodeMirror adds style elements, hence
 * 'unsafe-inline' for styles), the layout worker from a blob URL, and GraphQL over HTTP and WebSocket to
 * this server or, with `?endpoint=`, another Twingraph that allows this origin.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' http: https: ws: wss:",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function notBuilt(res: Response, dist: string): void {
  res
    .status(503)
    .set('cache-control', 'no-store')
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Twingraph Explorer not built</title></head>` +
        `<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">` +
        `<h1>The Twingraph Explorer has not been built</h1>` +
        `<p>This server has no Explorer bundle at <code>${escapeHtml(dist)}</code>. Build it with ` +
        `<code>npm run build:explorer</code> (<code>npm start</code> does so), then reload this page.</p>` +
        `<p>GraphQL is served at <a href="/graphql">/graphql</a> meanwhile.</p></body></html>`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The router to mount at EXPLORER_PATH (`app.use(EXPLORER_PATH, explorerRouter())`), after compression. */
export function explorerRouter(options: { dist?: string } = {}): Router {
  const dist = options.dist ?? EXPLORER_DIST;
  const router = express.Router();
  // Vite names every asset by its content hash: a changed file is a new URL, so the old one never goes stale.
  router.use(
    '/assets',
    express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '1y', index: false, fallthrough: true }),
    (_req: Request, res: Response) => {
      // An asset that is not there (an old page asking for a file a rebuild replaced): a plain 404, not the page.
      res.status(404).set('cache-control', 'no-store').type('text').send('No such Explorer asset.');
    },
  );
  router.get('/{*rest}', async (req: Request, res: Response) => {
    // The page's assets are referenced from /explorer/: a visit to /explorer goes to /explorer/ first.
    if (req.originalUrl.split('?')[0] === req.baseUrl) {
      const query = req.originalUrl.slice(req.baseUrl.length);
      res.redirect(301, `${req.baseUrl}/${query}`);
      return;
    }
    let page: string;
    try {
      page = await fs.promises.readFile(path.join(dist, 'index.html'), 'utf8');
    } catch {
      notBuilt(res, dist);
      return;
    }
    res
      .set('cache-control', 'no-cache')
      .set('content-security-policy', CSP)
      .set('x-content-type-options', 'nosniff')
      .set('referrer-policy', 'no-referrer')
      .type('html')
      .send(page);
  });
  return router;
}
