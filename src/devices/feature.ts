/**
 * Devices over MQTT as a feature: its GraphQL part (`mqttStatus`, `invokeDeviceCommand`, and the typed
 * answers of the command mutations), the gateway that ingests telemetry and reported properties and sends
 * commands (connected when TWINGRAPH_MQTT_URL is set; without it the fields say `enabled: false`), the live
 * demo under `twingraph start` (an embedded broker and the device simulator, ./live-demo.ts), its health for
 * `/readyz`, and the `twingraph simulate` command.
 *
 * Stopping goes from the edge inwards: the simulator (no more messages), then the gateway (its batches
 * recorded, its MQTT client closed), then the embedded broker.
 *
 * `devicesFeature` reads its configuration from the app's Config (`config.devices`);
 * `createDevicesFeature(config)` takes one directly (tests, embedders).
 */
import type { Feature, FeatureHost } from '../feature';
import { simulateCommands } from './commands';
import type { DevicesConfig } from './config';
import { holdsDemoFirm } from './demo-firm-probe';
import { DeviceGateway } from './gateway';
import { DEVICES, devicesSchemaPlugin, type DevicesAccess } from './graphql';
import type { LiveDemo } from './live-demo';
import { twinIdMapping } from './topics';

export function createDevicesFeature(configOf: DevicesConfig | ((host: FeatureHost) => DevicesConfig)): Feature {
  return {
    name: DEVICES,
    schema: devicesSchemaPlugin,
    open(host) {
      const config = typeof configOf === 'function' ? configOf(host) : configOf;
      const log = host.log.child({ feature: DEVICES });
      const gateway = new DeviceGateway({
        config,
        log,
        store: host.store,
        models: host.models,
        twins: host.twins,
        feed: host.feed,
      });
      let demo: LiveDemo | undefined;
      const context: DevicesAccess = {
        status: () => gateway.status(),
        deadLetters: (limit) => gateway.recentDeadLetters(limit),
        invoke: (twinId, command, request, timeoutMs, record) =>
          gateway.invoke(twinId, command, request, timeoutMs, record),
        awaitOutcome: (seq, twinId, command, timeoutMs) => gateway.awaitOutcome(seq, twinId, command, timeoutMs),
        defaultTimeoutMs: config.commands.timeoutMs,
      };
      return {
        context,
        start: async () => {
          if (host.liveDemo && !(await holdsDemoFirm(host.store)))
            log.info('live demo: the store holds no demo devices; no embedded broker, no simulator');
          else if (host.liveDemo)
            // Required only for the live demo: it brings the simulator, mqtt.js and the demo's generator.
            demo = await (require('./live-demo') as typeof import('./live-demo')).LiveDemo.open({
              config,
              log,
              store: host.store,
              seedsDir: host.config.seedsDir,
              seedAsOf: host.config.seedAsOf,
            });
          const broker = demo?.brokerChoice ?? (config.url ? { url: config.url, embedded: false } : undefined);
          gateway.start(broker);
          if (broker && !broker.embedded)
            log.info({ url: gateway.status().url }, 'devices: connecting to the MQTT broker');
          void demo?.simulate(
            () => host.models.current.models,
            () => gateway.bindings,
            twinIdMapping(config.twinIdTemplate),
          );
        },
        stop: async () => {
          try {
            await demo?.stopSimulator();
            await gateway.stop();
            if (gateway.status().enabled) log.info('devices: disconnected from the MQTT broker');
          } finally {
            await demo?.closeBroker();
          }
        },
        health: () => gateway.health(),
      };
    },
    commands: simulateCommands,
  };
}

export const devicesFeature: Feature = createDevicesFeature((host) => host.config.devices);
