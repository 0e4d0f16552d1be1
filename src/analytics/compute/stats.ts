/**
 * The statistics functions the analytics use, from well-kept libraries, loaded in one place: simple-statistics
 * for descriptive statistics and lines, @stdlib for Student's t.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type * as SimpleStatistics from 'simple-statistics' with { 'resolution-mode': 'import' };

// simple-statistics is an ES module package whose typings TypeScript will not let a CommonJS file import,
// though its `exports` map gives `require` a CommonJS build: take the types from the ESM typings, the code from require.
const simple = require('simple-statistics') as typeof SimpleStatistics;

export const { linearRegression, mean, median, medianAbsoluteDeviation } = simple;
export { tCdf, tQuantile };
