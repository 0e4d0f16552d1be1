/** Deterministic generation of broken and near-valid DTDL documents for robustness and differential tests. */
import { mulberry32 } from '../../src/demo/random';

/** A seeded PRNG (mulberry32), so that every run is the same. */
export const prng = mulberry32;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A valid interface that uses most of DTDL: every kind of content and complex schema; in v4 also what v4 adds
 * (the new primitive schemas, scaledDecimal, a nullable command response, an Object that contains itself).
 */
export function richInterface(version: 2 | 3 | 4 = 3): { [key: string]: Json } {
  const rich = {
    '@context': `dtmi:dtdl:context;${version}`,
    '@id': 'dtmi:example:Rich;1',
    '@type': 'Interface',
    displayName: 'Rich',
    contents: [
      { '@type': 'Telemetry', name: 'temperature', schema: 'double' },
      {
        '@type': 'Property',
        name: 'settings',
        writable: true,
        schema: {
          '@type': 'Object',
          fields: [
            {
              name: 'mode',
              schema: {
                '@type': 'Enum',
                valueSchema: 'string',
                enumValues: [
                  { name: 'on', enumValue: 'on' },
                  { name: 'off', enumValue: 'off' },
                ],
              },
            },
            {
              name: 'tags',
              schema: {
                '@type': 'Map',
                mapKey: { name: 'key', schema: 'string' },
                mapValue: { name: 'value', schema: 'integer' },
              },
            },
          ],
        },
      },
      { '@type': 'Telemetry', name: 'samples', schema: { '@type': 'Array', elementSchema: 'float' } },
      {
        '@type': 'Relationship',
        name: 'feeds',
        target: 'dtmi:example:Other;1',
        maxMultiplicity: 3,
        properties: [{ '@type': 'Property', name: 'since', schema: 'date' }],
      },
      {
        '@type': 'Command',
        name: 'reset',
        request: { name: 'delay', schema: 'integer' },
        response: { name: 'ok', schema: 'boolean' },
      },
      { '@type': 'Component', name: 'part', schema: 'dtmi:example:Part;1' },
    ] as Json[],
    extends: 'dtmi:example:Base;1',
  };
  if (version === 4) rich.contents.push(...V4_CONTENTS);
  return rich;
}

const V4_CONTENTS: Json[] = [
  { '@type': 'Property', name: 'serial', schema: 'uuid' },
  { '@type': 'Telemetry', name: 'reading', schema: 'scaledDecimal' },
  { '@type': 'Telemetry', name: 'flags', schema: { '@type': 'Array', elementSchema: 'unsignedByte' } },
  {
    '@type': 'Command',
    name: 'probe',
    request: { name: 'level', schema: 'short' },
    response: { name: 'result', schema: 'decimal', nullable: true },
  },
  {
    '@type': 'Property',
    name: 'tree',
    schema: {
      '@id': 'dtmi:example:Tree;1',
      '@type': 'Object',
      fields: [
        { name: 'value', schema: 'unsignedLong' },
        { name: 'children', schema: { '@type': 'Array', elementSchema: 'dtmi:example:Tree;1' } },
      ],
    },
  },
];

export function supportingInterfaces(version: 2 | 3 | 4 = 3): { [key: string]: Json }[] {
  const ctx = `dtmi:dtdl:context;${version}`;
  return [
    {
      '@context': ctx,
      '@id': 'dtmi:example:Base;1',
      '@type': 'Interface',
      contents: [{ '@type': 'Property', name: 'serial', schema: 'string' }],
    },
    {
      '@context': ctx,
      '@id': 'dtmi:example:Part;1',
      '@type': 'Interface',
      contents: [{ '@type': 'Telemetry', name: 'load', schema: 'double' }],
    },
  ];
}

/** Every (path, value) pair of a JSON value, depth first. */
export function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

export function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = JSON.parse(JSON.stringify(root)) as Json;
  if (path.length === 0) return value ?? null;
  let node = copy as { [key: string]: Json } | Json[];
  for (const key of path.slice(0, -1)) node = (node as never)[key];
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete (node as { [key: string]: Json })[last as string];
  } else (node as never as Record<string | number, Json>)[last] = value;
  return copy;
}

export const CONFUSING_VALUES: Json[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  true,
  false,
  '',
  'x',
  'dtmi:example:Nowhere;1',
  'dtmi:;1',
  [],
  [null],
  {},
  { '@value': 3 },
  { '@id': 'x' },
  'double',
  'Interface',
];

const NAMES = [
  'name',
  'schema',
  '@type',
  '@id',
  '@context',
  'contents',
  'extends',
  'unit',
  'writable',
  'target',
  'fields',
  'enumValues',
  'mapKey',
  'displayName',
];
const STRINGS = [
  'double',
  'string',
  'Telemetry',
  'Property',
  'Interface',
  'dtmi:example:Base;1',
  'dtmi:example:Rich;1',
  'dtmi:dtdl:context;2',
  'Temperature',
  'degreeCelsius',
  '_x',
  'a'.repeat(600),
  '#',
  'dtmi:example:Rich;1#frag',
];

/** One random mutation: replace, delete or duplicate a node, rename a key, or swap in a DTDL-ish string. */
export function mutate(doc: Json, random: () => number): Json {
  const all = paths(doc).filter((p) => p.length > 0);
  const target = all[Math.floor(random() * all.length)];
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  switch (Math.floor(random() * 5)) {
    case 0:
      return setAt(doc, target, pick(CONFUSING_VALUES));
    case 1:
      return setAt(doc, target, undefined);
    case 2:
      return setAt(doc, target, pick(STRINGS));
    case 3: {
      const parent = target.slice(0, -1);
      return setAt(doc, [...parent, pick(NAMES)], pick([...CONFUSING_VALUES, ...STRINGS]));
    }
    default: {
      const node = target.reduce<Json>((n, k) => (n as never)[k], doc);
      return setAt(
        doc,
        [...target.slice(0, -1), typeof target[target.length - 1] === 'number' ? 0 : 'contents'],
        [node, node],
      );
    }
  }
}
