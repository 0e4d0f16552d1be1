/**
 * The statistics functions the analytics use, from well-kept libraries, loaded in one place: simple-statistics
 * for descriptive statistics and lines, @stdlib for Student's t.
 */
import type TCdf from '@stdlib/stats-base-dists-t-cdf';
import type TQuantile from '@stdlib/stats-base-dists-t-quantile';
import type * as SimpleStatistics from 'simple-statistics' with { 'resolution-mode': 'import' };

// simple-statistics is an ES module package whose typings TypeScript will not let a CommonJS file import,
// though its `exports` map gives `require` a CommonJS build: take the types from the ESM typings, the code from
// require — on first use, as below, so that a server start does not load it.
let simple: typeof SimpleStatistics | undefined;
const statistics = (): typeof SimpleStatistics => (simple ??= require('simple-statistics') as typeof SimpleStatistics);

export const linearRegression: typeof SimpleStatistics.linearRegression = (data) => statistics().linearRegression(data);
export const mean: typeof SimpleStatistics.mean = (x) => statistics().mean(x);
export const median: typeof SimpleStatistics.median = (x) => statistics().median(x);
export const medianAbsoluteDeviation: typeof SimpleStatistics.medianAbsoluteDeviation = (x) =>
  statistics().medianAbsoluteDeviation(x);
// Student's t from @stdlib is required on first use: its many small modules took a third of a second of
// every server start, and only predictions need it.
let cdf: typeof TCdf | undefined;
let quantile: typeof TQuantile | undefined;

/** Student's t cumulative distribution function at `x` with `v` degrees of freedom. */
export function tCdf(x: number, v: number): number {
  cdf ??= require('@stdlib/stats-base-dists-t-cdf') as typeof TCdf;
  return cdf(x, v);
}

/** Student's t quantile function at probability `p` with `v` degrees of freedom. */
export function tQuantile(p: number, v: number): number {
  quantile ??= require('@stdlib/stats-base-dists-t-quantile') as typeof TQuantile;
  return quantile(p, v);
}
