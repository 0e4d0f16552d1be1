/**
 * Real ontologies compile to valid schemas: RealEstateCore v3, Willow v3 and EnergyGrid v2, each uploaded as
 * one set. Compile times are logged, not asserted (the speed goals live in bench/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isInterfaceType, isObjectType, validateSchema } from 'graphql';
import { compileSchema, coreSchema, type CompiledSchema } from '../../src/graphql';
import { parseModels, type ParseResult } from '../../src/dtdl';
import { describeWithShared, listFiles, sharedPath } from '../support/shared';

function load(name: string): ParseResult {
  const dir = sharedPath('dtdl', 'ontologies', name);
  const files = [...listFiles(dir, '.json'), ...listFiles(dir, '.jsonld')].sort();
  return parseModels(files.map((file) => ({ name: path.relative(dir, file), text: fs.readFileSync(file, 'utf8') })));
}

describe.each([
  ['realestatecore-v3', 'RealEstateCore'],
  ['willow-building-v3', 'Willow'],
  ['energygrid-v2', 'EnergyGrid'],
])('ontology %s', (folder, label) => {
  describeWithShared(['dtdl', 'ontologies', folder], `${label} compiled as one upload`, () => {
    let parsed: ParseResult;
    let compiled: CompiledSchema;
    let compileMs: number;
    beforeAll(() => {
      parsed = load(folder);
      expect(parsed.errors.slice(0, 5)).toEqual([]);
      coreSchema(); // built once per process, not per compile
      // Models uploaded together are ordered by id, as the store lists them.
      const started = performance.now();
      compiled = compileSchema(parsed.models, [...parsed.defined].sort());
      compileMs = performance.now() - started;
    });

    it('gives a schema with no validateSchema errors', () => {
      const started = performance.now();
      const errors = validateSchema(compiled.schema);
      const validateMs = performance.now() - started;
      console.log(
        `${label}: ${parsed.defined.length} models, ${Object.keys(compiled.schema.getTypeMap()).length} types; compile ${compileMs.toFixed(0)} ms, validateSchema ${validateMs.toFixed(0)} ms`,
      );
      expect(errors.slice(0, 5).map((e) => e.message)).toEqual([]);
    });

    it('gives every model an interface, an object type and a root list field, unless it is a component', () => {
      expect(compiled.info.names.size).toBe(parsed.defined.length);
      const query = compiled.schema.getQueryType()!.getFields();
      const components = new Set(
        [...parsed.models.interfaces.values()].flatMap((m) =>
          [...m.contents.values()].flatMap((c) => (c.kind === 'Component' ? [c.schema] : [])),
        ),
      );
      const taken = new Set<string>();
      for (const [id, names] of compiled.info.names) {
        expect({
          id,
          iface: isInterfaceType(compiled.schema.getType(names.interfaceType)),
          object: isObjectType(compiled.schema.getType(names.objectType)),
          list: names.listField !== undefined && names.listField in query,
        }).toEqual({
          id,
          iface: true,
          object: true,
          list: !components.has(id),
        });
        expect(compiled.schema.getType(names.interfaceType)!.description).toContain(id);
        expect(taken.has(names.interfaceType)).toBe(false);
        taken.add(names.interfaceType);
      }
    });
  });
});
