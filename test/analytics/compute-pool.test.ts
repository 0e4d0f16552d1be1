/**
 * The compute pool: forecasts and failure risks on worker threads give what the same functions give on the
 * calling thread, and errors keep their codes across the thread boundary. It loads the compiled worker
 * (dist/, built by `npm run build`, which CI runs before the tests). What the pool buys — /healthz staying
 * fast while forecasts run — is measured by `npm run bench:api` (phase load), not here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/config';
import { inlineCompute, type ComputePool } from '../../src/analytics/compute/pool';
import { mulberry32 } from '../../src/demo/random';
import { describeWhen } from '../support/shared';

const COMPILED = path.join(PACKAGE_ROOT, 'dist', 'analytics', 'compute', 'pool.js');
const HOUR = 3_600_000;

function series(seed: number, points: number) {
  const random = mulberry32(seed);
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < points; i++) {
    times.push(Date.UTC(2026, 0, 1) + i * HOUR);
    values.push(20 + 5 * Math.sin((2 * Math.PI * i) / 24) + random());
  }
  return { times, values };
}

it('computes inline when asked for no threads, or from TypeScript sources where no compiled worker is', () => {
  const { computePool } =
    require('../../src/analytics/compute/pool') as typeof import('../../src/analytics/compute/pool');
  expect(computePool(0).mode).toBe('inline');
  expect(computePool(2).mode).toBe('inline');
});

describeWhen(fs.existsSync(COMPILED), 'the pool of worker threads', `${COMPILED} is not built (npm run build)`, () => {
  let pool: ComputePool;
  beforeAll(() => {
    const compiled = require(COMPILED) as typeof import('../../src/analytics/compute/pool');
    pool = compiled.computePool(2);
  });
  afterAll(() => pool.close());

  it('runs on threads, and forecasts exactly what the same function forecasts inline', async () => {
    expect(pool.mode).toBe('threads');
    const input = series(7, 24 * 21);
    const [threaded, inline] = await Promise.all([
      pool.forecast(input, { horizon: 24 }),
      inlineCompute().forecast(input, { horizon: 24 }),
    ]);
    expect(threaded).toEqual(inline);
  });

  it('keeps the code of an error raised on a worker thread', async () => {
    await expect(pool.forecast(series(1, 3), { horizon: 24 })).rejects.toMatchObject({
      name: 'TwingraphError',
      code: 'InsufficientData',
    });
    await expect(pool.forecast(series(1, 24 * 21), { horizon: 0 })).rejects.toMatchObject({ code: 'InvalidArgument' });
  });
});
