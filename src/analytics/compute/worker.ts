/**
 * The predictions that take real CPU (a forecast fits MSTL/ETS to weeks of points; a failure risk fits a
 * degradation trend), as a worker-thread module for the compute pool (./pool.ts). Each task is a pure
 * function of plain data. Errors cross the thread boundary as data, because structured cloning keeps an
 * Error's message but not its code: the pool turns them back into TwingraphErrors.
 */
import { isTwingraphError } from '../../errors';
import {
  assessFailureRisk,
  type DeviceTelemetryHistory,
  type FailureRiskOptions,
  type FleetPrior,
} from './failure-risk';
import { forecastSeries, type ForecastOptions } from './forecast';
import type { NumericSeries } from './types';

export type TaskResult<T> =
  { readonly value: T } | { readonly error: { code?: string; message: string; subject?: object } };

function settle<T>(work: () => T): TaskResult<T> {
  try {
    return { value: work() };
  } catch (error) {
    if (isTwingraphError(error)) {
      const { code, message, ...subject } = error.toJSON();
      return { error: { code, message, subject } };
    }
    return { error: { message: (error as Error)?.message ?? String(error) } };
  }
}

export function forecast(task: { series: NumericSeries; options: ForecastOptions }) {
  return settle(() => forecastSeries(task.series, task.options));
}

export function failureRisk(task: { history: DeviceTelemetryHistory; prior: FleetPrior; options: FailureRiskOptions }) {
  return settle(() => assessFailureRisk(task.history, task.prior, task.options));
}
