/**
 * Layers, as the reference parser reads them (src/dtdl/parse/layering.ts): with the layering extension in
 * context, `dtmi:x;1#foo` co-typed Layer is the layer `foo` of the element `dtmi:x;1`, and every definition of an
 * element adds to it. DTDL has no fragment identifiers, so a model set with layers is never valid; these rules
 * decide which other errors are reported beside that, as the reference parser's own cases do. One `describe` per
 * rule, in DTDL v2 and v3.
 */
import { ctx, expectErrors, ids, LAYERING, parse, type Json, type JsonObject } from '../support/dtdl-expect';

const VERSIONS = [2, 3] as const;
const I = 'dtmi:test:anInterface;1';
const LAYER = `${I}#foo`;
const generated = (name: string): string => `dtmi:test:anInterface:_contents:__${name};1`;
/** The one invalidId every model set with a fragment identifier gets, at its first. */
const fragment = (id = LAYER) => ({ id: 'invalidId', value: id });

function base(v: 2 | 3, contents: Json[] = [], extra: JsonObject = {}): JsonObject {
  return { '@context': ctx(v), '@id': I, '@type': ['Interface'], contents, ...extra };
}

function layer(v: 2 | 3, contents: Json[] = [], extra: JsonObject = {}, id = LAYER): JsonObject {
  return { '@context': [ctx(v), LAYERING], '@id': id, '@type': ['Interface', 'Layer'], contents, ...extra };
}

const telemetry = (name: string, extra: JsonObject = {}): JsonObject => ({
  '@type': ['Telemetry'],
  name,
  schema: 'double',
  ...extra,
});

