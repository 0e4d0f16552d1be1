/**
 * `twingraph schema print`: the SDL of the schema a set of DTDL documents compiles to, with the schema parts
 * of the feature plugins (every one by default, as `npm start` serves it), so that schema/schema.graphql is
 * what clients of the demo see.
 */
import { enabledFeatures } from '../app';
import { PLUGINS, type PluginName } from '../config';
import { collectDocuments, parseModels } from '../dtdl';
import { compileSchema } from '../graphql';
import { printSortedSchema } from '../graphql/schema-documents';

export function printSchemaOf(
  paths: readonly string[],
  plugins: readonly PluginName[] = PLUGINS,
): { exitCode: 0 | 1; text: string } {
  const documents = collectDocuments(paths);
  const result = parseModels(documents);
  if (!result.valid) {
    return {
      exitCode: 1,
      text: `The DTDL does not validate (run twingraph dtdl validate ${paths.join(' ')} for details): ${result.errors.length} error(s).`,
    };
  }
  const schemaPlugins = enabledFeatures({ plugins }).flatMap((feature) => (feature.schema ? [feature.schema] : []));
  // Upload order decides contested names; models uploaded together are ordered by id, as the store lists them.
  const { schema } = compileSchema(result.models, [...result.defined].sort(), { plugins: schemaPlugins });
  return { exitCode: 0, text: printSortedSchema(schema) };
}
