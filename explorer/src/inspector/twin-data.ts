// One twin as the inspector reads it: its ADT JSON (properties and components), ETag, and relationships both
// ways with their own ETags and properties; and the ETag-checked writes of a twin's property and of a
// relationship's property.
import { gql } from '../api/graphql';

export interface TwinRelationship {
  id: string;
  name: string;
  sourceId: string;
  targetId: string;
  etag: string;
  properties: Record<string, unknown>;
  /** The model of the source twin, which declares the relationship and its properties. */
  sourceModelId: string | null;
}

export interface TwinData {
  id: string;
  modelId: string;
  etag: string;
  lastUpdateTime: string;
  json: Record<string, unknown>;
  relationships: TwinRelationship[];
  incomingRelationships: TwinRelationship[];
}

const TWIN = `query ($id: ID!) {
  twin(id: $id) {
    id modelId etag lastUpdateTime json
    relationships { id: relationshipId name sourceId targetId etag properties }
    incomingRelationships { id: relationshipId name sourceId targetId etag properties source { modelId } }
  }
}`;

type Read = Omit<TwinData, 'relationships' | 'incomingRelationships'> & {
  relationships: Omit<TwinRelationship, 'sourceModelId'>[];
  incomingRelationships: (Omit<TwinRelationship, 'sourceModelId'> & { source: { modelId: string } | null })[];
};

export async function readTwin(id: string): Promise<TwinData | null> {
  const { twin } = await gql<{ twin: Read | null }>(TWIN, { id });
  if (!twin) return null;
  return {
    ...twin,
    relationships: twin.relationships.map((r) => ({ ...r, sourceModelId: twin.modelId })),
    incomingRelationships: twin.incomingRelationships.map(({ source, ...r }) => ({
      ...r,
      sourceModelId: source?.modelId ?? null,
    })),
  };
}

const PATCH = `mutation ($id: ID!, $ifMatch: String, $patch: [JsonPatchOperation!]!) {
  patchTwin(id: $id, ifMatch: $ifMatch, patch: $patch) { id etag }
}`;

/** JSON Pointer escaping of one path segment (RFC 6901). */
export function pointer(...segments: string[]): string {
  return segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function operation(path: string[], value: unknown, exists: boolean) {
  return value === undefined
    ? { op: 'remove', path: pointer(...path) }
    : { op: exists ? 'replace' : 'add', path: pointer(...path), value };
}

/**
 * Sets (or, with `undefined`, removes) a property, only if the twin still has `etag`: a PreconditionFailed
 * GraphQLFailure otherwise. Returns the new ETag.
 */
export async function writeProperty(
  id: string,
  etag: string,
  path: string[],
  value: unknown,
  exists: boolean,
): Promise<string> {
  const data = await gql<{ patchTwin: { etag: string } }>(PATCH, {
    id,
    ifMatch: etag,
    patch: [operation(path, value, exists)],
  });
  return data.patchTwin.etag;
}

export interface RelationshipState {
  readonly etag: string;
  readonly properties: Record<string, unknown>;
}

const RELATIONSHIP = `query ($sourceId: ID!, $id: ID!) { relationship(sourceId: $sourceId, id: $id) { etag properties } }`;

/** A relationship as it is now; null when it is gone. */
export async function readRelationship(sourceId: string, id: string): Promise<RelationshipState | null> {
  return (await gql<{ relationship: RelationshipState | null }>(RELATIONSHIP, { sourceId, id })).relationship;
}

const UPDATE_RELATIONSHIP = `mutation ($sourceId: ID!, $id: ID!, $ifMatch: String, $patch: [JsonPatchOperation!]!) {
  updateRelationship(sourceId: $sourceId, id: $id, ifMatch: $ifMatch, patch: $patch) { etag }
}`;

/**
 * Sets (or, with `undefined`, removes) a relationship's property, only if the relationship still has `etag`:
 * a PreconditionFailed GraphQLFailure otherwise. Returns the new ETag.
 */
export async function writeRelationshipProperty(
  relationship: { sourceId: string; id: string },
  etag: string,
  name: string,
  value: unknown,
  exists: boolean,
): Promise<string> {
  const data = await gql<{ updateRelationship: { etag: string } }>(UPDATE_RELATIONSHIP, {
    sourceId: relationship.sourceId,
    id: relationship.id,
    ifMatch: etag,
    patch: [operation([name], value, exists)],
  });
  return data.updateRelationship.etag;
}
