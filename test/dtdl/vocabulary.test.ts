/**
 * The DTDL vocabulary tables (src/dtdl/vocabulary) against the DTDL language definition files in the shared folder
 * (TWINGRAPH_SHARED, default ../shared): the v3 core and feature-extension context files term for term, the
 * quantitativeTypes metamodel, the v3 reserved strings and the v2 semantic-type table. Where the folder is absent
 * those checks log why they did nothing; the spot checks at the end always run.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  DTDL_V2_CONTEXT,
  DTDL_V3_CONTEXT,
  DTDL_V4_CONTEXT,
  EXTENSION_CONTEXTS,
  RESERVED_TERMS_V3,
  type ContextDefinition,
} from '../../src/dtdl/vocabulary/contexts';
import {
  QUANTITATIVE_TYPES_V1,
  QUANTITATIVE_V2,
  type QuantitativeVocabulary,
} from '../../src/dtdl/vocabulary/quantitative';

const SHARED = process.env.TWINGRAPH_SHARED ?? path.resolve(__dirname, '../../../shared');
const SPEC = path.join(SHARED, 'dtdl', 'spec');

/** Runs `check` with the spec folder when it exists; otherwise logs why the check did nothing. */
function withSpec(what: string, check: (spec: string) => void): void {
  if (fs.existsSync(SPEC)) {
    check(SPEC);
  } else {
    console.log(`${what}: not checked, ${SPEC} does not exist (set TWINGRAPH_SHARED to the shared folder)`);
  }
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
}

const JSON_LD_PREFIXES = new Set(['rdf', 'rdfs', 'sh', 'dtmm', 'xsd']);

/** The DTDL terms a JSON-LD context file defines: every entry but keywords, CURIE keys and namespace prefixes. */
function contextFileTerms(file: string): Map<string, string> {
  const terms = new Map<string, string>();
  for (const [term, value] of Object.entries(readJson(file) as Record<string, unknown>)) {
    if (term.startsWith('@') || term.includes(':') || JSON_LD_PREFIXES.has(term)) continue;
    const iri = typeof value === 'string' ? value : (value as { '@id'?: unknown })['@id'];
    if (typeof iri !== 'string') throw new Error(`${file}: term ${term} has no @id`);
    terms.set(term, iri);
  }
  return terms;
}

/** The context id a spec context file defines, from its name. */
function contextIdOf(file: string): string | undefined {
  const core = /^DTDL\.v(\d+)\.context\.json$/.exec(file);
  if (core) return `dtmi:dtdl:context;${core[1]}`;
  const extension = /^DTDL\.FeatureExtension\.([A-Za-z]+)\.v(\d+)\.context\.json$/.exec(file);
  return extension ? `dtmi:dtdl:extension:${extension[1]};${extension[2]}` : undefined;
}

