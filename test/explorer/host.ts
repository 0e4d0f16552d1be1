/**
 * The Explorer as a browser meets it, for its end-to-end tests and its benchmark: the bundle built (once per
 * change of its sources, whichever jest worker gets there first), and the seeded demo served by a TestApp.
 * The app serves /explorer itself once src/api/http.ts mounts explorerRouter; until then (or for a server
 * that does not), the same router runs on a second local server with compression, and the page is pointed at
 * the app with ?endpoint=, the app allowing that origin (TWINGRAPH_CORS_ORIGINS), as any other origin would be.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import compression from 'compression';
import express from 'express';
import { EXPLORER_DIST, EXPLORER_PATH, explorerRouter } from '../../src/api/explorer';
import { TestApp } from '../support/api-harness';
import { demoDatabase } from '../support/demo-db';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCES = [path.join(ROOT, 'explorer', 'src'), path.join(ROOT, 'explorer', 'index.html')];
const LOCK = path.join(os.tmpdir(), 'twingraph-explorer-build.lock');

function newestMtime(file: string): number {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(file).map((f) => newestMtime(path.join(file, f))));
}

/** Whether explorer/dist holds a build at least as new as every source file. */
export function bundleIsFresh(): boolean {
  const index = path.join(EXPLORER_DIST, 'index.html');
  if (!fs.existsSync(index)) return false;
  const built = fs.statSync(index).mtimeMs;
  return (
    SOURCES.every((s) => newestMtime(s) <= built) && newestMtime(path.join(ROOT, 'explorer', 'vite.config.ts')) <= built
  );
}

/** Builds the bundle unless it is fresh; jest workers take turns through a lock directory. */
export async function ensureBundle(): Promise<void> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (bundleIsFresh()) return;
    try {
      fs.mkdirSync(LOCK);
    } catch {
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another worker to build the Explorer');
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!bundleIsFresh())
        execFileSync(
          process.execPath,
          [
            path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
            'build',
            '--config',
            'explorer/vite.config.ts',
            '--logLevel',
            'warn',
          ],
          {
            cwd: ROOT,
            stdio: 'inherit',
          },
        );
    } finally {
      fs.rmSync(LOCK, { recursive: true, force: true });
    }
    return;
  }
}

export interface ExplorerHost {
  readonly app: TestApp;
  /** The Explorer's page, ready to open. */
  readonly url: string;
  /** Whether the API app serves /explorer itself (src/api/http.ts mounts the router). */
  readonly servedByApp: boolean;
  close(): Promise<void>;
}

/** A side server with the Explorer router behind compression, as http.ts mounts it. */
export async function sideServer(): Promise<{ origin: string; close: () => Promise<void> }> {
  const side = express();
  side.use(compression({ threshold: 1024 }));
  side.use(EXPLORER_PATH, explorerRouter());
  const server = http.createServer(side);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ExplorerHostOptions {
  /**
   * What the app starts with: `demo`, a fresh copy of the seeded demo (the default); `models`, the demo's models
   * and no twins; `empty`, no models at all (for a test that uploads its own).
   */
  readonly data?: 'demo' | 'models' | 'empty';
  /** More environment variables for the app (TWINGRAPH_AUTH, ADT_ENDPOINT…). */
  readonly env?: Record<string, string>;
}

/** The Twingraph app with the Explorer (the seeded demo unless told otherwise), the bundle built if need be. */
export async function startExplorerHost(options: ExplorerHostOptions = {}): Promise<ExplorerHost> {
  await ensureBundle();
  const side = await sideServer();
  const data = options.data ?? 'demo';
  const db = data === 'demo' ? await demoDatabase() : undefined;
  let app: TestApp;
  try {
    app = await new TestApp({
      models: data === 'empty' ? 'none' : 'demo',
      env: { ...(db && { TWINGRAPH_DB: db }), TWINGRAPH_CORS_ORIGINS: side.origin, ...options.env },
    }).start();
  } catch (error) {
    await side.close();
    if (db) fs.rmSync(path.dirname(db), { recursive: true, force: true });
    throw error;
  }
  const servedByApp = (await fetch(`${app.origin}${EXPLORER_PATH}/`)).status === 200;
  if (servedByApp) await side.close();
  return {
    app,
    url: servedByApp
      ? `${app.origin}${EXPLORER_PATH}/`
      : `${side.origin}${EXPLORER_PATH}/?endpoint=${encodeURIComponent(app.url)}`,
    servedByApp,
    close: async () => {
      if (!servedByApp) await side.close();
      await app.close();
      if (db) fs.rmSync(path.dirname(db), { recursive: true, force: true });
    },
  };
}
