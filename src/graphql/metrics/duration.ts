/** ISO 8601 durations of fixed length (weeks, days, hours, minutes, seconds) in milliseconds. */
import { TwingraphError } from '../../errors';

const FIXED =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function durationMs(duration: string): number {
  const m = FIXED.exec(duration);
  if (!m || duration === 'P' || duration.endsWith('T')) {
    throw new TwingraphError(
      'InvalidArgument',
      `'${duration}' is not a duration of fixed length: use weeks, days, hours, minutes and seconds, such as PT1H or P1D (months and years vary).`,
    );
  }
  const [, w, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  const ms = Math.round((((w * 7 + d) * 24 + h) * 60 + min) * 60_000 + s * 1000);
  if (ms < 1) throw new TwingraphError('InvalidArgument', `'${duration}' is shorter than a millisecond.`);
  return ms;
}
