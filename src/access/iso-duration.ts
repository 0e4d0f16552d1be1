/**
 * ISO 8601 durations (`P90D`, `P1Y`, `PT12H`, `P1M2DT3H`) added to an instant, for key expiries. Years and
 * months are calendar steps (P1M from 31 January is 3 March, as JavaScript dates roll over), the rest fixed
 * lengths.
 */
const DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** `from` plus `duration`, or undefined when `duration` is not an ISO 8601 duration. */
export function addIsoDuration(from: Date, duration: string): Date | undefined {
  const m = DURATION.exec(duration);
  if (!m) return undefined;
  const [years, months, weeks, days, hours, minutes, seconds] = m.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(from.getTime());
  date.setUTCFullYear(date.getUTCFullYear() + years, date.getUTCMonth() + months);
  return new Date(date.getTime() + ((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000);
}
