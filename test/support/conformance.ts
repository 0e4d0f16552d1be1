/**
 * Runs the reference parser's test cases (shared/dtdl/conformance) through parseModels and compares
 * verdicts and validation ids. Used by the conformance test and by `npm run conformance` for a report.
 */
import path from 'node:path';
import { parseModels, type ParseOptions } from '../../src/dtdl';
import { listFiles, readJsonFile, sharedPath } from './shared';

interface ExpectedError {
  ValidationID: string;
  PrimaryID?: string | null;
}

interface ConformanceCase {
  valid: boolean;
  options: string[];
  input: unknown[];
  maxDtdlVersion?: 2 | 3;
  resolution?: { request: string[]; response: unknown[] | null }[];
  partialResolution?: unknown[];
  expect: {
    parsingErrors?: ExpectedError[];
    unresolvedIdentifiers?: string[];
  };
}

export interface CaseOutcome {
  readonly name: string;
  readonly expectedValid: boolean;
  readonly actualValid: boolean;
  readonly expectedIds: readonly string[];
  readonly actualIds: readonly string[];
  readonly verdictAgrees: boolean;
  /** For invalid cases: the set of validation ids (or undefined identifiers) is the same. */
  readonly idsAgree: boolean;
  readonly crashed?: string;
}

const UNDEFINED_REFERENCE = 'dtmi:twingraph:parsingError:undefinedReference';

export function optionsFor(c: ConformanceCase): ParseOptions {
  const allow = c.options.includes('AllowUndefinedExtensions')
    ? true
    : c.options.includes('DisallowUndefinedExtensions')
      ? false
      : 'priorToV3';
  const resolution = c.resolution ?? [];
  return {
    allowUndefinedExtensions: allow,
    maxDtdlVersion: c.maxDtdlVersion,
    resolve:
      resolution.length > 0
        ? (ids) => {
            const entry = resolution.find((r) => r.request.some((id) => ids.includes(id)));
            return entry?.response ? entry.response.map((doc) => JSON.stringify(doc, null, 2)) : undefined;
          }
        : undefined,
  };
}

export function runCase(file: string): CaseOutcome {
  const c = readJsonFile<ConformanceCase>(file);
  const name = path.basename(file, '.json');
  const documents = c.input.map((doc) => JSON.stringify(doc, null, 2));
  const expectedIds = c.expect.unresolvedIdentifiers
    ? [...new Set(c.expect.unresolvedIdentifiers.map((id) => `undefined ${id}`))].sort()
    : [...new Set((c.expect.parsingErrors ?? []).map((e) => e.ValidationID))].sort();
  try {
    const result = parseModels(documents, optionsFor(c));
    const actualIds = c.expect.unresolvedIdentifiers
      ? [
          ...new Set(
            result.errors.filter((e) => e.validationId === UNDEFINED_REFERENCE).map((e) => `undefined ${e.value}`),
          ),
        ].sort()
      : [...new Set(result.errors.map((e) => e.validationId))].sort();
    const verdictAgrees = result.valid === c.valid;
    return {
      name,
      expectedValid: c.valid,
      actualValid: result.valid,
      expectedIds,
      actualIds,
      verdictAgrees,
      idsAgree: !c.valid && verdictAgrees && JSON.stringify(actualIds) === JSON.stringify(expectedIds),
    };
  } catch (err) {
    return {
      name,
      expectedValid: c.valid,
      actualValid: false,
      expectedIds,
      actualIds: [],
      verdictAgrees: false,
      idsAgree: false,
      crashed: err instanceof Error ? (err.stack ?? err.message) : String(err),
    };
  }
}

export function conformanceFiles(): string[] {
  return listFiles(sharedPath('dtdl', 'conformance', 'generated'));
}

export interface ConformanceSummary {
  readonly cases: number;
  readonly verdictAgreements: number;
  readonly invalidCases: number;
  readonly idAgreements: number;
  readonly outcomes: readonly CaseOutcome[];
}

export function runConformance(files = conformanceFiles()): ConformanceSummary {
  const outcomes = files.map(runCase);
  const invalid = outcomes.filter((o) => !o.expectedValid);
  return {
    cases: outcomes.length,
    verdictAgreements: outcomes.filter((o) => o.verdictAgrees).length,
    invalidCases: invalid.length,
    idAgreements: invalid.filter((o) => o.idsAgree).length,
    outcomes,
  };
}
