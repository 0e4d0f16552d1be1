/**
 * Devices over MQTT as a feature: its GraphQL part (`mqttStatus`, `invokeDeviceCommand`), the gateway that
 * ingests telemetry and reported properties and sends commands (connected when TWINGRAPH_MQTT_URL is set;
 * without it the fields say `enabled: false`), and the `twingraph simulate` command.
 *
 * `devicesFeature` reads its configuration from the app's Config (`config.devices`);
 * `createDevicesFeature(config)` takes one directly (tests, embedders).
 */
import type { Feature, FeatureHost } from '../feature';
import { simulateCommands } from './commands';
import type { DevicesConfig } from './config';
import { DeviceGateway } from './gateway';
import { DEVICES, devicesSchemaPlugin, type DevicesAccess } from './graphql';

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
      const context: DevicesAccess = {
        status: () => gateway.status(),
        deadLetters: (limit) => gateway.recentDeadLetters(limit),
        invoke: (twinId, command, request, timeoutMs, record) =>
          gateway.invoke(twinId, command, request, timeoutMs, record),
        defaultTimeoutMs: config.commands.timeoutMs,
      };
      return {
        context,
        start: () => {
          gateway.start();
          if (config.url) log.info({ url: gateway.status().url }, 'devices: connecting to the MQTT broker');
        },
        stop: () => gateway.stop(),
      };
    },
    commands: simulateCommands,
  };
}

export const devicesFeature: Feature = createDevicesFeature((host) => host.config.devices);