describe.each(VERSIONS)('DTDL v%i layers', (v) => {
  describe('a fragment identifier is reported once, and its definition still joins its element', () => {
    it('reports only the first fragment identifier of the whole set', () => {
      const result = parse([layer(v, [telemetry('a')]), base(v), layer(v, [telemetry('b')], {}, `${I}#bar`)]);
      expectErrors(result, [fragment()]);
    });

    it('merges what each layer says into the one element, so that a conflict between them is found', () => {
      const result = parse([
        layer(v, [telemetry('speed', { comment: 'from the layer' })]),
        base(v, [telemetry('speed', { comment: 'from the base' })]),
      ]);
      expectErrors(result, [
        { id: 'inconsistentStringValues', primaryId: generated('speed'), property: 'comment' },
        fragment(),
      ]);
    });
  });

  describe('one definition per layer', () => {
    it('a layer defined twice is a duplicate definition', () => {
      expectErrors(parse([layer(v), base(v), layer(v)]), [{ id: 'duplicateDefinition', primaryId: I }, fragment()]);
    });

    it('an empty fragment names the base definition, which the element already has', () => {
      const result = parse([base(v, [telemetry('a')]), layer(v, [telemetry('b')], {}, `${I}#`)]);
      expectErrors(result, [{ id: 'duplicateDefinition', primaryId: I }, fragment(`${I}#`)]);
    });
  });

  describe('every definition of an element is in one DTDL version', () => {
    it('a v3 layer of a v2 element is inconsistent, whichever is read first', () => {
      const v2 = base(2, [telemetry('a')]);
      const v3 = layer(3, [telemetry('b')]);
      expect(ids(parse([v2, v3]))).toEqual(['inconsistentContext', 'invalidId']);
      expect(ids(parse([v3, v2]))).toEqual(['inconsistentContext', 'invalidId']);
    });
  });

  describe('every definition of an element is of its material type', () => {
    it('two kinds of content for one name are two material types of one element', () => {
      const result = parse([
        base(v, [{ '@type': ['Property'], name: 'speed', schema: 'double' }]),
        layer(v, [telemetry('speed')]),
      ]);
      expectErrors(result, [{ id: 'multipleMaterialTypes', primaryId: generated('speed') }, fragment()]);
    });

    it('a definition of a type that cannot stand where the element is, is incompatible where it stands', () => {
      const someInterface = { '@context': ctx(v), '@id': 'dtmi:test:some;1', '@type': ['Interface'] };
      const asTelemetry = { '@id': 'dtmi:test:some;1#foo', '@type': ['Telemetry', 'Layer'], name: 'speed' };
      // The telemetry (without a schema) is set aside whole: only its type is reported.
      expectErrors(parse([someInterface, layer(v, [asTelemetry]), base(v)]), [
        { id: 'incompatibleType', primaryId: I, secondaryId: 'dtmi:test:some;1', property: 'contents' },
        fragment(),
      ]);
    });

    it('an incompatible definition leaves a required property without its value', () => {
      const withTelemetry = base(v, [
        { '@id': 'dtmi:test:t;1', '@type': ['Telemetry'], name: 'speed', schema: 'double' },
      ]);
      const component = {
        '@type': ['Component'],
        name: 'child',
        schema: { '@id': 'dtmi:test:t;1#foo', '@type': ['Interface', 'Layer'] },
      };
      const other = { ...layer(v, [component]), '@id': 'dtmi:test:other;1#foo' };
      const child = 'dtmi:test:other:_contents:__child;1';
      expectErrors(parse([withTelemetry, other]), [
        { id: 'incompatibleType', primaryId: child, secondaryId: 'dtmi:test:t;1', property: 'schema' },
        { id: 'objectCountBelowMin', primaryId: child, property: 'schema' },
        fragment('dtmi:test:other;1#foo'),
      ]);
    });
  });

  describe('what every definition of a content says must hold for it alone', () => {
    it('each definition states its required properties, layers included', () => {
      const withId = { '@id': 'dtmi:test:t;1', '@type': ['Telemetry'], name: 'speed', schema: 'double' };
      const layerWithoutName = { '@id': 'dtmi:test:t;1#foo', '@type': ['Telemetry', 'Layer'], schema: 'double' };
      expectErrors(parse([base(v, [withId]), layer(v, [layerWithoutName])]), [
        { id: 'missingLiteralProperty', primaryId: 'dtmi:test:t;1', property: 'name' },
        fragment(),
      ]);
    });

    it('a layer cannot give a value the base definition lacks', () => {
      const result = parse([base(v, [{ '@type': ['Telemetry'], name: 'speed' }]), layer(v, [telemetry('speed')])]);
      expectErrors(result, [
        { id: 'missingObjectProperty', primaryId: generated('speed'), property: 'schema' },
        fragment(),
      ]);
    });

    it('a property is allowed by the types of its own definition, not by those of another', () => {
      const result = parse([base(v, [telemetry('speed')]), layer(v, [telemetry('speed', { foobar: 1 })])]);
      expectErrors(result, [{ id: 'noTypeThatAllows', primaryId: generated('speed'), property: 'foobar' }, fragment()]);
    });
  });

  describe('single-valued properties take one value across definitions', () => {
    it('two schemas for one telemetry are inconsistent', () => {
      const result = parse([base(v, [telemetry('speed', { schema: 'integer' })]), layer(v, [telemetry('speed')])]);
      expectErrors(result, [
        { id: 'inconsistentObjectValues', primaryId: generated('speed'), property: 'schema' },
        fragment(),
      ]);
    });

    it('two targets for one relationship are inconsistent identifiers', () => {
      const relationship = (target: string): JsonObject => ({ '@type': ['Relationship'], name: 'near', target });
      const result = parse([layer(v, [relationship('dtmi:test:a;1')]), base(v, [relationship('dtmi:test:b;1')])]);
      expectErrors(result, [
        { id: 'inconsistentIdentifierValues', primaryId: generated('near'), property: 'target' },
        fragment(),
      ]);
    });
  });

  describe('plural properties gather the values of every definition, within their limit', () => {
    it('layers add contents', () => {
      expect(ids(parse([base(v, [telemetry('a')]), layer(v, [telemetry('b')])]))).toEqual(['invalidId']);
    });

    if (v === 2)
      it('a layer adding a third base to an Interface passes the limit of two', () => {
        const empty = (n: string): JsonObject => ({
          '@context': ctx(2),
          '@id': `dtmi:test:${n};1`,
          '@type': 'Interface',
        });
        const result = parse([
          empty('a'),
          empty('b'),
          empty('c'),
          base(2, [], { extends: ['dtmi:test:a;1', 'dtmi:test:b;1'] }),
          layer(2, [], { extends: ['dtmi:test:c;1'] }),
        ]);
        expectErrors(result, [{ id: 'objectCountAboveMax', primaryId: I, property: 'extends' }, fragment()]);
      });
  });

  describe('an element has one parent', () => {
    it('a layer may not define a content under another interface', () => {
      const withId = (extra: JsonObject = {}): JsonObject => ({
        '@id': 'dtmi:test:t;1',
        '@type': ['Telemetry'],
        name: 'speed',
        schema: 'double',
        ...extra,
      });
      const other = layer(
        v,
        [withId({ '@id': 'dtmi:test:t;1#foo', '@type': ['Telemetry', 'Layer'] })],
        {},
        'dtmi:test:other;1#foo',
      );
      expectErrors(parse([base(v, [withId()]), other]), [
        { id: 'inconsistentParent', primaryId: 'dtmi:test:t;1', secondaryId: 'dtmi:test:other;1' },
        fragment('dtmi:test:other;1#foo'),
      ]);
    });
  });

  describe('a nested definition belongs to its parent layer', () => {
    it('a nested identifier with a fragment must be co-typed Layer', () => {
      const withFragment = { '@id': 'dtmi:test:t;1#foo', '@type': ['Telemetry'], name: 'speed', schema: 'double' };
      expectErrors(parse([base(v, [telemetry('other')]), layer(v, [withFragment])]), [
        { id: 'disallowedIdFragment', primaryId: 'dtmi:test:t;1' },
        fragment(),
      ]);
    });

    it('one layer may not nest another', () => {
      const nested = { '@id': 'dtmi:test:t;1#bar', '@type': ['Telemetry', 'Layer'], name: 'speed', schema: 'double' };
      expectErrors(parse([layer(v, [nested])]), [
        { id: 'mismatchedLayers', primaryId: I, secondaryId: 'dtmi:test:t;1#bar', property: 'contents' },
        fragment(),
      ]);
    });

    it('a layer may not nest a base definition', () => {
      const nested = { '@id': 'dtmi:test:t;1', '@type': ['Telemetry'], name: 'speed', schema: 'double' };
      expectErrors(parse([layer(v, [nested])]), [
        { id: 'mismatchedLayers', primaryId: I, secondaryId: 'dtmi:test:t;1', property: 'contents' },
        fragment(),
      ]);
    });
  });

  describe('without the layering extension a fragment names no layer', () => {
    it('the fragment identifier is an element of its own, merged with nothing', () => {
      const unmerged = {
        '@context': ctx(v),
        '@id': LAYER,
        '@type': ['Interface', 'Layer'],
        contents: [telemetry('speed', { comment: 'x' })],
      };
      const merged = layer(v, [telemetry('speed', { comment: 'y' })]);
      expectErrors(parse([base(v), unmerged, merged]), [fragment()]);
    });

    it('a value whose own context brings the extension cannot join a parent that kept its fragment', () => {
      const unmerged = {
        '@context': ctx(v),
        '@id': LAYER,
        '@type': ['Interface', 'Layer'],
        contents: [{ '@context': LAYERING, ...telemetry('speed') }],
      };
      expectErrors(parse([base(v), unmerged]), [
        { id: 'mismatchedLayers', primaryId: LAYER, property: 'contents' },
        fragment(),
      ]);
    });
  });

  describe("a keyed value's key is judged on the whole element", () => {
    it('a layer that restates an element by @id need not repeat its name', () => {
      const withId = { '@id': 'dtmi:test:t;1', '@type': ['Telemetry'], name: 'speed', schema: 'double' };
      const restated = {
        '@id': 'dtmi:test:t;1#foo',
        '@type': ['Telemetry', 'Layer'],
        name: 'speed',
        comment: 'x',
        schema: 'double',
      };
      expect(ids(parse([base(v, [withId]), layer(v, [restated])]))).toEqual(['invalidId']);
    });
  });

  describe('partial resolution: a resolver asked for the other layers of layered elements', () => {
    const gear = layer(v, [telemetry('gear')]);

    it('is asked with each layered element and the layers read so far, until it has nothing more', () => {
      const asked: Record<string, readonly string[]>[] = [];
      const result = parse([gear], {
        resolveLayers: (layers) => {
          asked.push({ ...layers });
          return asked.length === 1 ? [JSON.stringify(base(v, [telemetry('speed')]))] : [];
        },
      });
      expect(asked).toEqual([{ [I]: ['foo'] }, { [I]: ['', 'foo'] }]);
      expect(ids(result)).toEqual(['invalidId']);
    });

    it('a definition it returns again is a duplicate', () => {
      const result = parse([base(v, [telemetry('speed')]), gear], {
        resolveLayers: () => [JSON.stringify(base(v, [telemetry('speed')]))],
      });
      expect(ids(result)).toEqual(['duplicateDefinition', 'invalidId']);
    });

    it('a refusal leaves the layered element unresolved', () => {
      const result = parse([base(v, [telemetry('speed')]), gear], { resolveLayers: () => null });
      expect(result.errors.find((e) => e.validationId.endsWith(':undefinedReference'))?.value).toBe(I);
    });
  });
});

