// Reads twins and relationships into the twin graph: every twin of a model (or of all) or of a typed query,
// page by page; one twin with its neighbours; or one twin's relationships of one name. Each page carries the
// twins' outgoing relationships, so a whole graph costs a request per thousand twins.
import { gql, literal } from '../api/graphql';
import type { RelationshipRef, TwinGraph, TwinRef } from './twin-graph';

const PAGE = 1000;

interface PagedTwins {
  totalCount: number | null;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: (TwinRef & { relationships: { id: string; name: string; targetId: string }[] })[];
}

export interface LoadProgress {
  loaded: number;
  total: number | null;
}

export interface Start {
  /** `all`: every twin; `model`: twins of a model and its subtypes; `query`: a typed list with a where filter. */
  readonly kind: 'all' | 'model' | 'query';
  readonly modelId?: string;
  /** For `query`: the root list field (e.g. `engagements`) and the filter in GraphQL syntax. */
  readonly listField?: string;
  readonly where?: string;
}

function pageQuery(start: Start): string {
  const fields = `totalCount pageInfo { hasNextPage endCursor } nodes { id modelId relationships { id: relationshipId name targetId } }`;
  if (start.kind === 'query') {
    const where = start.where?.trim() ? `, where: ${start.where}` : '';
    return `query ($after: String) { page: ${start.listField}(first: ${PAGE}, after: $after${where}) { ${fields} } }`;
  }
  const where = start.kind === 'model' ? `, where: { isOf: ${literal(start.modelId ?? '')} }` : '';
  return `query ($after: String) { page: twins(first: ${PAGE}, after: $after${where}) { ${fields} } }`;
}

/** Loads every twin `start` selects; calls `onPage` after each page (the graph is drawn as it grows). */
export async function loadTwins(
  graph: TwinGraph,
  start: Start,
  onPage: (progress: LoadProgress) => void,
  signal?: AbortSignal,
): Promise<LoadProgress> {
  const query = pageQuery(start);
  let after: string | null = null;
  const progress: LoadProgress = { loaded: 0, total: null };
  for (;;) {
    const data: { page: PagedTwins } = await gql<{ page: PagedTwins }>(query, { after }, signal);
    const { page } = data;
    progress.total = page.totalCount;
    for (const twin of page.nodes) graph.addTwin(twin);
    for (const twin of page.nodes)
      for (const r of twin.relationships) graph.addRelationship({ ...r, sourceId: twin.id });
    progress.loaded += page.nodes.length;
    onPage(progress);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return progress;
    after = page.pageInfo.endCursor;
  }
}

interface Neighbourhood {
  twin:
    | (TwinRef & {
        relationships: (RelationshipRef & { target: TwinRef | null })[];
        incomingRelationships: (RelationshipRef & { source: TwinRef | null })[];
      })
    | null;
}

const NEIGHBOURHOOD = `query ($id: ID!, $name: String) {
  twin(id: $id) {
    id modelId
    relationships(name: $name) { id: relationshipId name sourceId targetId target { id modelId } }
    incomingRelationships(name: $name) { id: relationshipId name sourceId targetId source { id modelId } }
  }
}`;

/**
 * Adds a twin and its neighbours (of relationship `name`, or all), placed around it; returns how many twins
 * were new, or null when the twin does not exist.
 */
export async function expandTwin(graph: TwinGraph, id: string, name?: string): Promise<number | null> {
  const { twin } = await gql<Neighbourhood>(NEIGHBOURHOOD, { id, name: name ?? null });
  if (!twin) return null;
  let added = graph.addTwin(twin) ? 1 : 0;
  for (const r of twin.relationships) {
    if (r.target && graph.addTwin(r.target, twin.id)) added++;
    graph.addRelationship(r);
  }
  for (const r of twin.incomingRelationships) {
    if (r.source && graph.addTwin(r.source, twin.id)) added++;
    graph.addRelationship(r);
  }
  return added;
}
