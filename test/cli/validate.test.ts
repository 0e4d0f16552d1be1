/** `twingraph dtdl validate <files-or-dirs...> [--json]`, run in-process. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli';

const run = runCli;

function folder(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twingraph-cli-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

const base = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:example:Base;1',
  '@type': 'Interface',
  contents: [{ '@type': 'Property', name: 'serial', schema: 'string' }],
};
const child = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:example:Child;1',
  '@type': 'Interface',
  extends: 'dtmi:example:Base;1',
};

describe('twingraph dtdl validate', () => {
  it('exits 0 for a valid set spread over nested folders, .json and .jsonld alike, ignoring other files', async () => {
    const dir = folder({ 'a/base.json': base, 'b/child.jsonld': child, 'notes.txt': 'not a model' });
    const { code, out } = await run('dtdl', 'validate', dir);
    expect(code).toBe(0);
    expect(out).toMatch(/valid: 2 document\(s\), 2 interface\(s\)/);
  });

  it('exits 1 for an invalid set with a report naming file, line, DTMI, property, cause and action', async () => {
    const broken = { ...base, contents: [{ '@type': 'Property', name: 'serial', schema: 'strin' }] };
    const dir = folder({ 'base.json': broken, 'child.json': child });
    const { code, out } = await run('dtdl', 'validate', dir);
    expect(code).toBe(1);
    expect(out).toContain(`${path.join(dir, 'base.json')}:`);
    expect(out).toMatch(/base\.json:\d+:\d+/);
    expect(out).toContain('dtmi:example:Base:_contents:__serial;1');
    expect(out).toContain("property 'schema'");
    expect(out).toContain('dtmi:dtdl:parsingError:badDtmiOrTerm');
    expect(out).toMatch(/cause: .*strin/);
    expect(out).toMatch(/action: /);
    expect(out).toMatch(/invalid: 2 error\(s\) in 2 document\(s\)/);
  });

  it('validates the files together: a reference to a model in another file is fine, a missing one is not', async () => {
    const alone = folder({ 'child.json': child });
    const { code, out } = await run('dtdl', 'validate', alone);
    expect(code).toBe(1);
    expect(out).toContain('dtmi:example:Base;1');
    const together = folder({ 'child.json': child });
    const other = folder({ 'base.json': base });
    expect((await run('dtdl', 'validate', together, path.join(other, 'base.json'))).code).toBe(0);
  });

  it('prints structured errors with --json', async () => {
    const dir = folder({ 'bad.json': '{ "@context": "dtmi:dtdl:context;3", ' });
    const { code, out } = await run('dtdl', 'validate', dir, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out) as { valid: boolean; errors: { validationId: string; line?: number }[] };
    expect(report.valid).toBe(false);
    expect(report.errors[0].validationId).toBe('dtmi:twingraph:parsingError:invalidJson');
  });

  it('exits 2 on usage errors', async () => {
    expect((await run('dtdl', 'validate')).code).toBe(2);
    const missing = await run('dtdl', 'validate', path.join(os.tmpdir(), 'no-such-twingraph-folder'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such file or directory/);
    const empty = await run('dtdl', 'validate', folder({ 'readme.md': '# nothing' }));
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/no \.json or \.jsonld files/);
    expect((await run('dtdl', 'frobnicate')).code).toBe(2);
  });
});
