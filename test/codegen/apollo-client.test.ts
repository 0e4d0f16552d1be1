/**
 * The Apollo Client example in codegen/ compiles against Apollo Client 4 and the typed documents beside it, as
 * an ES module (what front-end code is), with the project's strictness: a change of the schema or of the
 * generated documents that breaks a client copied from it fails here.
 */
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

it('codegen/apollo-client.mts type-checks', () => {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (file) => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram([path.join(ROOT, 'codegen', 'apollo-client.mts')], { ...options, noEmit: true });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(problems).toEqual([]);
}, 60_000);
