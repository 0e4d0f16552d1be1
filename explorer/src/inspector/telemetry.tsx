// A twin's telemetry: the newest value of each series its model declares, and a chart of one of them over a
// chosen range (windowed min/avg/max, ending at the newest point rather than now: a simulated or stalled
// device's data may end in the past), with the forecast and its interval where the server offers one.
import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api/graphql';
import { hasField } from '../api/schema';
import type { ServerInfo } from '../server-info';
import { errorMessage, formatNumber, formatTime, formatValue } from '../ui/format';
import { TimeChart, type ForecastPoint, type Window } from './chart';

const RANGES = [
  { label: '24 h', hours: 24, window: 'PT1H', horizon: 24 },
  { label: '7 days', hours: 24 * 7, window: 'PT3H', horizon: 48 },
  { label: '30 days', hours: 24 * 30, window: 'PT12H', horizon: 72 },
] as const;

interface Latest {
  unit: string | null;
  latest: { time: string; value: unknown } | null;
}

export function Telemetry(props: { info: ServerInfo; twinId: string; modelId: string; version: number }) {
  const { info, twinId, modelId } = props;
  const model = info.catalogue.byId.get(modelId);
  const series = (model?.contents ?? []).filter((c) => c.kind === 'Telemetry' && c.graphqlField);
  const type = model?.graphqlType;
  const [latest, setLatest] = useState<Record<string, Latest> | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [range, setRange] = useState<(typeof RANGES)[number]>(RANGES[1]);
  const [chart, setChart] = useState<{ windows: Window[]; forecast?: ForecastPoint[]; level?: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const withForecast = hasField(info.schema, 'MetricSeries', 'forecast');

  useEffect(() => {
    if (!type || series.length === 0) return;
    const fields = series.map((s) => `${s.graphqlField} { unit latest { time value } }`).join(' ');
    gql<{ twin: Record<string, Latest> | null }>(
      `query ($id: ID!) { twin(id: $id) { ... on ${type} { ${fields} } } }`,
      {
        id: twinId,
      },
    ).then(
      (data) => {
        setLatest(data.twin ?? {});
        setChosen((c) => c ?? series.find((s) => data.twin?.[s.graphqlField!]?.latest)?.graphqlField ?? null);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [twinId, type, props.version]);

  const newest = chosen ? latest?.[chosen]?.latest?.time : undefined;
  useEffect(() => {
    if (!type || !chosen || !newest) return;
    setChart(null);
    const to = new Date(Date.parse(newest) + 1000).toISOString();
    const from = new Date(Date.parse(newest) - range.hours * 3600_000).toISOString();
    const forecast = withForecast
      ? `forecast(horizon: ${range.horizon}) { level points { time value lower upper } }`
      : '';
    gql<{ twin: Record<string, { aggregate: Window[]; forecast?: { level: number; points: ForecastPoint[] } }> }>(
      `query ($id: ID!, $from: DateTime!, $to: DateTime!, $window: Duration) {
        twin(id: $id) { ... on ${type} { ${chosen} { aggregate(from: $from, to: $to, window: $window) { start avg min max } ${forecast} } } }
      }`,
      { id: twinId, from, to, window: range.window },
    ).then(
      (data) => {
        const s = data.twin[chosen]!;
        setChart({ windows: s.aggregate, forecast: s.forecast?.points, level: s.forecast?.level });
      },
      // A series of text or objects has no aggregate or forecast: the newest value is all there is.
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [twinId, type, chosen, newest, range]);

  if (series.length === 0) return null;
  const unit = chosen ? (latest?.[chosen]?.unit ?? null) : null;
  return (
    <section aria-labelledby="telemetry-title">
      <h3 id="telemetry-title">Telemetry</h3>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table class="props">
        <tbody>
          {series.map((s) => {
            const l = latest?.[s.graphqlField!];
            return (
              <tr key={s.name}>
                <th scope="row">
                  <button
                    type="button"
                    class="link"
                    aria-pressed={chosen === s.graphqlField}
                    onClick={() => setChosen(s.graphqlField)}
                    data-testid={`series-${s.graphqlField}`}
                  >
                    {s.name}
                  </button>
                  <span class="type">
                    {s.schema}
                    {(l?.unit ?? s.unit) && ` · ${l?.unit ?? s.unit}`}
                  </span>
                </th>
                <td>
                  {l?.latest ? (
                    <>
                      {typeof l.latest.value === 'number' ? formatNumber(l.latest.value) : formatValue(l.latest.value)}{' '}
                      <span class="muted">{formatTime(l.latest.time)}</span>
                    </>
                  ) : (
                    <span class="muted">{latest ? 'no points' : '…'}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {chosen && newest && (
        <div class="chart-box">
          <div class="row" role="group" aria-label="Range">
            {RANGES.map((r) => (
              <button type="button" key={r.label} aria-pressed={r === range} class="small" onClick={() => setRange(r)}>
                {r.label}
              </button>
            ))}
          </div>
          {chart ? (
            <>
              <TimeChart
                windows={chart.windows}
                forecast={chart.forecast}
                unit={unit}
                label={`${chosen} over ${range.label}${chart.forecast ? `, with a ${Math.round((chart.level ?? 0.95) * 100)}% forecast band` : ''}`}
              />
              <p class="muted legend-line">
                <span class="key band" /> min–max per {range.window.slice(2).toLowerCase()} <span class="key avg" />{' '}
                average
                {chart.forecast && (
                  <>
                    {' '}
                    <span class="key forecast" /> forecast, {Math.round((chart.level ?? 0.95) * 100)}% interval
                  </>
                )}
              </p>
            </>
          ) : (
            <p class="muted">Reading {chosen}…</p>
          )}
        </div>
      )}
    </section>
  );
}
