/**
 * The live demo: what `twingraph start` adds when the store holds the demo firm, so that the demo moves
 * without anyone writing GraphQL. Without TWINGRAPH_MQTT_URL it starts the embedded broker
 * (./embedded-broker.ts) for the gateway to connect to; unless TWINGRAPH_SIMULATE=off it runs the device
 * simulator in this process against whichever broker the gateway uses, publishing the demo devices'
 * telemetry at TWINGRAPH_SIMULATE_RATE and answering their commands: telemetry flows, subscriptions fire,
 * predictions move.
 *
 * "The store holds the demo firm" means: twins with the ids of the demo catalogue's devices, of the demo's
 * Device model. A store of other models (a production deployment, `TWINGRAPH_SEED=models`) gets neither a
 * broker nor a simulator, whatever the variables say. The simulator is prepared after the server starts (the
 * starting values are the devices' newest telemetry and state in the store: a few reads; the seed's generator,
 * about half a second for 3,000 devices, only for devices the store has none for), and stopped first.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { ModelSet } from '../dtdl';
import { readCatalogue } from '../demo/catalogue';
import { currentHour, demoDeviceIds } from '../demo/firm';
import type { MetricStore, TwinReads } from '../store/port';
import type { DeviceBindings } from './bindings';
import type { DevicesConfig } from './config';
import { DEMO_DEVICE, demoDeviceProtocol, demoDevices, storedDeviceStarts } from './demo-devices';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker';
import type { BrokerChoice } from './gateway';
import { DeviceSimulator } from './simulator';
import type { TwinIdMapping } from './topics';

export interface LiveDemoDeps {
  readonly config: DevicesConfig;
  readonly log: Logger;
  readonly store: Pick<TwinReads, 'getTwins'> & Pick<MetricStore, 'latestMetrics'>;
  /** Where seeds/firm.json is (the app's TWINGRAPH_SEEDS_DIR). */
  readonly seedsDir: string;
  /** The hour the seed's history ends at, when the configuration fixes it (TWINGRAPH_SEED_AS_OF). */
  readonly seedAsOf: number | undefined;
}

/** Twins asked for at once while looking for the demo devices. */
const CHUNK = 1000;

export class LiveDemo {
  #simulator: DeviceSimulator | undefined;
  #preparing: Promise<void> | undefined;
  #stopped = false;

  private constructor(
    private readonly deps: LiveDemoDeps,
    /** The demo devices the store holds, by twin id. */
    readonly twinIds: readonly string[],
    readonly broker: EmbeddedBroker | undefined,
    private readonly asOf: number,
  ) {}

  /**
   * The live demo, when the store holds the demo firm: with the embedded broker started unless a broker is
   * configured. Undefined when there is no demo firm to bring alive.
   */
  static async open(deps: LiveDemoDeps): Promise<LiveDemo | undefined> {
    const catalogueFile = path.join(deps.seedsDir, 'firm.json');
    let planned: string[];
    const asOf = deps.seedAsOf ?? currentHour();
    try {
      // Only the ids: planning the firm simulates every device's history, which the start need not wait for.
      planned = demoDeviceIds(readCatalogue(catalogueFile));
    } catch (error) {
      deps.log.info({ err: error }, 'live demo: no demo catalogue to simulate devices from');
      return undefined;
    }
    const present: string[] = [];
    for (let i = 0; i < planned.length; i += CHUNK) {
      const twins = await deps.store.getTwins(planned.slice(i, i + CHUNK));
      for (const twin of twins) if (twin?.$metadata.$model === DEMO_DEVICE) present.push(twin.$dtId);
    }
    if (present.length === 0) {
      deps.log.info('live demo: the store holds no demo devices; no embedded broker, no simulator');
      return undefined;
    }
    const broker = deps.config.url
      ? undefined
      : await startEmbeddedBroker({ port: deps.config.liveDemo.embeddedPort, log: deps.log });
    if (broker)
      deps.log.info(
        { url: broker.url },
        `live demo: embedded MQTT broker at ${broker.url} (TWINGRAPH_MQTT_URL points Twingraph at another)`,
      );
    return new LiveDemo(deps, present, broker, asOf);
  }

  /** The broker the gateway is to connect to: the configured one, or the embedded one. */
  get brokerChoice(): BrokerChoice {
    return this.broker ? { url: this.broker.url, embedded: true } : { url: this.deps.config.url!, embedded: false };
  }

  get simulator(): DeviceSimulator | undefined {
    return this.#simulator;
  }

  /**
   * Starts the simulator in the background (unless TWINGRAPH_SIMULATE=off), talking as the Device model in
   * `models` declares, once the gateway's bindings are known. Resolves when it publishes, or has decided not to.
   */
  simulate(models: () => ModelSet, bindings: () => DeviceBindings, mapping: TwinIdMapping): Promise<void> {
    const { config, log } = this.deps;
    if (!config.liveDemo.simulate) {
      log.info('live demo: TWINGRAPH_SIMULATE=off, so the demo devices stay quiet');
      return Promise.resolve();
    }
    this.#preparing = (async () => {
      // Let the server start serving first: the starting values take a moment to compute.
      await new Promise((resolve) => setImmediate(resolve));
      const found = demoDeviceProtocol(models(), bindings());
      if ('problem' in found) {
        log.warn(`live demo: no simulator, because ${found.problem}`);
        return;
      }
      const deviceIdOf = new Map<string, string>();
      for (const twinId of this.twinIds) {
        const deviceId = mapping.toDeviceId(twinId);
        if (deviceId !== undefined) deviceIdOf.set(twinId, deviceId);
      }
      const twinIds = [...deviceIdOf.keys()];
      const stored = await storedDeviceStarts(this.deps.store, twinIds);
      const unknown = twinIds.filter((id) => !stored.has(id));
      const planned = new Map(
        (unknown.length === 0
          ? []
          : demoDevices(path.join(this.deps.seedsDir, 'firm.json'), { asOf: this.asOf, only: new Set(unknown) })
        ).map(({ id, ...start }) => [id, start]),
      );
      const starts = twinIds.flatMap((twinId) => {
        const start = stored.get(twinId) ?? planned.get(twinId);
        return start ? [{ id: deviceIdOf.get(twinId)!, ...start }] : [];
      });
      if (this.#stopped) return;
      const url = this.brokerChoice.url;
      this.#simulator = new DeviceSimulator({
        url,
        devices: starts,
        rate: config.liveDemo.rate,
        protocol: found.protocol,
        clientId: `${config.clientId}-simulator`.slice(0, 128),
      });
      this.#simulator.start();
      log.info(
        { devices: starts.length, rate: config.liveDemo.rate, telemetryTopic: found.protocol.telemetryTopic },
        `live demo: simulating ${starts.length} devices at ${config.liveDemo.rate} messages/s on ${url} (TWINGRAPH_SIMULATE=off stops it)`,
      );
    })().catch((error: unknown) => log.warn({ err: error }, 'live demo: the device simulator could not start'));
    return this.#preparing;
  }

  /** Stops the simulator (first, so that the gateway is not closed under its messages). */
  async stopSimulator(): Promise<void> {
    this.#stopped = true;
    await this.#preparing;
    const simulator = this.#simulator;
    if (!simulator) return;
    await simulator.stop();
    this.deps.log.info(
      { published: simulator.published, commands: simulator.commandsExecuted },
      'live demo: the device simulator stopped',
    );
  }

  /** Closes the embedded broker (last: after the gateway has disconnected from it). */
  async closeBroker(): Promise<void> {
    if (!this.broker) return;
    await this.broker.close();
    this.deps.log.info('live demo: the embedded broker closed');
  }
}
