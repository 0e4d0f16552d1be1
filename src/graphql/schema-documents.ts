/**
 * The schema as clients consume it: its SDL (types sorted by name, as schema/schema.graphql holds it) and the
 * `possibleTypes` map that Apollo Client's and urql's caches need to match fragments on interfaces — every
 * model is an interface with an object type beside it, so without the map a client cache silently drops the
 * fields of `... on Device`. Both are derived from a schema once and kept with it (the schema changes only
 * when models do), so serving them on every poll costs a lookup.
 */
import { createHash } from 'node:crypto';
import { isAbstractType, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';

export interface SchemaDocuments {
  /** The SDL, types sorted by name, ending with a newline. */
  readonly sdl: string;
  /** Each interface or union → the object types that can stand for it, sorted. */
  readonly possibleTypes: Readonly<Record<string, readonly string[]>>;
  /** A strong ETag of each, for clients that poll (If-None-Match). */
  readonly sdlEtag: string;
  readonly possibleTypesEtag: string;
}

const documents = new WeakMap<GraphQLSchema, SchemaDocuments>();

const etagOf = (text: string): string => `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;

/** The SDL of a schema, types sorted by name. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** Apollo Client's `possibleTypes` (and urql's) for a schema. */
export function possibleTypesOf(schema: GraphQLSchema): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const type of Object.values(schema.getTypeMap()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!isAbstractType(type) || type.name.startsWith('__')) continue;
    map[type.name] = schema
      .getPossibleTypes(type)
      .map((t) => t.name)
      .sort();
  }
  return map;
}

/** The documents of a schema, computed on first use and kept for as long as the schema lives. */
export function schemaDocuments(schema: GraphQLSchema): SchemaDocuments {
  let found = documents.get(schema);
  if (!found) {
    const sdl = printSortedSchema(schema);
    const possibleTypes = possibleTypesOf(schema);
    const json = JSON.stringify(possibleTypes);
    found = { sdl, possibleTypes, sdlEtag: etagOf(sdl), possibleTypesEtag: etagOf(json) };
    documents.set(schema, found);
  }
  return found;
}
