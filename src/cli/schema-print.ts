/** `twingraph schema print`: the SDL of the schema a set of DTDL documents compiles to. */
import { lexicographicSortSchema, printSchema } from 'graphql';
import { compileSchema } from '../graphql';
import { parseModels } from '../dtdl';
import { collectDocuments } from './dtdl-validate';

export function printSchemaOf(paths: readonly string[]): { exitCode: 0 | 1; text: string } {
  const documents = collectDocuments(paths);
  const result = parseModels(documents);
  if (!result.valid) {
    return {
      exitCode: 1,
      text: `The DTDL does not validate (run twingraph dtdl validate ${paths.join(' ')} for details): ${result.errors.length} error(s).`,
    };
  }
  // Upload order decides contested names; models uploaded together are ordered by id, as the store lists them.
  const { schema } = compileSchema(result.models, [...result.defined].sort());
  return { exitCode: 0, text: `${printSchema(lexicographicSortSchema(schema))}\n` };
}
