/**
 * `twingraph dtdl validate <files-or-dirs...> [--json]`: validates the whole set together, as an
 * upload would be. Exit 0 when valid, 1 when invalid; usage errors are the caller's (exit 2).
 */
import { collectDocuments, parseModels, type DtdlError } from '../dtdl';
import { UsageError } from '../errors';

export interface ValidateOutput {
  readonly exitCode: 0 | 1;
  readonly text: string;
}

export function validateFiles(targets: readonly string[], json: boolean): ValidateOutput {
  if (targets.length === 0) throw new UsageError('dtdl validate needs at least one file or directory');
  const documents = collectDocuments(targets);
  if (documents.length === 0) throw new UsageError(`no .json or .jsonld files found in ${targets.join(', ')}`);
  const result = parseModels(documents);
  const exitCode = result.valid ? 0 : 1;
  if (json) {
    return {
      exitCode,
      text: JSON.stringify({ valid: result.valid, interfaces: result.defined.length, errors: result.errors }, null, 2),
    };
  }
  if (result.valid) {
    return { exitCode, text: `valid: ${documents.length} document(s), ${result.defined.length} interface(s)` };
  }
  const lines = result.errors.map(formatError);
  lines.push(`invalid: ${result.errors.length} error(s) in ${documents.length} document(s)`);
  return { exitCode, text: lines.join('\n\n') };
}

function formatError(e: DtdlError): string {
  const where = e.source
    ? `${e.source}${e.line ? `:${e.line}:${e.column}` : ''}`
    : e.document !== undefined
      ? `document ${e.document}`
      : '';
  const head = [where, e.primaryId, e.property && `property '${e.property}'`].filter(Boolean).join('  ');
  return `${head}\n  error ${e.validationId}\n  cause:  ${e.cause}\n  action: ${e.action}`;
}
