/**
 * Where the live demo's simulator starts each device (storedDeviceStarts): from the store as it is now — the
 * device's newest temperature, vibration and utilisation points and its `state` property, whether the seed
 * wrote them or the simulator of an earlier run — so that a restart carries on instead of jumping back to
 * the seed's last hour. A device the store cannot say all of that for is left out (the live demo then plans
 * it from the seed).
 */
import { DEMO_DEVICE, storedDeviceStarts } from '../../src/devices/demo-devices';
import { TestApp } from '../support/api-harness';

const device = (state?: string) => ({
  $metadata: { $model: DEMO_DEVICE },
  deviceType: 'press',
  ...(state !== undefined && { state }),
  diagnostics: { $metadata: {} },
});

describe("the live demo's starting values", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await new TestApp().start();
    await t.store.createTwins(
      [
        { id: 'd-live', twin: device('blocked') },
        { id: 'd-quiet', twin: device('processing') },
        { id: 'd-stateless', twin: device() },
      ],
      { ifNoneMatch: '*' },
    );
    const point = (twinId: string, name: string, time: string, value: number) => ({ twinId, name, time, value });
    await t.store.appendMetrics([
      point('d-live', 'temperature', '2026-12-01T10:00:00.000Z', 61.5),
      point('d-live', 'vibration', '2026-12-01T10:00:00.000Z', 0.21),
      point('d-live', 'utilisation', '2026-12-01T10:00:00.000Z', 0.4),
      // Newer, as a simulator run after the seed sends them: these are where it carries on.
      point('d-live', 'temperature', '2026-12-05T08:30:00.000Z', 64.25),
      point('d-live', 'vibration', '2026-12-05T08:30:00.000Z', 0.283),
      point('d-live', 'utilisation', '2026-12-05T08:30:00.000Z', 0.75),
      point('d-stateless', 'temperature', '2026-12-05T08:30:00.000Z', 50),
      point('d-stateless', 'vibration', '2026-12-05T08:30:00.000Z', 0.1),
      point('d-stateless', 'utilisation', '2026-12-05T08:30:00.000Z', 0.2),
    ]);
  });
  afterAll(() => t?.close());

  it('starts a device from its newest telemetry and its state, as the store holds them', async () => {
    const starts = await storedDeviceStarts(t.store, ['d-live']);
    expect([...starts]).toEqual([
      ['d-live', { temperature: 64.25, vibration: 0.283, utilisation: 0.75, state: 'blocked' }],
    ]);
  });

  it('leaves out a device without telemetry, one without a state, and one the store does not hold', async () => {
    const starts = await storedDeviceStarts(t.store, ['d-quiet', 'd-stateless', 'd-missing', 'd-live']);
    expect([...starts.keys()]).toEqual(['d-live']);
  });
});
