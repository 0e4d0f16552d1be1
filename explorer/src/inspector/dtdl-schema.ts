// Reads from a model's own DTDL what the `models` query summarises or leaves out: an enum's values (so that an
// enum property is edited with a list of its values rather than free text), and the properties a relationship
// declares (name, schema, enum values), which the relationship editor offers.
import type { Catalogue } from '../api/models';

export interface EnumValue {
  readonly name: string;
  readonly value: string | number;
  readonly label: string;
}

/** A property as an editor needs it: its DTDL schema (`double`, `Enum`, `Object`…) and enum values if any. */
export interface PropertySchema {
  readonly name: string;
  readonly schema: string | null;
  readonly enumValues: EnumValue[] | null;
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

/** A content's schema resolved: named schemas are looked up in the interface's `schemas`. */
function resolvedSchema(dtdl: Json, content: Json | undefined): unknown {
  const schema = content?.schema;
  if (typeof schema === 'string') return asArray(dtdl.schemas).find((s) => (s as Json)['@id'] === schema) ?? schema;
  return schema;
}

function enumValues(schema: unknown): EnumValue[] | null {
  if (!schema || typeof schema !== 'object' || (schema as Json)['@type'] !== 'Enum') return null;
  return asArray((schema as Json).enumValues).map((v) => {
    const entry = v as Json;
    return { name: String(entry.name), value: entry.enumValue as string | number, label: labelOf(entry) };
  });
}

function schemaName(schema: unknown): string | null {
  if (typeof schema === 'string') return schema.replace(/^dtmi:dtdl:instance:Schema:(\w+);\d+$/, '$1');
  if (schema && typeof schema === 'object') return String((schema as Json)['@type'] ?? 'Object');
  return null;
}

function contentOf(catalogue: Catalogue, definedIn: string, name: string): { dtdl: Json; content: Json } | null {
  const dtdl = catalogue.byId.get(definedIn)?.dtdl as Json | undefined;
  if (!dtdl) return null;
  const content = asArray(dtdl.contents).find((c) => (c as Json).name === name) as Json | undefined;
  return content ? { dtdl, content } : null;
}

/** The enum values of content `name` declared in model `definedIn`, or null when it is no enum. */
export function enumValuesOf(catalogue: Catalogue, definedIn: string, name: string): EnumValue[] | null {
  const found = contentOf(catalogue, definedIn, name);
  return found ? enumValues(resolvedSchema(found.dtdl, found.content)) : null;
}

/**
 * The properties relationship `name` declares on twins of model `sourceModelId` (the relationship may be
 * inherited: it is read from the interface that declares it); empty when it declares none or is unknown.
 */
export function relationshipPropertiesOf(catalogue: Catalogue, sourceModelId: string, name: string): PropertySchema[] {
  const declared = catalogue.byId
    .get(sourceModelId)
    ?.contents.find((c) => c.kind === 'Relationship' && c.name === name);
  if (!declared) return [];
  const found = contentOf(catalogue, declared.definedIn, name);
  if (!found) return [];
  return asArray(found.content.properties).map((p) => {
    const property = p as Json;
    const schema = resolvedSchema(found.dtdl, property);
    const values = enumValues(schema);
    return {
      name: String(property.name),
      schema: values ? 'Enum' : schemaName(schema),
      enumValues: values,
      label: labelOf(property),
    };
  });
}
