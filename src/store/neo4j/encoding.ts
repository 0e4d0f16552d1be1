/**
 * How twins and relationships are stored in Neo4j, which cannot hold maps, nested objects, arrays of
 * objects or mixed arrays as property values.
 *
 * A twin is a node labelled `Twin` plus one label per model it is of (its model and every ancestor, the
 * DTMI as the label: `Twin:`dtmi:example:Room;1`:`dtmi:example:Space;1``). Its properties:
 *
 * | key | value |
 * | --- | --- |
 * | `$dtId` | the twin id (unique) |
 * | `_etag`, `_model` | the ETag and the model id |
 * | `_body` | the twin's ADT JSON, verbatim: what reads return |
 * | `_paths` | every JSON path the twin has, dotted (`address`, `address.city`): what `exists` filters read |
 * | `_types` | `path=type` for each scalar leaf (`address.city=string`): what keeps comparisons to one JSON type |
 * | one key per scalar leaf, by dotted path | `temperature: 21.5`, `address.city: "Oslo"`, `thermostat.setPoint: 20` |
 * | one key per array of scalars of one type | stored as a Neo4j list |
 *
 * Objects, maps and components contribute their leaves; keys of `$metadata` are not flattened; arrays of
 * objects and mixed arrays exist only in `_body` and `_paths`. A path segment that is not a letter, digit,
 * `_` or `-` string is not flattened (it could not be queried: see query.ts). So a filter on `address.city`
 * compiles to ``t.`address.city` `` and can use a range index created by ensurePropertyIndexes.
 *
 * A relationship is a Neo4j relationship typed by its DTDL name, from the source twin to the target, with
 * `$relationshipId`, `_etag`, `_body`, `_paths` and flattened properties in the same way.
 */
import type { JsonValue, Relationship, Twin } from '../types';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

export type NodeProperties = Record<string, string | number | boolean | string[] | number[] | boolean[]>;

function scalarList(values: JsonValue[]): string[] | number[] | boolean[] | undefined {
  if (values.length === 0) return [];
  const type = typeof values[0];
  if (type !== 'string' && type !== 'number' && type !== 'boolean') return undefined;
  return values.every((v) => typeof v === type) ? (values as string[] | number[] | boolean[]) : undefined;
}

/** Flattens an ADT document's properties (not its `$` fields) into Neo4j-storable properties, paths and leaf types. */
export function flatten(document: Record<string, unknown>): {
  properties: NodeProperties;
  paths: string[];
  types: string[];
} {
  const properties: NodeProperties = {};
  const paths: string[] = [];
  const types: string[] = [];
  const walk = (value: unknown, path: string): void => {
    paths.push(path);
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      const list = scalarList(value as JsonValue[]);
      if (list) properties[path] = list;
      return;
    }
    if (typeof value === 'object') {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        if (key.startsWith('$') || !SEGMENT.test(key) || child === null) continue;
        walk(child, `${path}.${key}`);
      }
      return;
    }
    properties[path] = value as string | number | boolean;
    types.push(typedPath(path, value as string | number | boolean));
  };
  for (const [key, value] of Object.entries(document)) {
    if (key.startsWith('$') || !SEGMENT.test(key) || value === null) continue;
    walk(value, key);
  }
  return { properties, paths, types };
}

/** The `_types` entry of a scalar at a path: `address.city=string`. */
export function typedPath(path: string, value: string | number | boolean): string {
  return `${path}=${typeof value}`;
}

/** The Neo4j property key of a query path: the dotted path. */
export function propertyKey(path: readonly string[]): string {
  return path.join('.');
}

/** A name or key between backticks; callers pass only checked names, DTMIs and dotted paths (no backticks). */
export function quote(identifier: string): string {
  if (identifier.includes('`')) throw new Error(`identifier with a backtick: ${identifier}`);
  return `\`${identifier}\``;
}

/** The node or relationship properties that store an ADT document, with `system` ones beside them (`$` fields are not flattened). */
export function storedProperties(
  document: Twin | Relationship,
  system: Record<string, unknown>,
): Record<string, unknown> {
  const { properties, paths, types } = flatten(document);
  return { ...properties, ...system, _body: JSON.stringify(document), _paths: paths, _types: types };
}
