// Numbers, times and JSON values as people read them.

export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(2);
  return value.toLocaleString('en', { maximumSignificantDigits: Math.max(digits, Math.ceil(Math.log10(abs + 1))) });
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

export function formatValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'number') return formatNumber(value, 6);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
