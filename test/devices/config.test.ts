/**
 * The live demo's variables (TWINGRAPH_SIMULATE, TWINGRAPH_SIMULATE_RATE, TWINGRAPH_MQTT_EMBEDDED_PORT): what
 * they default to, what they become, and a wrong value stopping the start with a line naming the variable.
 * (Whether the live demo runs at all is `twingraph start`'s choice, not a variable's: see live-demo.test.ts.)
 */
import { loadConfig } from '../../src/config';
import { loadDevicesConfig } from '../../src/devices/config';

describe('the live demo’s configuration', () => {
  it('simulates at 50 messages a second, with an embedded broker on 1883, unless told otherwise', () => {
    expect(loadDevicesConfig({}).liveDemo).toEqual({ simulate: true, rate: 50, embeddedPort: 1883 });
  });

  it('reads TWINGRAPH_SIMULATE, TWINGRAPH_SIMULATE_RATE and TWINGRAPH_MQTT_EMBEDDED_PORT', () => {
    const config = loadDevicesConfig({
      TWINGRAPH_SIMULATE: 'off',
      TWINGRAPH_SIMULATE_RATE: '500',
      TWINGRAPH_MQTT_EMBEDDED_PORT: '0',
    });
    expect(config.liveDemo).toEqual({ simulate: false, rate: 500, embeddedPort: 0 });
  });

  it('is part of the app’s configuration', () => {
    expect(loadConfig({ TWINGRAPH_SIMULATE: 'off' }).devices.liveDemo.simulate).toBe(false);
  });

  it.each([
    ['TWINGRAPH_SIMULATE', 'no', /TWINGRAPH_SIMULATE="no": expected one of "on"\|"off"/],
    ['TWINGRAPH_SIMULATE_RATE', '0', /TWINGRAPH_SIMULATE_RATE="0": expected a whole number from 1 to 100000/],
    [
      'TWINGRAPH_MQTT_EMBEDDED_PORT',
      '70000',
      /TWINGRAPH_MQTT_EMBEDDED_PORT="70000": expected a whole number from 0 to 65535/,
    ],
  ])('refuses %s=%s, naming the variable', (variable, value, message) => {
    expect(() => loadDevicesConfig({ [variable]: value })).toThrow(message);
    expect(() => loadConfig({ [variable]: value })).toThrow(message);
  });
});
