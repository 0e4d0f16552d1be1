#!/usr/bin/env python3
"""Generates src/dtdl/vocabulary/*.ts from the DTDL language definition (context and metamodel files,
and the v2 reference tables) in ../shared/dtdl/spec. Run from the repository root:
    python3 scripts/generate-vocabulary.py [path/to/shared]
The output is the DTDL vocabulary (MIT-licensed language definition), not project logic."""
import json, re, sys, os

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join('..', 'shared')
spec = os.path.join(shared, 'dtdl', 'spec')

def load(p):
    with open(p, encoding='utf-8-sig') as f:
        return json.load(f)

def context_terms(path):
    terms = {}
    for term, v in load(path).items():
        iri = v.get('@id') if isinstance(v, dict) else v
        if isinstance(iri, str) and iri.startswith('dtmi:') and not term.startswith('@'):
            terms[term] = iri
    return terms

v3 = context_terms(os.path.join(spec, 'v3', 'context', 'DTDL.v3.context.json'))
ext1 = {}
for name in ['quantitativeTypes', 'historization', 'annotation', 'overriding', 'mqtt']:
    ext1[name] = context_terms(os.path.join(spec, 'v3', 'context', f'DTDL.FeatureExtension.{name}.v1.context.json'))

def bump(terms, frm, to):
    return {t: i.replace(frm, to) for t, i in terms.items()}

extensions = {
    'dtmi:dtdl:extension:quantitativeTypes;1': ext1['quantitativeTypes'],
    'dtmi:dtdl:extension:historization;1': ext1['historization'],
    'dtmi:dtdl:extension:historization;2': bump(ext1['historization'], ':v1:', ':v2:'),
    'dtmi:dtdl:extension:annotation;1': ext1['annotation'],
    'dtmi:dtdl:extension:annotation;2': bump(ext1['annotation'], ':v1:', ':v2:'),
    'dtmi:dtdl:extension:overriding;1': ext1['overriding'],
    'dtmi:dtdl:extension:overriding;2': bump(ext1['overriding'], ':v1:', ':v2:'),
    'dtmi:dtdl:extension:mqtt;1': ext1['mqtt'],
    'dtmi:dtdl:extension:mqtt;2': bump(ext1['mqtt'], ':v1:', ':v2:'),
    'dtmi:dtdl:extension:mqtt;3': bump(ext1['mqtt'], ':v1:', ':v3:'),
    'dtmi:dtdl:extension:requirement;1': {'Required': 'dtmi:dtdl:extension:requirement:v1:Required'},
}
# IoT Central's DTDL v2 context: vector and geopoint schemas and the semantic types that need them.
iotcentral = {
    'vector': 'dtmi:iotcentral:schema:vector;2',
    'geopoint': 'dtmi:iotcentral:schema:geopoint;2',
    'AccelerationVector': 'dtmi:iotcentral:class:AccelerationVector;2',
    'VelocityVector': 'dtmi:iotcentral:class:VelocityVector;2',
    'Location': 'dtmi:iotcentral:class:Location;2',
    'State': 'dtmi:iotcentral:class:State;2',
    'Event': 'dtmi:iotcentral:class:Event;2',
}

# Units per unit type for quantitativeTypes v1, from its Elements file (unit types are Enums of units).
qt_elements = load(os.path.join(spec, 'v3', 'metamodel', 'DTDL.FeatureExtension.quantitativeTypes.v1.Elements.json'))
qt_unit_types = {}
for el in qt_elements:
    tid = el['@id']
    m = re.search(r':enum:([A-Za-z]+)$', tid)
    if not m or m.group(1).endswith('Prefix'):
        continue
    qt_unit_types[m.group(1)] = [ev['name'] for ev in el.get('enumValues', [])]
qt_shacl = load(os.path.join(spec, 'v3', 'metamodel', 'DTDL.FeatureExtension.quantitativeTypes.v1.RDF-SHACL.json'))
qt_semantic = {}
for el in (qt_shacl['@graph'] if isinstance(qt_shacl, dict) else qt_shacl):
    if el.get('rdfs:subClassOf') == 'QuantitativeType':
        for p in el.get('sh:property', []):
            if p.get('sh:path') == 'unit' and 'dtmm:childOf' in p:
                qt_semantic[el['@id'].split(':')[-1]] = p['dtmm:childOf']

