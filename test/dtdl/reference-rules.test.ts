/**
 * Rules by which the reference parser says which validation ids a fault gets, beyond the layers
 * (layering.test.ts): one `describe` per rule, each test a valid or an invalid document with the ids, elements
 * and properties the reference parser reports for it (as its own generated cases show).
 */
import { ctx, expectErrors, expectValid, parse, type Json, type JsonObject } from '../support/dtdl-expect';

const I = 'dtmi:test:I;1';
const generated = (name: string): string => `dtmi:test:I:_contents:__${name};1`;
const iface = (v: 2 | 3, contents: Json[], context: Json = ctx(v), extra: JsonObject = {}): JsonObject => ({
  '@context': context,
  '@id': I,
  '@type': 'Interface',
  contents,
  ...extra,
});

describe('DTDL v2 tolerates co-types it does not know, but names them beside the faults of an element', () => {
  it('an unknown co-type on an otherwise valid element is tolerated', () => {
    expectValid(parse([iface(2, [{ '@type': ['Telemetry', 'Foobar'], name: 't', schema: 'double' }])]));
  });

  it('an element invalid in another way is reported with its unknown co-type', () => {
    expectErrors(parse([iface(2, [{ '@type': ['Telemetry', 'Foobar'], name: 't', schema: 'dubble' }])]), [
      { id: 'badDtmiOrTerm', primaryId: generated('t'), property: 'schema', value: 'dubble' },
      { id: 'objectCountBelowMin', primaryId: generated('t'), property: 'schema' },
      { id: 'typeUndefinedTerm', primaryId: generated('t'), value: 'Foobar' },
    ]);
  });

  it('an element whose only type is unknown has no type: it is reported with that type', () => {
    const schema = { '@id': 'dtmi:test:foobar;1', '@type': 'Foobar' };
    expectErrors(parse([iface(2, [{ '@type': 'Telemetry', name: 't', schema }])]), [
      { id: 'badType', primaryId: generated('t'), secondaryId: 'dtmi:test:foobar;1', property: 'schema' },
      { id: 'objectCountBelowMin', primaryId: generated('t'), property: 'schema' },
      { id: 'typeUndefinedTerm', primaryId: 'dtmi:test:foobar;1', value: 'Foobar' },
    ]);
  });

  it('not where an undefined extension is in context, which may define the type', () => {
    const context = [ctx(2), 'dtmi:example:undefined;1'];
    expectErrors(parse([iface(2, [{ '@type': ['Telemetry', 'Foobar'], name: 't', schema: 'dubble' }], context)]), [
      { id: 'badDtmiOrTerm', primaryId: generated('t'), property: 'schema', value: 'dubble' },
      { id: 'objectCountBelowMin', primaryId: generated('t'), property: 'schema' },
    ]);
  });
});

describe.each([2, 3] as const)('DTDL v%i: a class where an element belongs is of the wrong type', (v) => {
  it('a schema named by its class (Double) instead of the schema (double)', () => {
    // Found where references are resolved, as the reference parser finds it: the schema was given.
    expectErrors(parse([iface(v, [{ '@type': 'Telemetry', name: 't', schema: 'Double' }])]), [
      { id: 'badType', primaryId: generated('t'), secondaryId: `dtmi:dtdl:class:Double;${v}`, property: 'schema' },
    ]);
  });
});

describe('a co-type that needs another says so even where it does not apply', () => {
  it('Override on a Telemetry, without ValueAnnotation', () => {
    const context = [
      ctx(3),
      'dtmi:dtdl:extension:quantitativeTypes;1',
      'dtmi:dtdl:extension:annotation;2',
      'dtmi:dtdl:extension:overriding;2',
    ];
    const contents: Json[] = [
      { '@type': ['Telemetry', 'Temperature'], name: 'temp', schema: 'double', unit: 'degreeCelsius' },
      { '@type': ['Telemetry', 'Override'], name: 'tempUnit', annotates: 'temp', overrides: 'unit', schema: 'string' },
    ];
    expectErrors(parse([iface(3, contents, context)]), [
      { id: 'invalidCotype', primaryId: generated('tempUnit') },
      { id: 'missingCocotype', primaryId: generated('tempUnit'), value: 'ValueAnnotation' },
      { id: 'noTypeThatAllows', primaryId: generated('tempUnit'), property: 'annotates' },
      { id: 'propertyIrrelevantDtmiOrTerm', primaryId: generated('tempUnit'), property: 'annotates' },
    ]);
  });
});

describe('DTDL v2 knows no later version', () => {
  it('a v2 Interface extending a v3 one: the reference is disallowed and the v3 context unrecognized', () => {
    const base = { '@context': ctx(3), '@id': 'dtmi:test:base;1', '@type': 'Interface' };
    expectErrors(parse([iface(2, [], ctx(2), { extends: 'dtmi:test:base;1' }), base]), [
      { id: 'disallowedVersionReference', primaryId: I, secondaryId: 'dtmi:test:base;1', property: 'extends' },
      { id: 'unrecognizedContextVersion', value: 'dtmi:dtdl:context;3' },
    ]);
  });

  it('a v3 Interface may extend a v2 one', () => {
    const base = { '@context': ctx(2), '@id': 'dtmi:test:base;1', '@type': 'Interface' };
    expectValid(parse([iface(3, [], ctx(3), { extends: 'dtmi:test:base;1' }), base]));
  });
});

describe('local term definitions are refused, each said precisely', () => {
  const telemetry = (v: 2 | 3, local: JsonObject, extra: JsonObject = {}): JsonObject => ({
    '@context': [ctx(v), local],
    '@id': 'dtmi:test:t;1',
    '@type': 'Telemetry',
    name: 'height',
    schema: 'double',
    ...extra,
  });

  it('a term that is the DTMI scheme', () => {
    expectErrors(parse([telemetry(3, { dtmi: 'dtmi:test:x;1' })]), [
      { id: 'disallowedLocalContext' },
      { id: 'localTermSchemePrefix', property: 'dtmi' },
    ]);
  });

  it('a term that is not a JSON-LD term (a compact IRI)', () => {
    expectErrors(parse([telemetry(3, { 'foo:bar': 'dtmi:test:x;1' })]), [
      { id: 'disallowedLocalContext' },
      { id: 'localTermInvalid', property: 'foo:bar' },
    ]);
  });

  it('a definition that is no absolute URI (http without an authority)', () => {
    expectErrors(parse([telemetry(2, { foo: 'http:foo/bar.1' })]), [
      { id: 'disallowedLocalContext' },
      { id: 'localTermDefinitionInvalidUri', property: 'foo', value: 'http:foo/bar.1' },
    ]);
  });

  it("a partner's term is not reserved: only DTDL's own are", () => {
    const doc = telemetry(2, { geopoint: 'dtmi:standard:schema:geospatial:point;2' });
    doc['@context'] = [ctx(2), 'dtmi:iotcentral:context;2', { geopoint: 'dtmi:standard:schema:geospatial:point;2' }];
    expectErrors(parse([doc]), [{ id: 'disallowedLocalContext' }]);
    expectErrors(parse([telemetry(3, { contents: 'dtmi:test:x;1' })]), [
      { id: 'disallowedLocalContext' },
      { id: 'localTermReserved', property: 'contents' },
    ]);
  });
});
