/**
 * Whether a store holds the demo firm, asked before anything of the live demo is loaded: the live demo brings
 * the simulator, mqtt.js and the demo's generator, and planning the firm takes half a second, none of which a
 * production start (any store that is not the demo's) should pay for. Every firm planned from the catalogue,
 * at any scale, has its first device.
 */
import { DEMO_MODELS } from '../demo/models';
import type { TwinReads } from '../store/port';

const FIRST_DEMO_DEVICE = 'device-00001';

export async function holdsDemoFirm(store: Pick<TwinReads, 'getTwins'>): Promise<boolean> {
  const [first] = await store.getTwins([FIRST_DEMO_DEVICE]);
  return first?.$metadata.$model === DEMO_MODELS.device;
}
