/**
 * The commit bus's health (CommitBus.health(), what /readyz reads for the bus): connected while NATS is up,
 * disconnected — and since when — once the server goes away, connected again when it is back (the client
 * reconnects by itself), and disconnected for good once closed. A bus whose NATS is not there at first is
 * handed over unconnected and connects once NATS is up, and a replica starts without it (polling the log),
 * /readyz saying degraded until it connects.
 */
import type { ChildProcess } from 'node:child_process';
import { connectNatsBus } from '../../src/events/nats-bus';
import { TestApp, waitUntil } from '../support/api-harness';
import { describeWhen } from '../support/shared';
import { freePort, NATS_SERVER, spawnNats } from './processes';

async function readyzOf(origin: string): Promise<{ status: number; body: { status: string; bus?: unknown } }> {
  const response = await fetch(`${origin}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; bus?: unknown } };
}

async function untilReadyz(origin: string, status: number, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await readyzOf(origin)).status !== status) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

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
      const readyz = () => readyzOf(t.origin);
      const untilStatus = (status: number, what: string) => untilReadyz(t.origin, status, what);
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

    it('starts unconnected when NATS is not there, keeps trying, and carries seqs once NATS is up', async () => {
      const port = await freePort();
      const errors: unknown[] = [];
      const bus = await connectNatsBus(`nats://127.0.0.1:${port}`, { onError: (error) => errors.push(error) });
      try {
        expect(bus.health()).toMatchObject({ connected: false, lastError: expect.any(String) });
        expect(bus.health().disconnectedSince).toBeLessThanOrEqual(Date.now());
        // Said once, with what it does about it, not once a retry.
        expect(errors).toHaveLength(1);
        expect(String((errors[0] as Error).message)).toMatch(/cannot connect to the NATS commit bus .*trying again/);
        const heard: number[] = [];
        bus.subscribe((seq) => heard.push(seq));
        bus.publish(1); // nowhere to go yet: dropped (the other replicas' polls find it)
        await new Promise((resolve) => setTimeout(resolve, 2500));
        expect(errors).toHaveLength(1);

        await startNats(port);
        await waitUntil(() => bus.health().connected, 'the bus connects once NATS is up', 15_000);
        expect(bus.health()).toEqual({ connected: true });
        bus.publish(42);
        await waitUntil(() => heard.includes(42), 'the bus carries a seq', 5_000);
        expect(heard).toEqual([42]);
      } finally {
        await bus.close();
      }
      expect(bus.health().connected).toBe(false);
    });

    it('stops trying once closed before it ever connected', async () => {
      const port = await freePort();
      const bus = await connectNatsBus(`nats://127.0.0.1:${port}`);
      await bus.close();
      await startNats(port);
      // Longer than a retry: a bus that went on dialling would be connected by now.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(bus.health().connected).toBe(false);
    });

    it('lets a replica start while NATS is down, degraded on /readyz until its bus connects', async () => {
      const port = await freePort();
      const t = await new TestApp({ env: { TWINGRAPH_NATS_URL: `nats://127.0.0.1:${port}` } }).start();
      try {
        // It serves, writes included (the log is polled meanwhile), and says why it is not ready once the grace
        // period is over.
        await t.ok(
          'mutation { createTwin(id: "depot", modelId: "dtmi:twingraph:demo:Asset;1", properties: { name: "Depot", assetType: "warehouse" }) { id } }',
        );
        expect((await t.ok('{ twin(id: "depot") { id } }')).twin).toEqual({ id: 'depot' });
        await untilReadyz(t.origin, 503, '/readyz reports the missing bus');
        expect((await readyzOf(t.origin)).body).toMatchObject({ status: 'degraded', bus: { connected: false } });
        await startNats(port);
        await untilReadyz(t.origin, 200, '/readyz reports the bus connected');
        expect((await readyzOf(t.origin)).body).toMatchObject({ status: 'ready', bus: { connected: true } });
      } finally {
        await t.close();
      }
    });
  },
);
