/**
 * `twingraph start`: the server, until Ctrl-C or SIGTERM, which stop it cleanly (running requests finish,
 * subscriptions get a close frame, the features stop — the device simulator, the MQTT client, the embedded
 * broker — and the store is closed). A second signal exits at once. It asks for the live demo: on a store
 * holding the demo firm, the devices feature brings it alive (an embedded MQTT broker unless
 * TWINGRAPH_MQTT_URL names one, and the device simulator unless TWINGRAPH_SIMULATE=off).
 */
import pino from 'pino';
import { startApp } from '../app';
import { ConfigError, loadConfig } from '../config';

export async function serve(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const log = pino({ level: config.logLevel });
  const app = await startApp(config, log, { liveDemo: true });
  log.info(
    { url: app.server.url, store: config.store.kind, models: app.services.models.current.records.length },
    `Twingraph is serving GraphQL at ${app.server.url} (open it in a browser for GraphiQL)`,
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(130);
      }
      stopping = true;
      log.info({ signal }, 'stopping: letting running requests finish');
      app.close().then(
        () => {
          log.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'could not stop cleanly');
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
