/**
 * schema/schema.graphql is the committed SDL of the demo models in dtdl/: what clients and code generators
 * read. It must be what the compiler prints now.
 */
import fs from 'node:fs';
import path from 'node:path';
import { printSchemaOf } from '../../src/cli/schema-print';

const ROOT = path.join(__dirname, '..', '..');
const FILE = path.join(ROOT, 'schema', 'schema.graphql');

describe('schema/schema.graphql', () => {
  it('is what `twingraph schema print` gives for the models in dtdl/', () => {
    const printed = printSchemaOf([path.join(ROOT, 'dtdl')]);
    expect(printed.exitCode).toBe(0);
    const committed = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '';
    if (committed !== printed.text) {
      const a = committed.split('\n');
      const b = printed.text.split('\n');
      let line = 0;
      while (line < a.length && line < b.length && a[line] === b[line]) line++;
      throw new Error(
        `schema/schema.graphql is stale (first difference at line ${line + 1}: committed ${JSON.stringify(a[line] ?? '<end>')}, now ${JSON.stringify(b[line] ?? '<end>')}).\n` +
          'Regenerate it with `npm run schema:print` and commit it with the change that caused it.',
      );
    }
  });
});
