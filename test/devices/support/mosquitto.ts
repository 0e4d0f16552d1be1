/**
 * A real Mosquitto broker for the device suites: started from Debian's `mosquitto` binary on a free loopback
 * port with a temporary configuration (persistence on, so that a restart keeps sessions and queued QoS 1
 * messages, as a production broker would), stopped and started again on the same port by the reconnect
 * specifications. Where the binary is absent, the suites are reported as skipped with the reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { terminate } from '../../support/terminate';

function findMosquitto(): string | undefined {
  for (const candidate of [process.env.MOSQUITTO_BIN, '/usr/sbin/mosquitto', '/usr/bin/mosquitto']) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  const which = spawnSync('which', ['mosquitto'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

export const MOSQUITTO = findMosquitto();
export const NO_MOSQUITTO = 'the mosquitto binary is not installed (apt-get install mosquitto, or set MOSQUITTO_BIN)';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class Mosquitto {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-mosquitto-'));
  port = 0;
  #process: ChildProcess | undefined;
  log = '';

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (!MOSQUITTO) throw new Error(NO_MOSQUITTO);
    if (this.port === 0) this.port = await freePort();
    const config = path.join(this.dir, 'mosquitto.conf');
    fs.writeFileSync(
      config,
      [
        `listener ${this.port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence true',
        `persistence_location ${this.dir}/`,
        'autosave_interval 1',
        'max_queued_messages 1000000',
        'max_inflight_messages 0',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        '',
      ].join('\n'),
    );
    const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.#process = child;
    const deadline = Date.now() + 10_000;
    while (!(await accepting(this.port))) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}: ${this.log}`);
      if (Date.now() > deadline) {
        // A caller whose start failed may hold no broker to close: the process must not outlive the test.
        child.kill('SIGKILL');
        throw new Error(`mosquitto did not listen on ${this.port}: ${this.log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this;
  }

  /** Stops the broker (SIGTERM: it saves its persistence file) and waits until it has exited. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child) await terminate(child);
  }

  async restart(downMs = 300): Promise<void> {
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
  }

  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
