// The portfolio view: the engagements the analytics flag as anomalous (a burn index far outside their peers'),
// each with why, its KPIs and its predicted profit with the interval, and a link to the twin in the inspector.
// Sortable by column, filterable by service line; a table at 1280 px, a card per engagement on a phone.
// Engagements changed after the read are announced, and Refresh reads again.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { LiveSubscription } from '../api/live';
import { href } from '../route';
import type { ServerInfo } from '../server-info';
import { errorMessage, formatNumber, formatTime } from '../ui/format';
import {
  burnFactor,
  portfolioModels,
  readPortfolio,
  readProfits,
  type Engagement,
  type Portfolio,
  type Profit,
} from './portfolio-data';

export interface PortfolioPageProps {
  readonly info: ServerInfo;
}

type SortKey = 'burn' | 'variance' | 'margin' | 'profit' | 'id';

const COLUMNS: { key: SortKey | null; label: string }[] = [
  { key: 'id', label: 'Engagement' },
  { key: null, label: 'Service line' },
  { key: 'burn', label: 'Burn index vs peers' },
  { key: 'variance', label: 'Budget variance' },
  { key: 'margin', label: 'Margin' },
  { key: 'profit', label: 'Predicted profit' },
  { key: null, label: 'Why it is flagged' },
];

function sortValue(e: Engagement, key: SortKey): number | string {
  switch (key) {
    case 'id':
      return e.id;
    case 'burn':
      return burnFactor(e.kpis) ?? 0;
    case 'variance':
      return e.kpis.budgetVariance ?? 0;
    case 'margin':
      return e.kpis.revenueMargin ?? 0;
    case 'profit':
      return e.profit?.value ?? 0;
  }
}

