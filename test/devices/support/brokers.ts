/**
 * The brokers the device suites run against, behind one interface: a real Mosquitto (./mosquitto.ts, where
 * the binary is installed) and the live demo's embedded aedes broker, run in a child process
 * (./embedded-broker-child.ts). Both start on a free loopback port, stop, and start again on the same port.
 * The embedded broker keeps nothing across a restart and has no shared subscriptions, so suites that need
 * those run against Mosquitto only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { terminate } from '../../support/terminate';
import { Mosquitto, MOSQUITTO, NO_MOSQUITTO } from './mosquitto';

export interface TestBroker {
  readonly url: string;
  start(): Promise<this>;
  stop(): Promise<void>;
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

const CHILD = path.join(__dirname, 'embedded-broker-child.ts');

export class EmbeddedBrokerProcess implements TestBroker {
  port = 0;
  #child: ChildProcess | undefined;
  log = '';

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD], {
      env: { ...process.env, BROKER_PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`the embedded broker exited with ${code}: ${this.log}`)));
    });
    return this;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child) await terminate(child);
  }

  async restart(downMs = 300): Promise<void> {
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
  }

  close(): Promise<void> {
    return this.stop();
  }
}

export interface BrokerKind {
  readonly name: string;
  readonly available: boolean;
  readonly unavailable: string;
  create(): TestBroker;
  /** What the gateway needs to talk to it (the embedded broker refuses shared subscriptions). */
  readonly env: Readonly<Record<string, string>>;
  /** What the gateway's telemetry subscriptions start with on it. */
  readonly sharePrefix: string;
}

export const BROKERS: readonly BrokerKind[] = [
  {
    name: 'Mosquitto',
    available: MOSQUITTO !== undefined,
    unavailable: NO_MOSQUITTO,
    create: () => new Mosquitto(),
    env: {},
    sharePrefix: '$share/twingraph/',
  },
  {
    name: 'the embedded broker',
    available: true,
    unavailable: '',
    create: () => new EmbeddedBrokerProcess(),
    env: { TWINGRAPH_MQTT_SHARE_GROUP: 'none' },
    sharePrefix: '',
  },
];
