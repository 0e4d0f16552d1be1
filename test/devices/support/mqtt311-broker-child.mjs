/**
 * A broker that speaks MQTT 3.1.1 only (aedes 1.x, installed as aedes-mqtt311), in a process of its own, for the
 * fallback suite: it refuses an MQTT 5 CONNECT with "unacceptable protocol version", as many brokers still in
 * service do. Plain ESM (aedes is an ES module, which jest cannot require). Prints {"port"} once it listens;
 * SIGTERM closes it.
 *
 *   node test/devices/support/mqtt311-broker-child.mjs
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes-mqtt311';

const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.once('SIGTERM', () => server.close(() => broker.close(() => process.exit(0))));
