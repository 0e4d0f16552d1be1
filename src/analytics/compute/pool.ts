/**
 * Where the CPU-heavy predictions run: on a pool of worker threads (piscina), so that a page of forecasts
 * does not hold up the event loop that answers /healthz, cheap queries and subscriptions; or inline, on the
 * calling thread, when the pool has no threads (TWINGRAPH_PREDICTION_THREADS=0) or the worker module is not
 * there to load — it is the compiled ./worker.js, so running from TypeScript sources (tsx, jest) computes
 * inline. Both give the same results: the worker runs the same pure functions.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Piscina from 'piscina';
import { TwingraphError, type ErrorCode } from '../../errors';
import type { DeviceTelemetryHistory, FailureRisk, FailureRiskOptions, FleetPrior } from './failure-risk';
import type { ForecastOptions } from './forecast';
import type { NumericSeries, SeriesForecast } from './types';
import type { TaskResult } from './worker';

export interface ComputePool {
  /** 'threads' when tasks run on worker threads, 'inline' when on the caller's. */
  readonly mode: 'threads' | 'inline';
  forecast(series: NumericSeries, options: ForecastOptions): Promise<SeriesForecast>;
  failureRisk(history: DeviceTelemetryHistory, prior: FleetPrior, options: FailureRiskOptions): Promise<FailureRisk>;
  close(): Promise<void>;
}

export const WORKER_FILE = path.join(__dirname, 'worker.js');

/**
 * Computation on the caller's thread. The models (and the statistics libraries under them) are required on
 * first use, not at start: a server answers its first request sooner, and many never forecast.
 */
export function inlineCompute(): ComputePool {
  return {
    mode: 'inline',
    forecast: async (series, options) =>
      (require('./forecast') as typeof import('./forecast')).forecastSeries(series, options),
    failureRisk: async (history, prior, options) =>
      (require('./failure-risk') as typeof import('./failure-risk')).assessFailureRisk(history, prior, options),
    close: async () => undefined,
  };
}

/** A pool of `threads` workers, or inline computation when `threads` is 0 or the compiled worker is absent. */
export function computePool(threads: number): ComputePool {
  if (threads <= 0 || !fs.existsSync(WORKER_FILE)) return inlineCompute();
  // The pool (and piscina) comes with the first task: a start, and a server that never predicts, go without.
  let pool: Piscina | undefined;
  const open = (): Piscina => {
    const { Piscina: Pool } = require('piscina') as typeof import('piscina');
    return new Pool({
      filename: WORKER_FILE,
      minThreads: 0,
      maxThreads: threads,
      // Idle workers go after a minute; a forecast after that pays a thread start (tens of ms) again.
      idleTimeout: 60_000,
    });
  };
  const run = async <T>(name: string, task: object): Promise<T> => {
    const result = (await (pool ??= open()).run(task, { name })) as TaskResult<T>;
    if ('value' in result) return result.value;
    const { code, message, subject } = result.error;
    if (code) throw new TwingraphError(code as ErrorCode, message, subject);
    throw new Error(message);
  };
  return {
    mode: 'threads',
    forecast: (series, options) => run('forecast', { series, options }),
    failureRisk: (history, prior, options) => run('failureRisk', { history, prior, options }),
    close: async () => {
      await pool?.destroy();
    },
  };
}
