/**
 * The live demo's embedded broker (src/devices/embedded-broker.ts) in a process of its own, for the device
 * suites: aedes is an ES module, which jest's module loader cannot require, while Node (here, through tsx)
 * can. Prints {"url","port"} once it listens; SIGTERM closes it.
 *
 *   BROKER_PORT=0 node --require tsx/cjs test/devices/support/embedded-broker-child.ts
 */
import pino from 'pino';
import { startEmbeddedBroker } from '../../../src/devices/embedded-broker';

void (async () => {
  const broker = await startEmbeddedBroker({
    port: Number(process.env.BROKER_PORT ?? 0),
    log: pino({ level: 'silent' }),
  });
  process.once('SIGTERM', () => void broker.close().then(() => process.exit(0)));
  process.stdout.write(`${JSON.stringify({ url: broker.url, port: broker.port })}\n`);
})();
