// A small SVG time chart: windowed aggregates of a series (the min–max band and the average line) and, when
// given, a forecast with its interval band after them. SVG rather than a charting library: these are a few
// hundred points, and the whole chart is a few paths that scale with the page and print sharply.

export interface Window {
  start: string;
  avg: number | null;
  min: number | null;
  max: number | null;
}

export interface ForecastPoint {
  time: string;
  value: number;
  lower: number;
  upper: number;
}

const W = 600;
const H = 180;
const PAD = { left: 48, right: 8, top: 8, bottom: 22 };

function ticks(lo: number, hi: number, n: number): number[] {
  if (hi === lo) return [lo];
  const step = (hi - lo) / (n - 1);
  return Array.from({ length: n }, (_, i) => lo + i * step);
}

export function TimeChart(props: {
  windows: Window[];
  forecast?: ForecastPoint[];
  unit?: string | null;
  label: string;
}) {
  const windows = props.windows.filter((w) => w.avg !== null);
  const forecast = props.forecast ?? [];
  const times = [...windows.map((w) => Date.parse(w.start)), ...forecast.map((p) => Date.parse(p.time))];
  const values = [
    ...windows.flatMap((w) => [w.min ?? w.avg!, w.max ?? w.avg!]),
    ...forecast.flatMap((p) => [p.lower, p.upper]),
  ];
  if (times.length === 0) return <p class="muted">No numeric points in this range.</p>;
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  let v0 = Math.min(...values);
  let v1 = Math.max(...values);
  if (v0 === v1) {
    v0 -= 1;
    v1 += 1;
  }
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - v0) / (v1 - v0)) * (H - PAD.top - PAD.bottom);
  const line = (points: [number, number][]) =>
    points.map(([a, b], i) => `${i ? 'L' : 'M'}${a.toFixed(1)},${b.toFixed(1)}`).join('');
  const band = (upper: [number, number][], lower: [number, number][]) =>
    `${line(upper)}L${line([...lower].reverse()).slice(1)}Z`;

  const wx = windows.map((w) => x(Date.parse(w.start)));
  const avg = line(windows.map((w, i) => [wx[i]!, y(w.avg!)]));
  const range = band(
    windows.map((w, i) => [wx[i]!, y(w.max ?? w.avg!)]),
    windows.map((w, i) => [wx[i]!, y(w.min ?? w.avg!)]),
  );
  const fx = forecast.map((p) => x(Date.parse(p.time)));
  const fLine = line(forecast.map((p, i) => [fx[i]!, y(p.value)]));
  const fBand = band(
    forecast.map((p, i) => [fx[i]!, y(p.upper)]),
    forecast.map((p, i) => [fx[i]!, y(p.lower)]),
  );
  const dateTicks = ticks(t0, t1, 4);
  const valueTicks = ticks(v0, v1, 4);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.label} data-testid="chart">
      {valueTicks.map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} class="grid" />
          <text x={PAD.left - 4} y={y(v) + 4} text-anchor="end">
            {v.toPrecision(3)}
          </text>
        </g>
      ))}
      {dateTicks.map((t) => (
        <text key={t} x={x(t)} y={H - 6} text-anchor="middle">
          {new Date(t).toISOString().slice(5, 16).replace('T', ' ')}
        </text>
      ))}
      <path d={range} class="band" />
      <path d={avg} class="avg" />
      {forecast.length > 0 && (
        <>
          <path d={fBand} class="forecast-band" data-testid="forecast-band" />
          <path d={fLine} class="forecast" />
        </>
      )}
      {props.unit && (
        <text x={PAD.left + 4} y={PAD.top + 10} class="unit">
          {props.unit}
        </text>
      )}
    </svg>
  );
}
