/** Small DTDL model sets for the compile tests, compiled the way the model service does it. */
import 'reflect-metadata';
import path from 'node:path';
import { validateSchema, type GraphQLSchema } from 'graphql';
import { enabledFeatures } from '../../src/app';
import { PLUGINS } from '../../src/config';
import { compileSchema, type SchemaInfo } from '../../src/graphql';
import { collectDocuments, parseModels, type ModelSet } from '../../src/dtdl';

export const V3 = 'dtmi:dtdl:context;3';
export const V2 = 'dtmi:dtdl:context;2';
export const QT = 'dtmi:dtdl:extension:quantitativeTypes;1';

export type Json = Record<string, unknown>;

/** A DTDL v3 interface (with the quantitativeTypes extension, so semantic types and units can be used). */
export function iface(id: string, contents: Json[] = [], extra: Json = {}): Json {
  return { '@context': [V3, QT], '@id': id, '@type': 'Interface', contents, ...extra };
}

export const property = (name: string, schema: unknown, extra: Json = {}): Json => ({
  '@type': 'Property',
  name,
  schema,
  ...extra,
});
export const telemetry = (name: string, schema: unknown, extra: Json = {}): Json => ({
  '@type': 'Telemetry',
  name,
  schema,
  ...extra,
});
export const relationship = (name: string, target?: string, extra: Json = {}): Json => ({
  '@type': 'Relationship',
  name,
  ...(target && { target }),
  ...extra,
});
export const component = (name: string, schema: string): Json => ({ '@type': 'Component', name, schema });
export const command = (name: string, extra: Json = {}): Json => ({ '@type': 'Command', name, ...extra });
export const enumOf = (
  valueSchema: 'string' | 'integer',
  values: [string, string | number][],
  extra: Json = {},
): Json => ({
  '@type': 'Enum',
  valueSchema,
  enumValues: values.map(([name, enumValue]) => ({ name, enumValue })),
  ...extra,
});
export const objectOf = (fields: [string, unknown][], extra: Json = {}): Json => ({
  '@type': 'Object',
  fields: fields.map(([name, schema]) => ({ name, schema })),
  ...extra,
});
export const mapOf = (value: unknown): Json => ({
  '@type': 'Map',
  mapKey: { name: 'key', schema: 'string' },
  mapValue: { name: 'value', schema: value },
});
export const arrayOf = (element: unknown): Json => ({ '@type': 'Array', elementSchema: element });

/** Parses a set of interfaces, failing the test with the DTDL errors when it does not validate. */
export function parse(documents: readonly Json[], known?: ModelSet): ModelSet {
  const result = parseModels(
    documents.map((d) => JSON.stringify(d)),
    known ? { known } : {},
  );
  if (!result.valid)
    throw new Error(
      `fixture does not validate: ${result.errors.map((e) => `${e.primaryId ?? ''} ${e.validationId}: ${e.cause}`).join('; ')}`,
    );
  return result.models;
}

export interface Compiled {
  readonly schema: GraphQLSchema;
  readonly info: SchemaInfo;
  readonly models: ModelSet;
}

/**
 * Compiles interfaces uploaded in the given order (default: the documents' order), asserting that the schema
 * is valid: no model set may give an invalid schema.
 */
export function compile(
  documents: readonly Json[],
  uploadOrder: readonly string[] = documents.map((d) => d['@id'] as string),
): Compiled {
  const models = parse(documents);
  return compileModels(models, uploadOrder);
}

export function compileModels(models: ModelSet, uploadOrder: readonly string[]): Compiled {
  const { schema, info } = compileSchema(models, uploadOrder);
  expect(validateSchema(schema).map((e) => e.message)).toEqual([]);
  return { schema, info, models };
}

/** The schema the demo's models (dtdl/) compile to with every feature plugin, as `npm start` serves it. */
export function demoSchema(): GraphQLSchema {
  const result = parseModels(collectDocuments([path.join(__dirname, '..', '..', 'dtdl')]));
  expect(result.errors).toEqual([]);
  const plugins = enabledFeatures({ plugins: PLUGINS }).flatMap((f) => (f.schema ? [f.schema] : []));
  return compileSchema(result.models, [...result.defined].sort(), { plugins }).schema;
}
