/**
 * Runs the reference parser's test cases (shared/dtdl/conformance: generated/ for v2 and v3, generated-v4/ for
 * v4) through parseModels and compares verdicts and validation ids. Used by the conformance test and by
 * `npm run conformance` for a report.
 *
 * A case lists the extension contexts it needs (`requiredContexts`). The reference parser's own runner gives a
 * case only to a parser that defines them; likewise a case needing a context this engine does not define is set
 * aside here, counted and named, rather than scored against an extension it does not claim to implement. That is
 * mqtt;4 alone: neither the DTDL specification nor the reference parser's published source defines the version the
 * cases exercise (its PropertyResult, ReadError, Fragmented, … and `propertyTopic`).
 */
import path from 'node:path';
import { parseModels, type ParseOptions } from '../../src/dtdl';
import { EXTENSION_CONTEXTS } from '../../src/dtdl/vocabulary/contexts';
import { listFiles, readJsonFile, sharedPath } from './shared';

interface ExpectedError {
  ValidationID: string;
  PrimaryID?: string | null;
}

interface ConformanceCase {
  valid: boolean;
  options: string[];
  input: unknown[];
  maxDtdlVersion?: 2 | 3 | 4;
  /** Extension contexts the case needs its parser to define. */
  requiredContexts?: string[];
  /** Limit extensions the case's parser accepts (a ParsingOptions setting of the reference parser). */
  acceptableLimits?: string[];
  resolution?: { request: string[]; response: unknown[] | null }[];
  /** The reference parser's partial resolution calls: each layered element with the layers it had read. */
  partialResolution?: { request: Record<string, string[]>; response: unknown[] | null }[];
  /** Absent from the documentation examples, which are all valid. */
  expect?: {
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

/** A case set aside because it needs contexts the specification does not define. */
export interface SkippedCase {
  readonly name: string;
  readonly contexts: readonly string[];
}

const UNDEFINED_REFERENCE = 'dtmi:twingraph:parsingError:undefinedReference';

export function optionsFor(c: ConformanceCase): ParseOptions {
  const allow = c.options.includes('AllowUndefinedExtensions')
    ? true
    : c.options.includes('DisallowUndefinedExtensions')
      ? false
      : 'priorToV3';
  const resolution = c.resolution ?? [];
  const partial = c.partialResolution ?? [];
  const key = (request: Readonly<Record<string, readonly string[]>>): string =>
    JSON.stringify(Object.entries(request).sort(([a], [b]) => a.localeCompare(b)));
  return {
    allowUndefinedExtensions: allow,
    maxDtdlVersion: c.maxDtdlVersion,
    acceptableLimits: c.acceptableLimits,
    resolve:
      resolution.length > 0
        ? (ids) => {
            const entry = resolution.find((r) => r.request.some((id) => ids.includes(id)));
            return entry?.response ? entry.response.map((doc) => JSON.stringify(doc, null, 2)) : undefined;
          }
        : undefined,
    resolveLayers:
      partial.length > 0
        ? (layers) => {
            // The case lists the calls the reference parser made; one it did not make gets nothing.
            const entry = partial.find((r) => key(r.request) === key(layers));
            if (!entry) return [];
            return entry.response === null ? null : entry.response.map((doc) => JSON.stringify(doc, null, 2));
          }
        : undefined,
  };
}

/**
 * The contexts a case needs that the engine does not define (none for nearly every case). Documentation examples
 * do not list theirs: an example needs the language's own extension contexts it names, since it shows one in use
 * (a user's context, `dtmi:ex:foo;1`, is there to show what an undefined extension does).
 */
export function undefinedContextsOf(name: string, c: ConformanceCase): string[] {
  const required =
    c.requiredContexts ??
    (name.includes('DocExample') ? namedContexts(c.input).filter((id) => LANGUAGE_CONTEXT.test(id)) : []);
  return required.filter((id) => !EXTENSION_CONTEXTS.has(id) && !DTDL_CONTEXT.test(id));
}

/** Contexts of the DTDL language and its partner extensions (IoT Central, IoT Operations). */
const LANGUAGE_CONTEXT = /^dtmi:(dtdl|iot[a-z]+):/;

const DTDL_CONTEXT = /^dtmi:dtdl:context;\d+(#.*)?$/;

/** Every context specifier a JSON value names, at any depth. */
function namedContexts(value: unknown, into = new Set<string>()): string[] {
  if (Array.isArray(value)) for (const v of value) namedContexts(v, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '@context') for (const id of Array.isArray(v) ? v : [v]) if (typeof id === 'string') into.add(id);
      namedContexts(v, into);
    }
  }
  return [...into];
}

export function runCase(file: string): CaseOutcome {
  return scoreCase(path.basename(file, '.json'), readJsonFile<ConformanceCase>(file));
}

function scoreCase(name: string, c: ConformanceCase): CaseOutcome {
  const documents = c.input.map((doc) => JSON.stringify(doc, null, 2));
  const expectedIds = c.expect?.unresolvedIdentifiers
    ? [...new Set(c.expect.unresolvedIdentifiers.map((id) => `undefined ${id}`))].sort()
    : [...new Set((c.expect?.parsingErrors ?? []).map((e) => e.ValidationID))].sort();
  try {
    const result = parseModels(documents, optionsFor(c));
    const actualIds = c.expect?.unresolvedIdentifiers
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

/** The case folders: v2 and v3 cases in one, v4's in another. */
export type CaseSet = 'generated' | 'generated-v4';

export function conformanceFiles(set: CaseSet = 'generated'): string[] {
  return listFiles(sharedPath('dtdl', 'conformance', set));
}

export interface ConformanceSummary {
  readonly cases: number;
  readonly verdictAgreements: number;
  readonly invalidCases: number;
  readonly idAgreements: number;
  readonly outcomes: readonly CaseOutcome[];
  readonly skipped: readonly SkippedCase[];
}

export function runConformance(files: readonly string[] = conformanceFiles()): ConformanceSummary {
  const outcomes: CaseOutcome[] = [];
  const skipped: SkippedCase[] = [];
  for (const file of files) {
    const name = path.basename(file, '.json');
    const c = readJsonFile<ConformanceCase>(file);
    const contexts = undefinedContextsOf(name, c);
    if (contexts.length > 0) skipped.push({ name, contexts });
    else outcomes.push(scoreCase(name, c));
  }
  const invalid = outcomes.filter((o) => !o.expectedValid);
  return {
    cases: outcomes.length,
    verdictAgreements: outcomes.filter((o) => o.verdictAgrees).length,
    invalidCases: invalid.length,
    idAgreements: invalid.filter((o) => o.idsAgree).length,
    outcomes,
    skipped,
  };
}
