// The models the server knows, as the `models` query gives them (contents own and inherited, ancestors,
// what extends them), with what the views need besides: the GraphQL type of each and a stable colour.
import { gql } from './graphql';

export interface ModelContent {
  readonly name: string;
  readonly kind: string;
  readonly schema: string | null;
  readonly target: string | null;
  readonly graphqlField: string | null;
  readonly definedIn: string;
  readonly unit: string | null;
  readonly semanticTypes: readonly string[];
  readonly writable: boolean | null;
  readonly displayName: string | null;
  readonly description: string | null;
}

export interface ModelInfo {
  readonly id: string;
  readonly graphqlType: string | null;
  readonly extends: readonly string[];
  readonly ancestors: readonly string[];
  readonly extendedBy: readonly string[];
  readonly decommissioned: boolean;
  readonly displayName: Record<string, string> | string | null;
  readonly description: Record<string, string> | string | null;
  readonly contents: readonly ModelContent[];
  readonly dtdl: unknown;
  readonly uploadTime: string;
}

export const MODELS_QUERY = `{
  models {
    id graphqlType extends ancestors extendedBy decommissioned displayName description dtdl uploadTime
    contents { name kind schema target graphqlField definedIn unit semanticTypes writable displayName description }
  }
}`;

export interface Catalogue {
  readonly models: readonly ModelInfo[];
  readonly byId: ReadonlyMap<string, ModelInfo>;
  colour(modelId: string): string;
}

// Colours told apart on light and dark backgrounds (Tableau 10, then a second lighter round).
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#86bcb6',
  '#d4a6c8',
  '#8cd17d',
  '#f1ce63',
  '#a0cbe8',
  '#ffbe7d',
];

export function catalogueOf(models: readonly ModelInfo[]): Catalogue {
  const byId = new Map(models.map((m) => [m.id, m]));
  const index = new Map(models.map((m, i) => [m.id, i]));
  return {
    models,
    byId,
    // By upload order: the same model keeps its colour while others are uploaded after it.
    colour: (modelId) => {
      const i = index.get(modelId);
      if (i === undefined) return '#888888';
      return PALETTE[i % PALETTE.length]!;
    },
  };
}

export async function loadCatalogue(): Promise<Catalogue> {
  const data = await gql<{ models: ModelInfo[] }>(MODELS_QUERY);
  return catalogueOf(data.models);
}

/** A model's display name in English (or any language), else the last segment of its DTMI. */
export function modelLabel(model: ModelInfo | undefined, id: string): string {
  const name = model?.displayName;
  if (typeof name === 'string') return name;
  if (name && typeof name === 'object') return name.en ?? Object.values(name)[0] ?? shortId(id);
  return shortId(id);
}

export function shortId(dtmi: string): string {
  return dtmi
    .replace(/^dtmi:/, '')
    .split(':')
    .pop()!
    .replace(/;\d+$/, '');
}
