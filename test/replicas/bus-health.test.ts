/**
 * The commit bus's health (CommitBus.health(), what /readyz reads for the bus): connected while NATS is up,
 * disconnected — and since when — once the server goes away, connected again when it is back (the client
 * reconnects by itself), and disconnected for good once closed.
 */
import type { ChildProcess } from 'node:child_process';
import { connectNatsBus } from '../../src/events/nats-bus';
import { TestApp, waitUntil } from '../support/api-harness';
import { describeWhen } from '../support/shared';
import { freePort, NATS_SERVER, spawnNats } from './processes';

describeWhen(
  NATS_SERVER !== undefined,
  'the NATS commit bus reports its health',
  'nats-server is not installed (apt-get install nats-server)',
  () => {
    let nats: ChildProcess | undefined;
    afterEach(() => void nats?.kill());

    const startNats = async (port: number): Promise<void> => {
      nats = await spawnNats(port);
    };

    it('follows the server going away and coming back, and ends disconnected once closed', async () => {
      const port = await freePort();
      await startNats(port);
      const bus = await connectNatsBus(`nats://127.0.0.1:${port}`);
      try {
        expect(bus.health()).toEqual({ connected: true });

        const killedAt = Date.now();
        const exited = new Promise((resolve) => nats!.once('exit', resolve));
        nats!.kill();
        await exited;
        await waitUntil(() => !bus.health().connected, 'the bus reports the disconnect', 10_000);
        expect(bus.health().disconnectedSince).toBeGreaterThanOrEqual(killedAt);

        await startNats(port);
        await waitUntil(() => bus.health().connected, 'the bus reconnects', 15_000);
        expect(bus.health()).toEqual({ connected: true });
      } finally {
        await bus.close();
      }
      expect(bus.health().connected).toBe(false);
    });

    it('makes /readyz answer 503 once the bus has been gone a few seconds, and 200 again when it is back', async () => {
      const port = await freePort();
      await startNats(port);
      const t = await new TestApp({ env: { TWINGRAPH_NATS_URL: `nats://127.0.0.1:${port}` } }).start();
      const readyz = async () => {
        const response = await fetch(`${t.origin}/readyz`);
        return { status: response.status, body: (await response.json()) as { status: string; bus?: unknown } };
      };
      const untilStatus = async (status: number, what: string): Promise<void> => {
        const deadline = Date.now() + 20_000;
        while ((await readyz()).status !== status) {
          if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      };
      try {
        expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', bus: { connected: true } } });
        const exited = new Promise((resolve) => nats!.once('exit', resolve));
        nats!.kill();
        await exited;
        // A reconnect is no reason to flap: still ready at first, then not.
        await untilStatus(503, '/readyz reports the lost bus');
        expect((await readyz()).body).toMatchObject({ status: 'degraded', bus: { connected: false } });
        await startNats(port);
        await untilStatus(200, '/readyz recovers with the bus');
      } finally {
        await t.close();
      }
    });
  },
);
