/**
 * A jest transformer for @bsull/augurs only. The package is ESM-only ("type": "module"); the compiled server
 * loads it with require(esm) (Node >= 20.19), but jest's module loader runs everything as CommonJS and has no
 * require(esm), so without this the first `require('@bsull/augurs/mstl')` in a test is a SyntaxError.
 * `import.meta.url` has no CommonJS meaning, so it becomes the file URL of the module before transpiling.
 * src/analytics/forecast.ts always passes the wasm bytes to `initSync`, so that URL is never fetched; it is
 * replaced only so that the transpiled file parses.
 */
const { createHash } = require('node:crypto');
const ts = require('typescript');

const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
const VERSION = '1';

function transform(source, filename) {
  const cjsSource = source.replace(IMPORT_META_URL, "require('url').pathToFileURL(__filename).href");
  const { outputText } = ts.transpileModule(cjsSource, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      allowJs: true,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  return outputText;
}

module.exports = {
  process(source, filename) {
    return { code: transform(source, filename) };
  },
  getCacheKey(source, filename) {
    return createHash('sha256')
      .update(VERSION)
      .update('\0')
      .update(ts.version)
      .update('\0')
      .update(filename)
      .update('\0')
      .update(source)
      .digest('hex');
  },
};