/** Whole euros with thousands separators: amounts are compared down a column, not read as orders of magnitude. */
const eur = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${Math.round(v).toLocaleString('en')} EUR`;
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);

function ProfitCell(props: { profit: Profit | null | undefined }) {
  const p = props.profit;
  if (p === undefined) return <span class="muted">predicting…</span>;
  if (p === null) return <span class="muted">no prediction</span>;
  return (
    <>
      <strong>{eur(p.value)}</strong>
      <span class="type">
        {Math.round(p.interval.level * 100)}% interval {eur(p.interval.lower)} to {eur(p.interval.upper)}
        {p.actual !== null && ` · ${p.closed ? 'final' : 'so far'} ${eur(p.actual)}`}
      </span>
    </>
  );
}

export function PortfolioPage({ info }: PortfolioPageProps) {
  const models = useMemo(() => portfolioModels(info), [info]);
  const [portfolio, setPortfolio] = useState<Portfolio | null>(null);
  const [progress, setProgress] = useState<{ read: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [profitError, setProfitError] = useState<string | null>(null);
  const [reads, setReads] = useState(0);
  const [changed, setChanged] = useState(0);
  const [group, setGroup] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'burn', descending: true });

  useEffect(() => {
    if (models.length === 0) return;
    const abort = new AbortController();
    setError(null);
    setProfitError(null);
    setProgress(null);
    setChanged(0);
    (async () => {
      const read = await readPortfolio(info, (r, total) => setProgress({ read: r, total }), abort.signal);
      setPortfolio(read);
      // The list stands without the predictions: a failure to predict is said, not made the page's failure.
      const profits = await readProfits(info, read.anomalous, abort.signal).catch((e: unknown) => {
        if (!abort.signal.aborted) setProfitError(errorMessage(e));
        return new Map<string, null>();
      });
      for (const e of read.anomalous) e.profit = profits.get(e.id) ?? null;
      setPortfolio({ ...read });
    })().catch((e: unknown) => {
      if (!abort.signal.aborted) setError(errorMessage(e));
    });
    return () => abort.abort();
  }, [info, models, reads]);

  // Engagements written after the read (by anyone) make it stale: say so rather than move rows under the reader.
  useEffect(() => {
    if (models.length === 0) return;
    const sub = new LiveSubscription(
      'subscription ($models: [String!], $since: Long) { twinChanged(models: $models, since: $since) { seq twinId } }',
      { models: models.map((m) => m.modelId) },
      () => setChanged((n) => n + 1),
    );
    return () => sub.stop();
  }, [models]);

  if (models.length === 0)
    return (
      <section class="page-body empty" aria-labelledby="portfolio-title" data-testid="portfolio-unavailable">
        <h2 id="portfolio-title">Anomalous engagements</h2>
        <p>
          This server computes no engagement KPIs: the portfolio needs the analytics feature (TWINGRAPH_PLUGINS) and a
          model it applies to, such as the demo's Engagement.
        </p>
      </section>
    );

  const groups = portfolio ? [...new Set(portfolio.anomalous.map((e) => e.kpis.peerGroup ?? '—'))].sort() : [];
  const shown = (portfolio?.anomalous ?? [])
    .filter((e) => !group || (e.kpis.peerGroup ?? '—') === group)
    .sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      const order = x < y ? -1 : x > y ? 1 : 0;
      return sort.descending ? -order : order;
    });

  return (
    <section class="page-body portfolio" aria-labelledby="portfolio-title" data-testid="portfolio">
      <div class="row spread">
        <h2 id="portfolio-title">Anomalous engagements</h2>
        <button type="button" onClick={() => setReads((r) => r + 1)} data-testid="portfolio-refresh">
          Refresh
        </button>
      </div>
      <p class="muted">
        Engagements whose burn index (the share of budget spent over the share of planned time gone) is far outside that
        of their peers, the engagements of the same service line (a robust z-score beyond 3.5).
      </p>
      {error && (
        <div class="error" role="alert">
          <p>The portfolio could not be read: {error}</p>
          <button type="button" onClick={() => setReads((r) => r + 1)}>
            Try again
          </button>
        </div>
      )}
      <p role="status" data-testid="portfolio-summary">
        {portfolio
          ? `${portfolio.anomalous.length} of ${portfolio.total.toLocaleString('en')} engagements flagged as anomalous, read ${formatTime(new Date(portfolio.readAt).toISOString())}.`
          : !error
            ? `Reading the engagements' KPIs…${progress ? ` ${progress.read.toLocaleString('en')} of ${progress.total.toLocaleString('en')}` : ''}`
            : ''}
      </p>
      {profitError && (
        <p class="error" role="alert">
          The profit predictions could not be read: {profitError}
        </p>
      )}
      {changed > 0 && portfolio && (
        <p class="notice" role="status" data-testid="portfolio-stale">
          {changed === 1 ? 'An engagement has' : `${changed} engagement changes have`} been written since this was read.{' '}
          <button type="button" class="link" onClick={() => setReads((r) => r + 1)}>
            Read again
          </button>
        </p>
      )}
      {portfolio && portfolio.anomalous.length === 0 && (
        <div class="empty" data-testid="portfolio-empty">
          <p>No engagement is flagged: every burn index is within its peers'.</p>
        </div>
      )}
      {portfolio && portfolio.anomalous.length > 0 && (
        <>
          <div class="row">
            <label for="portfolio-group">Service line</label>
            <select id="portfolio-group" value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
              <option value="">every service line ({portfolio.anomalous.length})</option>
              {groups.map((g) => (
                <option key={g} value={g}>
                  {g} ({portfolio.anomalous.filter((e) => (e.kpis.peerGroup ?? '—') === g).length})
                </option>
              ))}
            </select>
          </div>
          <div class="table-scroll">
            <table class="grid-table cards" data-testid="anomalies">
              <caption class="visually-hidden">
                Anomalous engagements, sorted by {COLUMNS.find((c) => c.key === sort.key)!.label}{' '}
                {sort.descending ? 'descending' : 'ascending'}
              </caption>
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th
                      key={c.label}
                      scope="col"
                      aria-sort={
                        c.key && c.key === sort.key ? (sort.descending ? 'descending' : 'ascending') : undefined
                      }
                    >
                      {c.key ? (
                        <button
                          type="button"
                          class="link"
                          onClick={() =>
                            setSort((s) => ({
                              key: c.key!,
                              descending: s.key === c.key ? !s.descending : c.key !== 'id',
                            }))
                          }
                        >
                          {c.label}
                          <span aria-hidden="true">{c.key === sort.key ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                        </button>
                      ) : (
                        c.label
                      )}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => {
                  const factor = burnFactor(e.kpis);
                  return (
                    <tr key={e.id} data-engagement={e.id}>
                      <th scope="row" data-label="Engagement">
                        <a href={href('graph', { twin: e.id })} data-testid={`open-${e.id}`}>
                          {e.id}
                        </a>
                        <span class="type">
                          {e.title ?? ''}
                          {e.status && ` · ${e.status}`}
                        </span>
                      </th>
                      <td data-label="Service line">
                        {e.kpis.peerGroup ?? '—'} <span class="type">{e.kpis.peerCount} peers</span>
                      </td>
                      <td data-label="Burn index vs peers">
                        {e.kpis.burnIndex === null ? '—' : formatNumber(e.kpis.burnIndex)}
                        <span class="type">
                          peers' median{' '}
                          {e.kpis.peerMedianBurnIndex === null ? '—' : formatNumber(e.kpis.peerMedianBurnIndex)}
                          {factor !== null && ` · ×${factor.toFixed(1)}`}
                        </span>
                      </td>
                      <td data-label="Budget variance">
                        {eur(e.kpis.budgetVariance)}
                        <span class="type">{pct(e.kpis.budgetVarianceRatio)} of budget</span>
                      </td>
                      <td data-label="Margin" class="number">
                        {pct(e.kpis.revenueMargin)}
                      </td>
                      <td data-label="Predicted profit">
                        <ProfitCell profit={e.profit} />
                      </td>
                      <td data-label="Why it is flagged" class="reason">
                        {e.kpis.anomalyReason ?? 'flagged'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
