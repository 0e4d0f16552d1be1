/**
 * Real ontologies, loaded as whole sets: RealEstateCore v3, Willow v3 and EnergyGrid v2 must parse
 * as valid; a broken copy of each must give the precise error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseModels, type NamedDocument } from '../../src/dtdl';
import { describeWithShared, listFiles, sharedPath } from '../support/shared';

function loadOntology(name: string): NamedDocument[] {
  const dir = sharedPath('dtdl', 'ontologies', name);
  const files = [...listFiles(dir, '.json'), ...listFiles(dir, '.jsonld')].sort();
  return files.map((file) => ({ name: path.relative(dir, file), text: fs.readFileSync(file, 'utf8') }));
}

type Json = { [key: string]: unknown };
/** Parses each document (a file may hold one interface or an array of them) and lists the interfaces with their document. */
function interfacesOf(docs: NamedDocument[]): { doc: number; index: number; model: Json }[] {
  return docs.flatMap((d, doc) => {
    const value = JSON.parse(d.text.replace(/^\uFEFF/, '')) as Json | Json[];
    return (Array.isArray(value) ? value : [value]).map((model, index) => ({ doc, index, model }));
  });
}

/** Rewrites one interface in a copy of the set. */
function withChange(
  docs: NamedDocument[],
  target: { doc: number; index: number },
  change: (model: Json) => void,
): NamedDocument[] {
  return docs.map((d, i) => {
    if (i !== target.doc) return d;
    const value = JSON.parse(d.text.replace(/^\uFEFF/, '')) as Json | Json[];
    const list = Array.isArray(value) ? value : [value];
    change(list[target.index]);
    return { name: d.name, text: JSON.stringify(Array.isArray(value) ? list : list[0]) };
  });
}

const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe.each([
  ['realestatecore-v3', 767],
  ['willow-building-v3', 3699],
  ['energygrid-v2', 113],
])('ontology %s', (name, interfaceCount) => {
  describeWithShared(['dtdl', 'ontologies', name], `${name} as a whole set`, () => {
    let docs: NamedDocument[];
    let interfaces: { doc: number; index: number; model: Json }[];
    beforeAll(() => {
      docs = loadOntology(name);
      interfaces = interfacesOf(docs);
    });

    it('parses as valid', () => {
      const result = parseModels(docs);
      expect(result.errors.slice(0, 5)).toEqual([]);
      expect(result.valid).toBe(true);
      expect(result.defined.length).toBeGreaterThanOrEqual(interfaceCount);
    });

    it('reports a reference to an undefined interface, naming it', () => {
      const victim = interfaces.find((i) => asArray(i.model.extends).length > 0)!;
      const broken = withChange(docs, victim, (m) => {
        m.extends = [...asArray(m.extends), 'dtmi:example:doesNotExist;1'];
      });
      const result = parseModels(broken);
      expect(result.valid).toBe(false);
      expect(result.errors.map((e) => [e.validationId, e.primaryId, e.value])).toEqual([
        ['dtmi:twingraph:parsingError:undefinedReference', victim.model['@id'], 'dtmi:example:doesNotExist;1'],
      ]);
    });

    it('reports a cycle in extends', () => {
      const child = interfaces.find((i) => asArray(i.model.extends).length > 0)!;
      const parentId = asArray(child.model.extends)[0] as string;
      const parent = interfaces.find((i) => i.model['@id'] === parentId)!;
      const broken = withChange(docs, parent, (m) => {
        m.extends = [...asArray(m.extends), child.model['@id']];
      });
      const result = parseModels(broken);
      expect(result.valid).toBe(false);
      expect(new Set(result.errors.map((e) => e.validationId))).toEqual(
        new Set(['dtmi:dtdl:parsingError:recursiveStructureNarrow']),
      );
      expect(result.errors.map((e) => e.primaryId)).toContain(parentId);
    });

    it('reports a duplicate content name', () => {
      const victim = interfaces.find((i) =>
        asArray(i.model.contents).some((c) => typeof c === 'object' && (c as Json)['@type'] === 'Property'),
      )!;
      const duplicated = asArray(victim.model.contents).find((c) => (c as Json)['@type'] === 'Property') as Json;
      const broken = withChange(docs, victim, (m) => {
        m.contents = [...asArray(m.contents), { ...duplicated, '@id': undefined, schema: 'string' }];
      });
      const result = parseModels(broken);
      expect(result.valid).toBe(false);
      expect(result.errors.map((e) => [e.validationId, e.value])).toContainEqual([
        'dtmi:dtdl:parsingError:nonUniquePropertyValue',
        duplicated.name,
      ]);
    });
  });
});
