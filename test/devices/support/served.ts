/**
 * `twingraph start` in a child process (test/support/serve-child.ts, through tsx), as `npm start` runs it:
 * configured by the environment a test passes, its JSON log lines kept, reached over GraphQL (HTTP and
 * graphql-ws), and stopped with SIGTERM. The live demo's broker is aedes, an ES module that jest cannot load,
 * so the live demo is only ever tested this way, which is also how it runs.
 *
 * The child inherits NODE_ENV=test from jest: Apollo Server then leaves SIGTERM to the app (outside tests it
 * installs its own handler, which re-sends the signal once Apollo has stopped; see the devices report).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { readCatalogue, scaled } from '../../../src/demo/catalogue';
import { killIfRunning, terminate } from '../../support/terminate';

const ROOT = path.join(__dirname, '..', '..', '..');
const CHILD = path.join(ROOT, 'test', 'support', 'serve-child.ts');

export interface LogLine {
  readonly msg?: string;
  readonly [key: string]: unknown;
}

/** A small demo firm (tens of devices, two days of history) in `dir`/seeds, for TWINGRAPH_SEEDS_DIR. */
export function writeSmallFirm(dir: string): string {
  const seeds = path.join(dir, 'seeds');
  fs.mkdirSync(seeds, { recursive: true });
  const catalogue = { ...scaled(readCatalogue(path.join(ROOT, 'seeds', 'firm.json')), 0.02), telemetryDays: 2 };
  fs.writeFileSync(path.join(seeds, 'firm.json'), JSON.stringify(catalogue));
  return seeds;
}

export class ServedApp {
  readonly lines: LogLine[] = [];
  stderr = '';
  url = '';
  readonly #clients: Client[] = [];
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts `twingraph start` and resolves once it serves GraphQL. */
  static async start(env: Record<string, string>, timeoutMs = 120_000): Promise<ServedApp> {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('TWINGRAPH_') && !k.startsWith('NEO4J_')),
    );
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD], {
      env: { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const served = new ServedApp(child);
    child.stderr!.on('data', (chunk: Buffer) => (served.stderr += chunk.toString()));
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          served.lines.push(JSON.parse(line) as LogLine);
        } catch {
          // progress bars and other text
        }
      }
    });
    try {
      await Promise.race([
        served.waitForLog(
          (l) => typeof l.url === 'string' && String(l.msg).startsWith('Twingraph is serving'),
          timeoutMs,
        ),
        served.exited.then((code) => {
          throw new Error(`twingraph start exited with ${code} before serving: ${served.stderr}`);
        }),
      ]);
    } catch (error) {
      // The caller never gets this process to stop: one that did not serve in time must not outlive the test.
      killIfRunning(child);
      throw error;
    }
    served.url = served.lines.find((l) => String(l.msg).startsWith('Twingraph is serving'))!.url as string;
    return served;
  }

  /** Resolves with the first log line (already written or to come) that `matches`. */
  async waitForLog(matches: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(matches);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for a log line; got: ${this.messages().join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  messages(): string[] {
    return this.lines.map((l) => String(l.msg));
  }

  async gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const result = (await response.json()) as { data?: T; errors?: unknown[] };
    if (result.errors?.length || !result.data) throw new Error(JSON.stringify(result.errors, null, 2));
    return result.data;
  }

  /** Subscribes over graphql-ws; the events land in the returned list. */
  subscribe(query: string): Record<string, any>[] {
    const client = createClient({ url: this.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    this.#clients.push(client);
    const events: Record<string, any>[] = [];
    client.subscribe(
      { query },
      {
        next: (value) => void events.push(value.data as Record<string, any>),
        error: (error) => void events.push({ error }),
        complete: () => undefined,
      },
    );
    return events;
  }

  /** SIGTERM, as a process manager stops it (SIGKILL if it hangs); resolves with the exit code. */
  async stop(): Promise<number | null> {
    await Promise.all(this.#clients.map((c) => c.dispose()));
    await terminate(this.child);
    return this.exited;
  }
}
