/**
 * Bad input never crashes: truncated, deeply nested, huge, type-confused and randomly mutated
 * documents all end in a verdict with well-formed errors, within time and memory bounds.
 */
import { parseModels, type ParseResult } from '../../src/dtdl';
import { cpuStopwatch } from '../support/cpu-time';
import { CONFUSING_VALUES, mutate, paths, prng, richInterface, setAt, supportingInterfaces } from '../support/mutate';

const SUPPORT = supportingInterfaces().map((d) => JSON.stringify(d));

function expectWellFormed(result: ParseResult): void {
  expect(typeof result.valid).toBe('boolean');
  expect(result.valid).toBe(result.errors.length === 0);
  for (const e of result.errors) {
    expect(e.validationId).toMatch(/^dtmi:(dtdl|twingraph):parsingError:[A-Za-z]+$/);
    expect(e.cause.length).toBeGreaterThan(10);
    expect(e.action.length).toBeGreaterThan(5);
  }
}

/** The result, and the CPU time it cost (not the wall clock, which a busy machine stretches). */
function timed(fn: () => ParseResult): { result: ParseResult; ms: number } {
  const elapsed = cpuStopwatch();
  const result = fn();
  return { result, ms: elapsed() };
}

describe('parseModels on hostile input', () => {
  const valid = JSON.stringify(richInterface(), null, 2);

  it('accepts the seed model, so that mutations start from a valid document', () => {
    const result = parseModels([valid, ...SUPPORT]);
    expect(result.errors).toEqual([]);
  });

  it('reports every truncation of a model as invalid JSON with a position', () => {
    for (let cut = 0; cut < valid.length; cut += 7) {
      const result = parseModels([valid.slice(0, cut), ...SUPPORT]);
      expect(result.valid).toBe(false);
      expect(result.errors[0].validationId).toBe('dtmi:twingraph:parsingError:invalidJson');
      expect(result.errors[0].value).toMatch(/line \d+, column \d+/);
    }
  });

  it('refuses JSON nested 100,000 levels deep, quickly', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const deepObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    for (const text of [deep, deepObject]) {
      const { result, ms } = timed(() => parseModels([text]));
      expectWellFormed(result);
      expect(result.valid).toBe(false);
      expect(ms).toBeLessThan(2000);
    }
  });

  it('refuses an extends chain nested 2,000 levels deep inline', () => {
    let doc: Record<string, unknown> = { '@id': 'dtmi:example:L2000;1', '@type': 'Interface' };
    for (let i = 1999; i >= 0; i--) doc = { '@id': `dtmi:example:L${i};1`, '@type': 'Interface', extends: doc };
    const { result, ms } = timed(() => parseModels([JSON.stringify({ '@context': 'dtmi:dtdl:context;3', ...doc })]));
    expect(result.errors.map((e) => e.validationId)).toEqual(['dtmi:twingraph:parsingError:inputTooDeep']);
    expect(ms).toBeLessThan(2000);
  });

  it('reports a too-deep extends chain within the allowed JSON depth by the DTDL rule', () => {
    let doc: Record<string, unknown> = { '@id': 'dtmi:example:L15;1', '@type': 'Interface' };
    for (let i = 14; i >= 0; i--) doc = { '@id': `dtmi:example:L${i};1`, '@type': 'Interface', extends: doc };
    const result = parseModels([JSON.stringify({ '@context': 'dtmi:dtdl:context;3', ...doc })]);
    expect(result.errors.map((e) => e.validationId)).toContain('dtmi:dtdl:parsingError:excessiveDepthNarrow');
  });

  it('refuses a document over the size limit before parsing it', () => {
    const huge = JSON.stringify({
      '@context': 'dtmi:dtdl:context;3',
      '@id': 'dtmi:example:Huge;1',
      '@type': 'Interface',
      comment: 'x'.repeat(20_000_000),
    });
    const { result, ms } = timed(() => parseModels([huge]));
    expect(result.errors.map((e) => e.validationId)).toEqual(['dtmi:twingraph:parsingError:inputTooLarge']);
    expect(ms).toBeLessThan(2000);
  });

  it('reports the 1 MiB Interface limit for the one interface of an array that passes it', () => {
    const wide = {
      '@context': 'dtmi:dtdl:context;3',
      '@id': 'dtmi:example:Wide;1',
      '@type': 'Interface',
      contents: Array.from({ length: 30_000 }, (_, i) => ({ '@type': 'Property', name: `p${i}`, schema: 'double' })),
    };
    const narrow = { '@context': 'dtmi:dtdl:context;3', '@id': 'dtmi:example:Narrow;1', '@type': 'Interface' };
    const result = parseModels([
      JSON.stringify([narrow, wide, narrow].map((d, i) => (i === 2 ? { ...d, '@id': 'dtmi:example:Other;1' } : d))),
    ]);
    expect(result.errors.map((e) => [e.validationId, e.primaryId])).toEqual([
      ['dtmi:dtdl:parsingError:partitionTooLarge', 'dtmi:example:Wide;1'],
    ]);
  });

  it('handles an interface with 100,000 contents within bounds, and reports the 1 MiB Interface limit', () => {
    const contents = Array.from({ length: 100_000 }, (_, i) => ({
      '@type': 'Property',
      name: `p${i}`,
      schema: 'double',
    }));
    const text = JSON.stringify({
      '@context': 'dtmi:dtdl:context;3',
      '@id': 'dtmi:example:Wide;1',
      '@type': 'Interface',
      contents,
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const { result, ms } = timed(() => parseModels([text]));
    expectWellFormed(result);
    expect(result.errors.map((e) => e.validationId)).toEqual(['dtmi:dtdl:parsingError:partitionTooLarge']);
    expect(ms).toBeLessThan(10_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(1.5 * 1024 ** 3);
  });

  it('enforces the DTDL v3 limit of 100,000 elements per interface, inherited ones included', () => {
    const props = (prefix: string, n: number): unknown[] =>
      Array.from({ length: n }, (_, i) => ({ '@type': 'Property', name: `${prefix}${i}`, schema: 'double' }));
    const base = {
      '@context': 'dtmi:dtdl:context;3',
      '@id': 'dtmi:example:Big;1',
      '@type': 'Interface',
      contents: props('a', 60_000),
    };
    const child = {
      '@context': 'dtmi:dtdl:context;3',
      '@id': 'dtmi:example:Bigger;1',
      '@type': 'Interface',
      extends: 'dtmi:example:Big;1',
      contents: props('b', 40_001),
    };
    const result = parseModels([JSON.stringify(base), JSON.stringify(child)], { maxDocumentBytes: 64 * 1024 * 1024 });
    const counts = result.errors.filter((e) => e.validationId === 'dtmi:dtdl:parsingError:excessiveCount');
    expect(counts.map((e) => e.primaryId)).toEqual(['dtmi:example:Bigger;1']);
    expect(counts[0].cause).toMatch(/100000 elements/);
  });

  it('gives a verdict, never an exception, when any value is replaced by a value of another type', () => {
    const seed = richInterface();
    let invalid = 0;
    for (const path of paths(seed)) {
      if (path.length === 0) continue;
      for (const value of CONFUSING_VALUES) {
        const result = parseModels([JSON.stringify(setAt(seed, path, value)), ...SUPPORT]);
        expectWellFormed(result);
        if (!result.valid) invalid++;
      }
    }
    expect(invalid).toBeGreaterThan(500);
  });

  it('gives a verdict, never an exception, for 3,000 random mutations (v2 and v3)', () => {
    const random = prng(20261124);
    for (const version of [2, 3] as const) {
      const support = supportingInterfaces(version).map((d) => JSON.stringify(d));
      let doc: unknown = richInterface(version);
      for (let i = 0; i < 1500; i++) {
        doc = i % 10 === 0 ? richInterface(version) : mutate(doc as never, random);
        const { result, ms } = timed(() => parseModels([JSON.stringify(doc), ...support]));
        expectWellFormed(result);
        expect(ms).toBeLessThan(2000);
      }
    }
  });
});
