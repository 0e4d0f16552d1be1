/**
 * The live demo's MQTT broker: aedes in this process, listening on a loopback port, so that `npm start` has
 * devices talking MQTT without anyone installing a broker. It is for the demo only: anonymous, in memory (a
 * restart loses sessions and queued messages), on 127.0.0.1 whatever HOST says, and without shared
 * subscriptions (aedes refuses `$share/…`, so the gateway subscribes plainly, which one process may).
 * TWINGRAPH_MQTT_URL points Twingraph at a real broker instead, and then none is started.
 *
 * aedes 2 is the first to speak MQTT 5, which commands need (response topic and correlation data); it is an
 * ES module, loaded with require(esm) (Node ≥ 20.19) only when a broker is started.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import type * as AedesModule from 'aedes' with { 'resolution-mode': 'import' };

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** MQTT clients connected now. */
  readonly clients: number;
  /** Stops listening, disconnects every client, and resolves once every socket is closed. */
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** The port to listen on; 0 for any free one. */
  readonly port: number;
  readonly log: Logger;
}

const HOST = '127.0.0.1';

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { Aedes } = require('aedes') as typeof AedesModule;
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  let port: number;
  try {
    port = await listen(server, options.port);
  } catch (error) {
    // A broker of the machine's own (Debian's mosquitto service) usually holds 1883: the demo still runs,
    // on another port, and says which.
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port === 0) {
      broker.close();
      throw error;
    }
    port = await listen(server, 0);
    options.log.warn(
      { wanted: options.port, port },
      `port ${options.port} is taken (another MQTT broker?): the embedded broker listens on ${port} instead (TWINGRAPH_MQTT_EMBEDDED_PORT chooses it)`,
    );
  }
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${HOST}:${port}`,
    port,
    get clients() {
      return broker.connectedClients;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        // Stop accepting first, so that no client connects while the others are being disconnected; the
        // server's callback comes once the last socket has closed.
        let pending = 2;
        const done = (): void => {
          if (--pending === 0) resolve();
        };
        server.close(done);
        broker.close(done);
      })),
  };
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => reject(error);
    server.once('error', fail);
    server.listen(port, HOST, () => {
      server.off('error', fail);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
