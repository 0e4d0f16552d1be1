/** Every error a modeler can get has its own cause and action, naming the element, property and value. */
import fs from 'node:fs';
import path from 'node:path';
import { parseModels } from '../../src/dtdl';
import { DESCRIBED_CODES, describeError } from '../../src/dtdl/messages';

/** The validation ids the engine can emit, read from its source. */
function emittedCodes(): string[] {
  const dir = path.join(__dirname, '..', '..', 'src', 'dtdl');
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.ts')) files.push(path.join(d, e.name));
    }
  };
  walk(dir);
  const codes = new Set<string>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/errors\.add\(\s*'([A-Za-z]+)'/g)) codes.add(m[1]);
    // Ids looked up in tables (index.ts: a JSON-LD keyword written twice in one object).
    for (const m of text.matchAll(/'(repeated[A-Z][A-Za-z]*Property)'/g)) codes.add(m[1]);
  }
  // Ids built from templates in parse/values.ts, parse/element.ts and resolve/layers.ts.
  const families: Record<string, [string, string]> = {
    string: ['String', 'String'],
    integer: ['Integer', 'Integer'],
    boolean: ['Boolean', 'Boolean'],
    duration: ['String', 'Duration'],
    numeric: ['Numeric', 'Numeric'],
  };
  for (const [stem, [not, typeNot]] of Object.entries(families)) {
    for (const id of [
      `${stem}Not${not}`,
      `${stem}TypeNot${typeNot}`,
      `${stem}ValueNot${not}`,
      `${stem}ObjectNoValue`,
      `${stem}MultipleValues`,
      `${stem}CountBelowMin`,
    ])
      codes.add(id);
  }
  for (const id of ['literalNotValid', 'literalObjectNoValue', 'literalMultipleValues', 'literalCountBelowMin'])
    codes.add(id);
  for (const kind of ['String', 'Integer', 'Boolean', 'LangString', 'Identifier'])
    codes.add(`inconsistent${kind}Values`);
  for (const kind of ['Literal', 'Object']) {
    codes.add(`missing${kind}Property`);
    codes.add(`missingSupplemental${kind}Property`);
  }
  return [...codes].sort();
}

describe('validation messages', () => {
  it('has its own wording for every validation id the engine can emit', () => {
    const codes = emittedCodes();
    expect(codes.length).toBeGreaterThan(120);
    expect(codes.filter((c) => !DESCRIBED_CODES.has(c))).toEqual([]);
  });

  it('names the element, the property and the offending value', () => {
    const { cause, action } = describeError('badDtmiOrTerm', {
      primaryId: 'dtmi:example:Room;1',
      property: 'schema',
      value: 'dubble',
      detail: '3',
    });
    expect(cause).toContain('dtmi:example:Room;1');
    expect(cause).toContain("'schema'");
    expect(cause).toContain("'dubble'");
    expect(action).toMatch(/double/);
  });

  it('reads well when optional fields are absent', () => {
    for (const code of DESCRIBED_CODES) {
      const { cause, action } = describeError(code, {});
      // No interpolated `undefined` (the only legitimate use is "undefined extensions").
      expect(`${cause} ${action}`).not.toMatch(/undefined(?! extension)/);
      expect(action.length).toBeGreaterThan(10);
    }
  });

  it('reaches the modeler through parseModels', () => {
    const doc = JSON.stringify({
      '@context': 'dtmi:dtdl:context;3',
      '@id': 'dtmi:example:T;1',
      '@type': 'Interface',
      contents: [{ '@type': 'Property', name: '9lives', schema: 'double' }],
    });
    const [error] = parseModels([doc]).errors;
    expect(error.validationId).toBe('dtmi:dtdl:parsingError:stringInvalid');
    expect(error.cause).toBe(
      "Element dtmi:example:T:_contents:__9lives;1 property 'name' has value '9lives', which does not have the required form.",
    );
    expect(error.action).toMatch(/start with a letter/);
  });
});
