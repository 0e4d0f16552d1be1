/**
 * Engagement KPIs: budget variance, revenue margin, duration, and whether the engagement burns money far
 * faster (or slower) than its peers. Pure functions of the engagements' properties and a clock.
 *
 * The anomaly test compares burn indices, not raw spend per day (which mostly measures size): an
 * engagement's share of budget spent divided by its share of planned time gone. 1 is on plan. Peers are the
 * engagements of the same service line; an engagement is flagged when its log burn index is more than
 * ANOMALY_Z robust standard deviations (1.4826 × the median absolute deviation) from the peers' median.
 *
 * Time gone is measured to the time the facts are as of (`asOf`: the newest spend reading), not to the
 * clock: spend and time are then taken at the same moment, and a data set gives the same KPIs whenever it is
 * read. The `now` argument is only the fallback for facts that do not say.
 */
import { median, medianAbsoluteDeviation } from './stats';

const DAY_MS = 86_400_000;
/** Robust z beyond which a burn index is anomalous (Iglewicz and Hoaglin's 3.5). */
export const ANOMALY_Z = 3.5;
/** Fewer peers than this in a service line and the whole portfolio is the peer group. */
export const MIN_PEERS = 8;

export interface EngagementFacts {
  readonly id: string;
  readonly budget?: number;
  readonly spend?: number;
  readonly revenue?: number;
  /** ISO dates. */
  readonly startDate?: string;
  readonly endDate?: string;
  readonly status?: string;
  /** The service line it uses (the offering's `line`), when known. */
  readonly offering?: string;
  /**
   * When the facts are as of (epoch ms): the time of the newest spend reading (`spendToDate`). A running
   * engagement's elapsed time runs to it; without it, to the `now` the functions are given.
   */
  readonly asOf?: number;
}

export interface EngagementKpis {
  /** Budget minus spend, EUR: positive while under budget. */
  readonly budgetVariance: number | null;
  /** Budget variance as a share of budget. */
  readonly budgetVarianceRatio: number | null;
  /** (Revenue − spend) / revenue. */
  readonly revenueMargin: number | null;
  /** End date minus start date, in days (planned while open, actual once closed). */
  readonly durationDays: number | null;
  /** Days from the start to the facts' `asOf` (else now), or to the end once closed. */
  readonly elapsedDays: number | null;
  /** Spend per elapsed day, EUR. */
  readonly burnRatePerDay: number | null;
  /** Share of budget spent ÷ share of planned time gone: 1 is on plan. */
  readonly burnIndex: number | null;
  readonly anomaly: boolean;
  readonly anomalyReason: string | null;
  /** The group the burn index was compared with (the engagement itself included), its size and median burn index. */
  readonly peerGroup: string | null;
  readonly peerCount: number;
  readonly peerMedianBurnIndex: number | null;
}

export interface PeerGroup {
  readonly name: string;
  readonly count: number;
  readonly medianLog: number;
  /** 1.4826 × MAD of the log burn indices (1.2533 × their mean absolute deviation when the MAD is 0): a robust standard deviation. */
  readonly scale: number;
}

export interface PeerStats {
  readonly byLine: ReadonlyMap<string, PeerGroup>;
  readonly all: PeerGroup | undefined;
}

const num = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

function days(from: string | undefined, to: string | undefined): number | null {
  const a = from ? Date.parse(from) : NaN;
  const b = to ? Date.parse(to) : NaN;
  return Number.isFinite(a) && Number.isFinite(b) ? Math.round((b - a) / DAY_MS) : null;
}

function elapsed(e: EngagementFacts, now: number): number | null {
  const start = e.startDate ? Date.parse(e.startDate) : NaN;
  if (!Number.isFinite(start)) return null;
  // Once closed, its time is its actual length, whatever time it is (or its data is) now.
  if (e.status === 'closed') return days(e.startDate, e.endDate);
  const at = num(e.asOf) ? e.asOf : now;
  if (start > at) return null;
  return Math.max(0, (at - start) / DAY_MS);
}

