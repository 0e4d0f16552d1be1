/**
 * Assertions for conformance-style DTDL tests: parse a few JSON documents, then expect them valid or expect exactly
 * a set of errors (validation id, and the element, property and value each names). Used by the DTDL tests only.
 */
import { parseModels, type DtdlError, type ParseOptions, type ParseResult } from '../../src/dtdl';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const LAYERING = 'dtmi:dtdl:extension:layering;1';
export const ctx = (v: 2 | 3 | 4): string => `dtmi:dtdl:context;${v}`;

export function parse(documents: readonly Json[], options: ParseOptions = {}): ParseResult {
  return parseModels(
    documents.map((d) => JSON.stringify(d, null, 2)),
    { allowUndefinedExtensions: 'priorToV3', ...options },
  );
}

export const short = (e: DtdlError): string => e.validationId.replace(/^dtmi:[a-z]+:parsingError:/, '');

export function expectValid(result: ParseResult): void {
  expect(result.errors.map((e) => `${short(e)}: ${e.cause}`)).toEqual([]);
  expect(result.valid).toBe(true);
}

export interface Expected {
  id: string;
  primaryId?: string;
  secondaryId?: string;
  property?: string;
  value?: string;
}

/** Exactly these errors, in any order; each names at least what is given. */
export function expectErrors(result: ParseResult, expected: readonly Expected[]): void {
  expect(result.valid).toBe(false);
  const actual = result.errors.map((e) => ({
    id: short(e),
    ...(e.primaryId !== undefined && { primaryId: e.primaryId }),
    ...(e.secondaryId !== undefined && { secondaryId: e.secondaryId }),
    ...(e.property !== undefined && { property: e.property }),
    ...(e.value !== undefined && { value: e.value }),
  }));
  expect(actual).toHaveLength(expected.length);
  for (const e of expected) expect(actual).toContainEqual(expect.objectContaining(e));
  for (const e of result.errors) {
    expect(e.cause.length).toBeGreaterThan(20);
    expect(e.action.length).toBeGreaterThan(10);
  }
}

/** The validation ids reported, as a sorted set. */
export const ids = (result: ParseResult): string[] => [...new Set(result.errors.map(short))].sort();
