// The portfolio's data: every engagement with its KPIs, read page by page through the typed list of each model
// the analytics give KPIs to, and the profit prediction (with its interval) of those flagged as anomalous. The
// server has no filter on a computed KPI, so the flag is read for every engagement and filtered here: a few
// hundred engagements cost one or two requests.
import { gql } from '../api/graphql';
import { hasField, listFieldOf } from '../api/schema';
import type { ServerInfo } from '../server-info';

export interface PortfolioModel {
  readonly modelId: string;
  readonly graphqlType: string;
  readonly listField: string;
}

export interface Kpis {
  readonly anomaly: boolean;
  readonly anomalyReason: string | null;
  readonly burnIndex: number | null;
  readonly peerGroup: string | null;
  readonly peerCount: number;
  readonly peerMedianBurnIndex: number | null;
  readonly budgetVariance: number | null;
  readonly budgetVarianceRatio: number | null;
  readonly revenueMargin: number | null;
}

export interface Profit {
  readonly value: number;
  readonly actual: number | null;
  readonly closed: boolean;
  readonly interval: { readonly lower: number; readonly upper: number; readonly level: number };
}

export interface Engagement {
  readonly id: string;
  readonly modelId: string;
  /** Its title (or name), when it has one. */
  readonly title: string | null;
  readonly status: string | null;
  readonly budget: number | null;
  readonly spend: number | null;
  readonly kpis: Kpis;
  /** Undefined until read (only anomalous ones are), null when the model cannot predict it. */
  profit?: Profit | null;
}

export interface Portfolio {
  readonly total: number;
  readonly anomalous: Engagement[];
  readonly readAt: number;
}

/**
 * The models whose twins have KPIs (the analytics' engagement model, on the demo), leaving out those that extend
 * another one of them: a model's list already holds its subtypes' twins.
 */
export function portfolioModels(info: ServerInfo): PortfolioModel[] {
  const found = info.catalogue.models.flatMap((m) => {
    if (!m.graphqlType || !hasField(info.schema, m.graphqlType, 'kpis')) return [];
    const listField = listFieldOf(info.schema, m.graphqlType);
    return listField ? [{ modelId: m.id, graphqlType: m.graphqlType, listField }] : [];
  });
  const ids = new Set(found.map((m) => m.modelId));
  return found.filter((m) => !info.catalogue.byId.get(m.modelId)?.ancestors.some((a) => ids.has(a)));
}

const PAGE = 250;
const KPIS =
  'anomaly anomalyReason burnIndex peerGroup peerCount peerMedianBurnIndex budgetVariance budgetVarianceRatio revenueMargin';

interface Page {
  page: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: { id: string; modelId: string; json: Record<string, unknown>; kpis: Kpis }[];
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function number(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** Reads every engagement's KPIs and keeps the anomalous ones; `onProgress` after each page. */
export async function readPortfolio(
  info: ServerInfo,
  onProgress: (read: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Portfolio> {
  const anomalous: Engagement[] = [];
  let total = 0;
  for (const model of portfolioModels(info)) {
    const query = `query ($after: String) { page: ${model.listField}(first: ${PAGE}, after: $after, orderBy: [{ id: ASC }]) {
      totalCount pageInfo { hasNextPage endCursor } nodes { id modelId json ... on ${model.graphqlType} { kpis { ${KPIS} } } }
    } }`;
    let after: string | null = null;
    let read = 0;
    for (;;) {
      const data: Page = await gql<Page>(query, { after }, signal);
      read += data.page.nodes.length;
      onProgress(total + read, total + data.page.totalCount);
      for (const n of data.page.nodes)
        if (n.kpis.anomaly)
          anomalous.push({
            id: n.id,
            modelId: n.modelId,
            title: text(n.json.title) ?? text(n.json.name),
            status: text(n.json.status),
            budget: number(n.json.budget),
            spend: number(n.json.spend),
            kpis: n.kpis,
          });
      if (!data.page.pageInfo.hasNextPage || !data.page.pageInfo.endCursor) {
        total += data.page.totalCount;
        break;
      }
      after = data.page.pageInfo.endCursor;
    }
  }
  return { total, anomalous, readAt: Date.now() };
}

/** The profit predictions of some engagements, by id (null where the model cannot predict one). */
export async function readProfits(
  info: ServerInfo,
  engagements: readonly Engagement[],
  signal?: AbortSignal,
): Promise<Map<string, Profit | null>> {
  const types = [...new Set(engagements.map((e) => info.catalogue.byId.get(e.modelId)?.graphqlType))].filter(
    (t): t is string => !!t && hasField(info.schema, t, 'profitPrediction'),
  );
  if (types.length === 0 || engagements.length === 0 || !hasField(info.schema, 'Query', 'nodes')) return new Map();
  const fragments = types
    .map((t) => `... on ${t} { profitPrediction { value actual closed interval { lower upper level } } }`)
    .join(' ');
  const data = await gql<{ nodes: ({ id: string; profitPrediction?: Profit | null } | null)[] }>(
    `query ($ids: [ID!]!) { nodes(ids: $ids) { id ${fragments} } }`,
    { ids: engagements.map((e) => e.id) },
    signal,
  );
  return new Map(data.nodes.flatMap((n) => (n ? [[n.id, n.profitPrediction ?? null]] : [])));
}

/** How far an engagement's burn index is from its peers' median, as a factor (2 = twice as fast). */
export function burnFactor(k: Kpis): number | null {
  if (k.burnIndex === null || !k.peerMedianBurnIndex) return null;
  return k.burnIndex / k.peerMedianBurnIndex;
}
