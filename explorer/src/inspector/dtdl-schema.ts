// Reads what the `models` query summarises as a name (`Enum`, `Object`…) from the model's own DTDL: an enum's
// values, so that an enum property is edited with a list of its values rather than free text.
import type { Catalogue } from '../api/models';

export interface EnumValue {
  readonly name: string;
  readonly value: string | number;
  readonly label: string;
}

type Json = Record<string, unknown>;

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function labelOf(entry: Json): string {
  const d = entry.displayName;
  if (typeof d === 'string') return d;
  if (d && typeof d === 'object') return String((d as Json).en ?? Object.values(d)[0] ?? entry.name);
  return String(entry.name);
}

/** The enum values of content `name` declared in model `definedIn`, or null when it is no enum. */
export function enumValuesOf(catalogue: Catalogue, definedIn: string, name: string): EnumValue[] | null {
  const dtdl = catalogue.byId.get(definedIn)?.dtdl as Json | undefined;
  if (!dtdl) return null;
  const content = asArray(dtdl.contents).find((c) => (c as Json).name === name) as Json | undefined;
  let schema = content?.schema;
  // A schema named by id: declared in the interface's `schemas`.
  if (typeof schema === 'string') schema = asArray(dtdl.schemas).find((s) => (s as Json)['@id'] === schema) ?? schema;
  if (!schema || typeof schema !== 'object' || (schema as Json)['@type'] !== 'Enum') return null;
  return asArray((schema as Json).enumValues).map((v) => {
    const entry = v as Json;
    return { name: String(entry.name), value: entry.enumValue as string | number, label: labelOf(entry) };
  });
}
