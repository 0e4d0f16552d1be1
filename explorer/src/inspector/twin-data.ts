// One twin as the inspector reads it: its ADT JSON (properties and components), ETag, and relationships both
// ways, with the ETag-checked write of a property.
import { gql } from '../api/graphql';

export interface TwinRelationship {
  id: string;
  name: string;
  sourceId: string;
  targetId: string;
  properties: Record<string, unknown>;
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
    relationships { id: relationshipId name sourceId targetId properties }
    incomingRelationships { id: relationshipId name sourceId targetId properties }
  }
}`;

export async function readTwin(id: string): Promise<TwinData | null> {
  return (await gql<{ twin: TwinData | null }>(TWIN, { id })).twin;
}

const PATCH = `mutation ($id: ID!, $ifMatch: String, $patch: [JsonPatchOperation!]!) {
  patchTwin(id: $id, ifMatch: $ifMatch, patch: $patch) { id etag }
}`;

/** JSON Pointer escaping of one path segment (RFC 6901). */
export function pointer(...segments: string[]): string {
  return segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
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
  const op =
    value === undefined
      ? { op: 'remove', path: pointer(...path) }
      : { op: exists ? 'replace' : 'add', path: pointer(...path), value };
  const data = await gql<{ patchTwin: { etag: string } }>(PATCH, { id, ifMatch: etag, patch: [op] });
  return data.patchTwin.etag;
}