# Unit-type aliases: context terms naming another unit type's enum (EnergyRateUnit → PowerUnit).
qt_aliases = {}
for term, iri in ext1['quantitativeTypes'].items():
    m = re.search(r':enum:([A-Za-z]+)$', iri)
    if m and m.group(1) != term and m.group(1) in qt_unit_types:
        qt_aliases[term] = m.group(1)

# v2: semantic types, unit types and units from the table in DTDL.v2.md (§Semantic Type).
v2_semantic, v2_unit_types = {}, {}
with open(os.path.join(spec, 'DTDL.v2.md'), encoding='utf-8') as f:
    text = f.read()
section = text[text.index('| Semantic type | Unit type | Unit |'):]
for line in section.splitlines()[2:]:
    if not line.startswith('| `'):
        break
    cells = [c.strip() for c in line.strip('|').split('|')]
    sem = cells[0].strip('`'); unit_type = cells[1].strip('`')
    units = [u.strip().strip('`') for u in cells[2].split('<br>') if u.strip()]
    v2_semantic[sem] = unit_type
    v2_unit_types.setdefault(unit_type, [])
    for u in units:
        if u not in v2_unit_types[unit_type]:
            v2_unit_types[unit_type].append(u)

# v2 core terms: the v2 language's classes, properties and instances, plus its semantic vocabulary.
v2 = {}
v2_classes = ['Array', 'Boolean', 'Command', 'CommandPayload', 'CommandType', 'Component', 'ComplexSchema', 'Date', 'DateTime',
              'Double', 'Duration', 'Entity', 'Enum', 'EnumValue', 'Field', 'Float', 'Integer', 'Interface', 'Long', 'Map',
              'MapKey', 'MapValue', 'NamedEntity', 'NumericSchema', 'Object', 'PrimitiveSchema', 'Property', 'Relationship',
              'Schema', 'SchemaField', 'SemanticType', 'String', 'Telemetry', 'TemporalSchema', 'Time', 'Unit', 'UnitAttribute',
              'Content', 'LatentType', 'NamedLatentType', 'DecimalUnit', 'RatioUnit', 'SymbolicUnit', 'UnitPrefix', 'DecimalPrefix', 'BinaryUnit', 'BinaryPrefix', 'QuantitativeType']
for c in v2_classes:
    v2[c] = f'dtmi:dtdl:class:{c};2'
for p in ['comment', 'commandType', 'contents', 'description', 'displayName', 'elementSchema', 'enumValue', 'enumValues', 'extends',
          'fields', 'mapKey', 'mapValue', 'maxMultiplicity', 'minMultiplicity', 'name', 'properties', 'request', 'response',
          'schema', 'schemas', 'target', 'unit', 'valueSchema', 'writable', 'baseUnit', 'bottomUnit', 'exponent', 'prefix',
          'symbol', 'topUnit', 'languageMajorVersion']:
    v2[p] = f'dtmi:dtdl:property:{p};2'
for s in ['boolean', 'date', 'dateTime', 'double', 'duration', 'float', 'integer', 'long', 'string', 'time']:
    v2[s] = f'dtmi:dtdl:instance:Schema:{s};2'
for s in ['point', 'multiPoint', 'lineString', 'multiLineString', 'polygon', 'multiPolygon']:
    v2[s] = f'dtmi:standard:schema:geospatial:{s};2'
for s in ['synchronous', 'asynchronous']:
    v2[s] = f'dtmi:dtdl:instance:CommandType:{s};2'
for sem in v2_semantic:
    v2[sem] = f'dtmi:standard:class:{sem};2'
for ut, units in v2_unit_types.items():
    v2.setdefault(ut, f'dtmi:standard:class:{ut};2')
    for u in units:
        v2.setdefault(u, f'dtmi:standard:unit:{u};2')

def ts_map(terms):
    rows = ',\n'.join(f"  [{json.dumps(t)}, {json.dumps(i)}]" for t, i in sorted(terms.items()))
    return f"new Map<string, string>([\n{rows},\n])"