const sorted = (entries: Iterable<readonly [string, string]>): [string, string][] =>
  [...entries].map(([k, v]): [string, string] => [k, v]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** [semantic type, unit type, units] rows of a markdown "| Semantic type | Unit type | Unit |" table. */
function semanticTable(markdown: string): [string, string, string[]][] {
  const start = markdown.indexOf('| Semantic type | Unit type | Unit |');
  if (start < 0) throw new Error('no semantic type table');
  const rows: [string, string, string[]][] = [];
  for (const line of markdown.slice(start).split(/\r?\n/).slice(2)) {
    if (!line.startsWith('| `')) break;
    const [semanticType, unitType, units] = line
      .replace(/^\|/, '')
      .replace(/\|\s*$/, '')
      .split('|')
      .map((c) => c.trim());
    rows.push([
      semanticType.replace(/`/g, ''),
      unitType.replace(/`/g, ''),
      units.split('<br>').map((u) => u.trim().replace(/`/g, '')),
    ]);
  }
  return rows;
}

function checkAgainstTable(vocabulary: QuantitativeVocabulary, rows: [string, string, string[]][]): void {
  expect(sorted(vocabulary.semanticTypes)).toEqual(sorted(rows.map(([s, u]) => [s, u] as const)));
  for (const [, unitType, units] of rows)
    expect([...(vocabulary.unitTypes.get(unitType) ?? [])].sort()).toEqual([...units].sort());
}

describe('DTDL vocabulary against the DTDL language definition files', () => {
  test.each([
    [3, DTDL_V3_CONTEXT],
    [4, DTDL_V4_CONTEXT],
  ] as const)(
    'the v%i core context and every feature-extension context file published with it match the tables term for term',
    (version, core) => {
      withSpec(`v${version} context files`, (spec) => {
        const dir = path.join(spec, `v${version}`, 'context');
        const files = fs.readdirSync(dir).filter((f) => f.endsWith('.context.json'));
        expect(files).toContain(`DTDL.v${version}.context.json`);
        for (const file of files) {
          const id = contextIdOf(file);
          if (id === undefined) throw new Error(`unexpected context file ${file}`);
          const table: ContextDefinition | undefined = id === core.id ? core : EXTENSION_CONTEXTS.get(id);
          if (!table) throw new Error(`no table for ${id} (${file})`);
          expect({ id, terms: sorted(table.terms) }).toEqual({
            id,
            terms: sorted(contextFileTerms(path.join(dir, file))),
          });
          // Each extension is usable with the versions DTDL.Extensions.md lists for it, this one among them.
          expect(table.dtdlVersions).toContain(version);
        }
      });
    },
  );

  test('DTDL.Extensions.md lists, for each feature extension, the DTDL versions the tables allow', () => {
    withSpec('extension versions', (spec) => {
      const text = fs.readFileSync(path.join(spec, 'v4', 'DTDL.Extensions.md'), 'utf8');
      const section = text.slice(text.indexOf('## Available feature extensions'), text.indexOf('## Available limit'));
      // | [MQTT v2](./DTDL.mqtt.v2.md) | … | [3](../v3/DTDL.v3.md), [4](./DTDL.v4.md) |: the file names the context.
      const rows = [
        ...section.matchAll(/^\| \[[^\]]+\]\([^)]*DTDL\.([A-Za-z]+)\.v(\d+)\.md\) \| [^|]* \| (.*) \|\s*$/gm),
      ];
      expect(rows.length).toBe(12);
      for (const [, name, version, versions] of rows) {
        const id = `dtmi:dtdl:extension:${name};${version}`;
        const listed = [...versions.matchAll(/\[(\d)\]/g)].map((m) => Number(m[1]));
        expect({ id, versions: EXTENSION_CONTEXTS.get(id)?.dtdlVersions }).toEqual({ id, versions: listed });
      }
    });
  });

  test('the v4 context is the v3 context at version 4 with what DTDL.v4.md says v4 adds', () => {
    const added = [...DTDL_V4_CONTEXT.terms.keys()].filter((t) => !DTDL_V3_CONTEXT.terms.has(t)).sort();
    expect(added).toEqual(
      [
        ...['Byte', 'Bytes', 'Decimal', 'Short', 'UnsignedByte', 'UnsignedInteger', 'UnsignedLong', 'UnsignedShort'],
        ...['Uuid', 'byte', 'bytes', 'decimal', 'nullable', 'scaledDecimal', 'short', 'unsignedByte'],
        ...['unsignedInteger', 'unsignedLong', 'unsignedShort', 'uuid'],
      ].sort(),
    );
    for (const [term, iri] of DTDL_V3_CONTEXT.terms)
      expect(DTDL_V4_CONTEXT.terms.get(term)).toBe(iri.replace(/;3$/, ';4'));
  });

  test('the v3 reserved strings are the v3 context terms', () => {
    withSpec('v3 reserved strings', (spec) => {
      const text = fs.readFileSync(path.join(spec, 'v3', 'DTDL.Specification.v3.md'), 'utf8');
      const section = text.slice(text.indexOf('\n## Reserved strings'));
      const body = section.slice(0, section.indexOf('\n## ', 5));
      const rows = [...body.matchAll(/^\| "([^"]+)" \| "([^"]+)" \|\s*$/gm)].map((m) => [m[1], m[2]] as const);
      expect(rows.length).toBeGreaterThan(90);
      expect([...RESERVED_TERMS_V3].sort()).toEqual(rows.map(([term]) => term).sort());
      expect(sorted(rows)).toEqual(sorted(DTDL_V3_CONTEXT.terms));
    });
  });

  test('quantitativeTypes;1 unit types and semantic types match its metamodel files', () => {
    withSpec('quantitativeTypes;1 metamodel', (spec) => {
      const meta = path.join(spec, 'v3', 'metamodel');
      const qtContext = EXTENSION_CONTEXTS.get('dtmi:dtdl:extension:quantitativeTypes;1');
      if (!qtContext) throw new Error('no quantitativeTypes;1 context');
      const termOf = new Map(
        [...qtContext.terms]
          .filter(([term]) => !QUANTITATIVE_TYPES_V1.aliases.has(term))
          .map(([term, iri]) => [iri, term]),
      );

      type Enum = { '@id': string; enumValues: { '@id': string; '@type': string[]; name: string }[] };
      const enums = readJson(path.join(meta, 'DTDL.FeatureExtension.quantitativeTypes.v1.Elements.json')) as Enum[];
      const unitTypes = enums
        .filter((e) => !e.enumValues.some((v) => v['@type'].includes('UnitPrefix')))
        .map((e): [string, string[]] => [
          termOf.get(e['@id']) ?? e['@id'],
          e.enumValues.map((v) => termOf.get(v['@id']) ?? v['@id']),
        ]);
      expect(new Map(unitTypes)).toEqual(new Map([...QUANTITATIVE_TYPES_V1.unitTypes].map(([k, v]) => [k, [...v]])));

      type Shape = {
        '@id': string;
        'rdfs:subClassOf'?: string;
        'sh:property'?: { 'sh:path'?: string; 'dtmm:childOf'?: string }[];
      };
      const graph = (
        readJson(path.join(meta, 'DTDL.FeatureExtension.quantitativeTypes.v1.RDF-SHACL.json')) as { '@graph': Shape[] }
      )['@graph'];
      const semanticTypes = graph
        .filter((s) => s['rdfs:subClassOf'] === 'QuantitativeType')
        .map(
          (s) =>
            [
              termOf.get(s['@id']) ?? s['@id'],
              s['sh:property']?.find((p) => p['sh:path'] === 'unit')?.['dtmm:childOf'] ?? '',
            ] as const,
        );
      expect(sorted(QUANTITATIVE_TYPES_V1.semanticTypes)).toEqual(sorted(semanticTypes));

      checkAgainstTable(
        QUANTITATIVE_TYPES_V1,
        semanticTable(fs.readFileSync(path.join(spec, 'v3', 'DTDL.quantitativeTypes.v1.md'), 'utf8')),
      );
    });
  });

  test("DTDL v2's semantic types and units match the table in DTDL.v2.md", () => {
    withSpec('v2 semantic types', (spec) => {
      checkAgainstTable(QUANTITATIVE_V2, semanticTable(fs.readFileSync(path.join(spec, 'DTDL.v2.md'), 'utf8')));
    });
  });
});

describe('DTDL vocabulary spot checks', () => {
  test('Temperature takes TemperatureUnit: degreeCelsius, degreeFahrenheit, kelvin', () => {
    for (const vocabulary of [QUANTITATIVE_V2, QUANTITATIVE_TYPES_V1]) {
      expect(vocabulary.semanticTypes.get('Temperature')).toBe('TemperatureUnit');
      expect([...(vocabulary.unitTypes.get('TemperatureUnit') ?? [])].sort()).toEqual([
        'degreeCelsius',
        'degreeFahrenheit',
        'kelvin',
      ]);
      expect(vocabulary.units.get('kelvin')).toEqual(['TemperatureUnit']);
    }
    expect(QUANTITATIVE_TYPES_V1.semanticTypes.size).toBe(52);
    expect(EXTENSION_CONTEXTS.get('dtmi:dtdl:extension:quantitativeTypes;1')?.terms.get('Temperature')).toBe(
      'dtmi:dtdl:extension:quantitativeTypes:v1:class:Temperature',
    );
  });

  test("v2's Velocity semantic type", () => {
    expect(QUANTITATIVE_V2.semanticTypes.get('Velocity')).toBe('VelocityUnit');
    expect(QUANTITATIVE_V2.unitTypes.get('VelocityUnit')).toContain('metrePerSecond');
    expect(DTDL_V2_CONTEXT.terms.get('Velocity')).toBe('dtmi:standard:class:Velocity;2');
    expect(DTDL_V2_CONTEXT.terms.get('metrePerSecond')).toBe('dtmi:standard:unit:metrePerSecond;2');
  });

  test("'double' in both core contexts", () => {
    expect(DTDL_V2_CONTEXT.terms.get('double')).toBe('dtmi:dtdl:instance:Schema:double;2');
    expect(DTDL_V3_CONTEXT.terms.get('double')).toBe('dtmi:dtdl:instance:Schema:double;3');
    expect(DTDL_V3_CONTEXT.terms.has('Temperature')).toBe(false);
  });

  test('the extension contexts usable with DTDL v3 are all there', () => {
    const v3Extensions = [...EXTENSION_CONTEXTS.values()].filter((c) => c.dtdlVersions.includes(3)).map((c) => c.id);
    expect(v3Extensions.sort()).toEqual(
      [
        'quantitativeTypes;1',
        'historization;1',
        'historization;2',
        'annotation;1',
        'annotation;2',
        'overriding;1',
        'overriding;2',
        'mqtt;1',
        'mqtt;2',
        'mqtt;3',
        'requirement;1',
        'requirement;2',
      ]
        .map((s) => `dtmi:dtdl:extension:${s}`)
        .sort(),
    );
    for (const [id, ctx] of EXTENSION_CONTEXTS) expect(ctx.id).toBe(id);
  });

  test('every term IRI is a DTMI, and only the EnergyRateUnit alias shares an IRI with another term', () => {
    const dtmi = /^dtmi:[A-Za-z][A-Za-z0-9_]*(:[A-Za-z][A-Za-z0-9_]*)*(;[1-9][0-9]*)?$/;
    const shared: string[] = [];
    for (const ctx of [DTDL_V2_CONTEXT, DTDL_V3_CONTEXT, ...EXTENSION_CONTEXTS.values()]) {
      expect([...ctx.terms.values()].filter((iri) => !dtmi.test(iri))).toEqual([]);
      const seen = new Map<string, string>();
      for (const [term, iri] of ctx.terms) {
        const other = seen.get(iri);
        if (other !== undefined) shared.push(`${ctx.id}: ${[other, term].sort().join(' = ')}`);
        seen.set(iri, term);
      }
    }
    expect(shared).toEqual([
      'dtmi:dtdl:extension:quantitativeTypes;1: EnergyRateUnit = PowerUnit',
      'dtmi:dtdl:extension:quantitativeTypes;2: EnergyRateUnit = PowerUnit',
    ]);
  });

  test('the quantitative vocabularies name only terms of their contexts, and units invert unitTypes', () => {
    const qtContext = EXTENSION_CONTEXTS.get('dtmi:dtdl:extension:quantitativeTypes;1');
    const pairs: [QuantitativeVocabulary, ReadonlyMap<string, string> | undefined][] = [
      [QUANTITATIVE_V2, DTDL_V2_CONTEXT.terms],
      [QUANTITATIVE_TYPES_V1, qtContext?.terms],
    ];
    for (const [vocabulary, terms] of pairs) {
      if (!terms) throw new Error('missing context');
      for (const [semanticType, unitType] of vocabulary.semanticTypes) {
        expect(terms.has(semanticType)).toBe(true);
        expect(vocabulary.unitTypes.has(unitType)).toBe(true);
      }
      for (const [unitType, units] of vocabulary.unitTypes) {
        expect(terms.has(unitType)).toBe(true);
        for (const unit of units) {
          expect(terms.has(unit)).toBe(true);
          expect(vocabulary.units.get(unit)).toContain(unitType);
        }
      }
      for (const [unit, unitTypes] of vocabulary.units)
        for (const unitType of unitTypes) expect(vocabulary.unitTypes.get(unitType)).toContain(unit);
      // every unit term of the context is in some unit type
      const unitTerms = [...terms].filter(([, iri]) => /:unit:/.test(iri)).map(([term]) => term);
      expect(unitTerms.filter((u) => !vocabulary.units.has(u))).toEqual([]);
    }
    expect(QUANTITATIVE_TYPES_V1.aliases.get('EnergyRateUnit')).toBe('PowerUnit');
    expect(qtContext?.terms.get('EnergyRateUnit')).toBe('dtmi:dtdl:extension:quantitativeTypes:v1:enum:PowerUnit');
  });
});