/** Share of budget spent per share of planned time gone; null before the start or without a budget. */
export function burnIndex(e: EngagementFacts, now: number): number | null {
  const gone = elapsed(e, now);
  const duration = days(e.startDate, e.endDate);
  if (
    gone === null ||
    gone < 1 ||
    duration === null ||
    duration <= 0 ||
    !num(e.budget) ||
    e.budget <= 0 ||
    !num(e.spend) ||
    e.spend <= 0
  )
    return null;
  const timeShare = e.status === 'closed' ? 1 : Math.min(gone / duration, 1.5);
  return e.spend / e.budget / timeShare;
}

function group(name: string, indices: readonly number[]): PeerGroup | undefined {
  if (indices.length === 0) return undefined;
  const logs = indices.map(Math.log);
  const centre = median(logs);
  const mad = medianAbsoluteDeviation(logs);
  // When more than half the group sits at one value (engagements closed exactly on budget) the MAD is 0;
  // Iglewicz and Hoaglin then scale by the mean absolute deviation instead (1.2533 makes it a normal sd).
  const scale =
    mad > 0 ? 1.4826 * mad : 1.2533 * (logs.reduce((sum, x) => sum + Math.abs(x - centre), 0) / logs.length);
  return { name, count: logs.length, medianLog: centre, scale };
}

export function peerStats(engagements: readonly EngagementFacts[], now: number): PeerStats {
  const byLine = new Map<string, number[]>();
  const all: number[] = [];
  for (const e of engagements) {
    const index = burnIndex(e, now);
    if (index === null) continue;
    all.push(index);
    if (e.offering) {
      if (!byLine.has(e.offering)) byLine.set(e.offering, []);
      byLine.get(e.offering)!.push(index);
    }
  }
  const groups = new Map<string, PeerGroup>();
  for (const [line, indices] of byLine) {
    const g = group(line, indices);
    if (g && g.count >= MIN_PEERS) groups.set(line, g);
  }
  return { byLine: groups, all: group('all engagements', all) };
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;
const times = (x: number): string => `${x.toFixed(2)}×`;

export function engagementKpis(e: EngagementFacts, peers: PeerStats, now: number): EngagementKpis {
  const budgetVariance = num(e.budget) && num(e.spend) ? e.budget - e.spend : null;
  const gone = elapsed(e, now);
  const index = burnIndex(e, now);
  const peer = (e.offering && peers.byLine.get(e.offering)) || peers.all;
  let anomaly = false;
  let anomalyReason: string | null = null;
  if (index !== null && peer && peer.count >= MIN_PEERS && peer.scale > 0) {
    const z = (Math.log(index) - peer.medianLog) / peer.scale;
    if (Math.abs(z) > ANOMALY_Z) {
      anomaly = true;
      const peerMedian = Math.exp(peer.medianLog);
      const spentShare = e.spend! / e.budget!;
      const timeShare = e.status === 'closed' ? 1 : Math.min(gone! / days(e.startDate, e.endDate)!, 1.5);
      anomalyReason =
        `Spend burns at ${times(index)} the planned rate (${pct(spentShare)} of budget spent in ${pct(timeShare)} of the planned time), ` +
        `${z > 0 ? 'far above' : 'far below'} the ${peer.count} engagements of ${peer.name} it is compared with (median ${times(peerMedian)}; robust z = ${z.toFixed(1)}, threshold ${ANOMALY_Z}).`;
    }
  }
  return {
    budgetVariance,
    budgetVarianceRatio: budgetVariance !== null && num(e.budget) && e.budget !== 0 ? budgetVariance / e.budget : null,
    revenueMargin: num(e.revenue) && num(e.spend) && e.revenue > 0 ? (e.revenue - e.spend) / e.revenue : null,
    durationDays: days(e.startDate, e.endDate),
    elapsedDays: gone === null ? null : Math.round(gone * 10) / 10,
    burnRatePerDay: gone !== null && gone >= 1 && num(e.spend) ? e.spend / gone : null,
    burnIndex: index,
    anomaly,
    anomalyReason,
    peerGroup: peer?.name ?? null,
    peerCount: peer?.count ?? 0,
    peerMedianBurnIndex: peer ? Math.exp(peer.medianLog) : null,
  };
}