def ts_list_map(d):
    rows = ',\n'.join(f"  [{json.dumps(k)}, {json.dumps(v)}]" for k, v in sorted(d.items()))
    return rows

header = '''// Generated by scripts/generate-vocabulary.py from the DTDL language definition
// (Azure/opendigitaltwins-dtdl and digitaltwinconsortium/DTDLParser, MIT licence). Do not edit by hand.
// This is the DTDL vocabulary, not project logic.
'''
out_dir = os.path.join('src', 'dtdl', 'vocabulary')
with open(os.path.join(out_dir, 'contexts.ts'), 'w') as f:
    f.write(header)
    f.write('''
export interface ContextDefinition {
  readonly id: string;
  /** The DTDL language version the context belongs to or is usable with. */
  readonly dtdlVersion: 2 | 3;
  /** Every DTDL term the context defines, with its IRI. */
  readonly terms: ReadonlyMap<string, string>;
}

''')
    f.write(f"export const DTDL_V2_CONTEXT: ContextDefinition = {{ id: 'dtmi:dtdl:context;2', dtdlVersion: 2, terms: {ts_map(v2)} }};\n\n")
    f.write(f"export const DTDL_V3_CONTEXT: ContextDefinition = {{ id: 'dtmi:dtdl:context;3', dtdlVersion: 3, terms: {ts_map(v3)} }};\n\n")
    f.write('/** Extension contexts by id: the v3 feature extensions, and the IoT Central v2 context. */\n')
    f.write('export const EXTENSION_CONTEXTS: ReadonlyMap<string, ContextDefinition> = new Map<string, ContextDefinition>([\n')
    for cid, terms in extensions.items():
        f.write(f"  [{json.dumps(cid)}, {{ id: {json.dumps(cid)}, dtdlVersion: 3, terms: {ts_map(terms)} }}],\n")
    f.write(f"  ['dtmi:iotcentral:context;2', {{ id: 'dtmi:iotcentral:context;2', dtdlVersion: 2, terms: {ts_map(iotcentral)} }}],\n")
    f.write(']);\n')
with open(os.path.join(out_dir, 'quantitative.ts'), 'w') as f:
    f.write(header)
    f.write('''
export interface QuantitativeVocabulary {
  /** semantic type → the unit type its `unit` must come from */
  readonly semanticTypes: ReadonlyMap<string, string>;
  /** unit type → its units */
  readonly unitTypes: ReadonlyMap<string, readonly string[]>;
  /** unit → every unit type that contains it */
  readonly units: ReadonlyMap<string, readonly string[]>;
  /** alternative names of unit types (EnergyRateUnit is PowerUnit) */
  readonly aliases: ReadonlyMap<string, string>;
}

function vocabulary(semanticTypes: [string, string][], unitTypes: [string, string[]][], aliases: [string, string][] = []): QuantitativeVocabulary {
  const units = new Map<string, string[]>();
  for (const [unitType, members] of unitTypes) {
    for (const unit of members) units.set(unit, [...(units.get(unit) ?? []), unitType]);
  }
  return { semanticTypes: new Map(semanticTypes), unitTypes: new Map(unitTypes), units, aliases: new Map(aliases) };
}

''')
    f.write('/** DTDL v2 built-in semantic types and units. */\n')
    f.write(f"export const QUANTITATIVE_V2: QuantitativeVocabulary = vocabulary(\n  [\n{ts_list_map(v2_semantic)}\n  ],\n  [\n{ts_list_map(v2_unit_types)}\n  ],\n);\n\n")
    f.write('/** dtmi:dtdl:extension:quantitativeTypes;1 (DTDL v3). */\n')
    f.write(f"export const QUANTITATIVE_TYPES_V1: QuantitativeVocabulary = vocabulary(\n  [\n{ts_list_map(qt_semantic)}\n  ],\n  [\n{ts_list_map(qt_unit_types)}\n  ],\n  [\n{ts_list_map(qt_aliases)}\n  ],\n);\n")
print('v2 terms', len(v2), 'v3 terms', len(v3), 'qt semantic', len(qt_semantic), 'qt unit types', len(qt_unit_types), 'v2 semantic', len(v2_semantic), 'v2 unit types', len(v2_unit_types))