describe('semantic types across layers (DTDL v3, quantitativeTypes)', () => {
  const QT = 'dtmi:dtdl:extension:quantitativeTypes;1';
  const UNIT_IRI = 'dtmi:dtdl:extension:quantitativeTypes:v1:property:unit';
  const withQt = (doc: JsonObject): JsonObject => ({ ...doc, '@context': [...[doc['@context']].flat(), QT] as Json });
  const speed = (types: string[], extra: JsonObject = {}): JsonObject => ({
    '@type': ['Telemetry', ...types],
    name: 'speed',
    schema: 'double',
    ...extra,
  });

  it('a layer may not give an element a semantic type of another quantity', () => {
    const result = parse([
      withQt(base(3, [speed(['Velocity'], { unit: 'metrePerSecond' })])),
      withQt(layer(3, [speed(['Distance'], { unit: 'metre' })])),
    ]);
    expectErrors(result, [
      { id: 'conflictingSupplementalTypes', primaryId: generated('speed'), property: 'unit' },
      fragment(),
    ]);
  });

  it("the base definition that creates the element misses a co-type's property as the co-type's", () => {
    const result = parse([
      withQt(base(3, [speed(['Velocity'])])),
      withQt(layer(3, [speed(['Velocity'], { unit: 'metrePerSecond' })])),
    ]);
    expectErrors(result, [
      { id: 'missingSupplementalObjectProperty', primaryId: generated('speed'), property: 'unit' },
      fragment(),
    ]);
  });

  it('any other definition misses the property itself, named by its IRI', () => {
    const result = parse([
      withQt(layer(3, [speed(['Velocity'], { unit: 'metrePerSecond' })])),
      withQt(base(3, [speed(['Velocity'])])),
    ]);
    expectErrors(result, [
      { id: 'missingObjectProperty', primaryId: generated('speed'), property: UNIT_IRI },
      fragment(),
    ]);
  });

  it('two units for one element are inconsistent', () => {
    const result = parse([
      withQt(base(3, [speed(['Velocity'], { unit: 'metrePerSecond' })])),
      withQt(layer(3, [speed(['Velocity'], { unit: 'kilometrePerHour' })])),
    ]);
    expectErrors(result, [
      { id: 'inconsistentObjectValues', primaryId: generated('speed'), property: UNIT_IRI },
      fragment(),
    ]);
  });
});
