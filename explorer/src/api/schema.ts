// The live GraphQL schema, read from GET /graphql/schema.graphql: which fields each type has, so that the
// Explorer asks only for what this server offers (predictions exist only with the analytics plugin and the
// demo's models; a model uploaded a minute ago has a list field of its own). The SDL is printed by graphql-js,
// one field a line, so a small line reader is enough and keeps graphql-js out of the bundle.
import { authHeaders, gql, GraphQLFailure, type GqlError } from './graphql';
import { httpEndpoint } from './connection';

export interface SchemaField {
  readonly name: string;
  /** The field's type as printed, e.g. `DeviceConnection!` or `[Relationship!]!`. */
  readonly type: string;
}

export interface SchemaIndex {
  /** Fields by type name (object types and interfaces). */
  readonly types: ReadonlyMap<string, ReadonlyMap<string, SchemaField>>;
  /** The enum types' names. */
  readonly enums: ReadonlySet<string>;
}

export function hasField(schema: SchemaIndex, type: string, field: string): boolean {
  return schema.types.get(type)?.has(field) ?? false;
}

/** The root list field returning `<graphqlType>Connection` (e.g. `devices` for Device). */
export function listFieldOf(schema: SchemaIndex, graphqlType: string): string | undefined {
  const query = schema.types.get('Query');
  if (!query) return undefined;
  for (const field of query.values()) if (field.type === `${graphqlType}Connection!`) return field.name;
  return undefined;
}

export function parseSdl(sdl: string): SchemaIndex {
  const types = new Map<string, Map<string, SchemaField>>();
  const enums = new Set<string>();
  let current: Map<string, SchemaField> | undefined;
  let inDescription = false;
  let argDepth = 0;
  let pendingName: string | undefined;
  for (const raw of sdl.split('\n')) {
    const line = raw.trim();
    // Block descriptions ("""…""") may hold anything, braces included.
    const quotes = (line.match(/"""/g) ?? []).length;
    if (inDescription) {
      if (quotes % 2 === 1) inDescription = false;
      continue;
    }
    if (quotes % 2 === 1) {
      inDescription = true;
      continue;
    }
    if (quotes > 0 || line.startsWith('"') || line === '') continue;
    const enumHead = /^enum\s+(\w+)/.exec(line);
    if (enumHead) enums.add(enumHead[1]!);
    const head = /^(?:type|interface)\s+(\w+)[^{]*\{$/.exec(line);
    if (head) {
      current = new Map();
      types.set(head[1]!, current);
      continue;
    }
    if (line === '}') {
      current = undefined;
      continue;
    }
    if (!current) continue;
    // A field whose arguments span lines: `name(` … `): Type`.
    if (argDepth > 0) {
      const close = /^\):\s*(.+)$/.exec(line);
      if (close && --argDepth === 0 && pendingName) current.set(pendingName, { name: pendingName, type: close[1]! });
      continue;
    }
    const open = /^(\w+)\($/.exec(line);
    if (open) {
      argDepth = 1;
      pendingName = open[1];
      continue;
    }
    const field = /^(\w+)(?:\(.*\))?:\s*(.+?)(?:\s+@.*)?$/.exec(line);
    if (field) current.set(field[1]!, { name: field[1]!, type: field[2]! });
  }
  return { types, enums };
}

interface TypeRef {
  name: string | null;
  kind: string;
  ofType?: TypeRef | null;
}

function printType(t: TypeRef): string {
  if (t.kind === 'NON_NULL') return `${printType(t.ofType!)}!`;
  if (t.kind === 'LIST') return `[${printType(t.ofType!)}]`;
  return t.name ?? '?';
}

const INTROSPECTION = `{ __schema { types { name kind fields(includeDeprecated: true) { name type {
  name kind ofType { name kind ofType { name kind ofType { name kind } } } } } } } }`;

/** The same index from introspection over POST (CORS-enabled), for a server on another origin. */
async function introspect(): Promise<SchemaIndex> {
  const data = await gql<{
    __schema: { types: { name: string; kind: string; fields: { name: string; type: TypeRef }[] | null }[] };
  }>(INTROSPECTION);
  const types = new Map<string, Map<string, SchemaField>>();
  const enums = new Set(data.__schema.types.filter((t) => t.kind === 'ENUM').map((t) => t.name));
  for (const t of data.__schema.types)
    if (t.fields) types.set(t.name, new Map(t.fields.map((f) => [f.name, { name: f.name, type: printType(f.type) }])));
  return { types, enums };
}

export async function loadSchema(): Promise<SchemaIndex> {
  // Another origin's /graphql/schema.graphql does not answer CORS requests; its GraphQL endpoint does.
  if (new URL(httpEndpoint()).origin !== location.origin) return introspect();
  let response: Response;
  try {
    response = await fetch(`${httpEndpoint()}/schema.graphql`, { headers: authHeaders() });
  } catch {
    return introspect();
  }
  if (!response.ok) {
    // The server's own errors (UNAUTHENTICATED for a missing key…), so that the shell can say what to do.
    let errors: GqlError[] = [];
    try {
      errors = ((await response.json()) as { errors?: GqlError[] }).errors ?? [];
    } catch {
      // Not JSON: the status says enough.
    }
    if (errors.length === 0) errors = [{ message: `The schema could not be read (HTTP ${response.status}).` }];
    throw new GraphQLFailure(errors, response.status);
  }
  return parseSdl(await response.text());
}
