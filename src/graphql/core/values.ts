/**
 * Runtime values behind the core types, and the reads of twin and relationship documents every twin type
 * shares (generated types use the same functions for their core fields).
 */
import type { Page, PageInfo } from '../../store/query';
import type { Relationship, Twin } from '../../store/types';

/** What a connection field resolves to: a page, and the count only when a client selects totalCount. */
export interface ConnectionValue<T> {
  readonly edges: { cursor: string; node: T }[];
  readonly nodes: T[];
  readonly pageInfo: PageInfo;
  readonly totalCount: () => Promise<number | null> | number | null;
}

export function connection<T>(page: Page<T>, count?: () => Promise<number>): ConnectionValue<T> {
  return {
    edges: page.items.map((node, i) => ({ cursor: page.cursors[i], node })),
    nodes: page.items,
    pageInfo: page.pageInfo,
    totalCount: () => page.totalCount ?? (count ? count() : null),
  };
}

/** The fields every twin type has, read from the ADT document. */
export const twinCoreFields = {
  id: (t: Twin): string => t.$dtId,
  etag: (t: Twin): string => t.$etag,
  modelId: (t: Twin): string => t.$metadata.$model,
  lastUpdateTime: (t: Twin): string => t.$metadata.$lastUpdateTime,
  metadata: (t: Twin): unknown => t.$metadata,
  json: (t: Twin): unknown => t,
};

export function relationshipProperties(r: Relationship): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!k.startsWith('$')) properties[k] = v;
  return properties;
}

export const relationshipFields = {
  id: (r: Relationship): string => r.$relationshipId,
  name: (r: Relationship): string => r.$relationshipName,
  sourceId: (r: Relationship): string => r.$sourceId,
  targetId: (r: Relationship): string => r.$targetId,
  etag: (r: Relationship): string => r.$etag,
  properties: relationshipProperties,
  json: (r: Relationship): unknown => r,
};

/** A telemetry series of a twin: what MetricSeries fields resolve from. */
export interface SeriesValue {
  readonly twinId: string;
  readonly name: string;
  readonly unit: string | null;
}
