// What the analytics predict for a twin, where this server has them (the analytics plugin, on the demo's
// models): a device's failure risk; an engagement's KPIs and profit prediction with its interval. Only the
// fields the schema has are asked for, so a server without them shows nothing here.
import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api/graphql';
import { hasField } from '../api/schema';
import type { ServerInfo } from '../server-info';
import { errorMessage, formatNumber, formatTime } from '../ui/format';

const FIELDS: Record<string, string> = {
  failureRisk: `failureRisk(horizonHours: 168) {
    probability wearProbability randomProbability horizonHours timeToFailureHours expectedFailureTime
    vibrationNow threshold vibrationTrendPerDay asOf method
  }`,
  kpis: `kpis { budgetVariance budgetVarianceRatio revenueMargin durationDays burnIndex anomaly anomalyReason peerGroup peerMedianBurnIndex }`,
  profitPrediction: `profitPrediction { value actual closed interval { lower upper level } }`,
};

type Row = [string, unknown];

function rows(value: Record<string, unknown>): Row[] {
  return Object.entries(value).filter(([, v]) => v !== null && typeof v !== 'object');
}

function show(v: unknown, key: string): string {
  if (typeof v === 'number')
    return /(^p|P)robability$|Ratio$|Margin$/.test(key) && Math.abs(v) <= 1
      ? `${(v * 100).toFixed(1)} %`
      : formatNumber(v);
  if (typeof v === 'string' && /Time|asOf/.test(key)) return formatTime(v);
  return String(v);
}

export function Predictions(props: { info: ServerInfo; twinId: string; modelId: string; version: number }) {
  const { info, twinId, modelId } = props;
  const type = info.catalogue.byId.get(modelId)?.graphqlType;
  const present = type ? Object.keys(FIELDS).filter((f) => hasField(info.schema, type, f)) : [];
  const [data, setData] = useState<Record<string, Record<string, unknown> | null> | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!type || present.length === 0) return;
    gql<{ twin: Record<string, Record<string, unknown> | null> | null }>(
      `query ($id: ID!) { twin(id: $id) { ... on ${type} { ${present.map((f) => FIELDS[f]).join(' ')} } } }`,
      { id: twinId },
    ).then(
      (d) => setData(d.twin ?? {}),
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [twinId, type, props.version]);

  if (present.length === 0) return null;
  const risk = data?.failureRisk;
  const kpis = data?.kpis;
  const profit = data?.profitPrediction as
    | {
        value: number;
        actual: number | null;
        closed: boolean;
        interval: { lower: number; upper: number; level: number };
      }
    | null
    | undefined;
  return (
    <section aria-labelledby="predictions-title" data-testid="predictions">
      <h3 id="predictions-title">Predictions</h3>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p class="muted">Predicting…</p>}
      {risk && (
        <>
          <h4>
            Failure risk within {formatNumber(risk.horizonHours as number)} h:{' '}
            <strong data-testid="failure-probability">{show(risk.probability, 'probability')}</strong>
          </h4>
          <meter
            min={0}
            max={1}
            low={0.2}
            high={0.5}
            optimum={0}
            value={risk.probability as number}
            aria-label="Failure probability"
          />
          <table class="props">
            <tbody>
              {rows(risk).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{show(v, k)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {profit && (
        <>
          <h4>
            Profit: <strong data-testid="profit">{formatNumber(profit.value)}</strong> EUR{' '}
            <span class="muted">
              ({Math.round(profit.interval.level * 100)}% interval {formatNumber(profit.interval.lower)} to{' '}
              {formatNumber(profit.interval.upper)})
            </span>
          </h4>
          {profit.actual !== null && (
            <p>
              {profit.closed ? 'Final' : 'So far'}: {formatNumber(profit.actual)} EUR
            </p>
          )}
        </>
      )}
      {kpis && (
        <>
          <h4>KPIs {kpis.anomaly ? <span class="badge warn">anomalous</span> : null}</h4>
          {typeof kpis.anomalyReason === 'string' && <p>{kpis.anomalyReason}</p>}
          <table class="props">
            <tbody>
              {rows(kpis)
                .filter(([k]) => k !== 'anomalyReason' && k !== 'anomaly')
                .map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>{show(v, k)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
