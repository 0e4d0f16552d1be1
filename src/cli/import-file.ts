/**
 * Reads an import file in the format of Azure Digital Twins' Import Jobs API: NDJSON, one JSON object a line,
 * in sections that each start with a marker line `{"Section": "<name>"}`: first `Header`, whose one line says
 * `{"fileVersion": "1.0.0", "author": …, "organization": …}`, then the optional `Models` (one DTDL interface a
 * line), `Twins` (one twin as ADT's JSON, `$dtId` and `$metadata.$model` included) and `Relationships` (one
 * relationship a line: `$dtId` of its source, `$relationshipId`, `$targetId`, `$relationshipName`, properties),
 * in that order. It streams (a file may hold millions of twins), and yields each line with its number (from 1)
 * and section, or the reason it breaks the format; it knows nothing of models or stores.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import type { JsonObject } from '../store/types';

export const SECTIONS = ['Header', 'Models', 'Twins', 'Relationships'] as const;
export type Section = (typeof SECTIONS)[number];

/** The only version of the format ADT documents. */
export const FILE_VERSION = '1.0.0';

export type ImportLine =
  | { readonly kind: 'section'; readonly line: number; readonly section: Section }
  | { readonly kind: 'item'; readonly line: number; readonly section: Section; readonly value: JsonObject }
  | { readonly kind: 'error'; readonly line: number; readonly section: Section | undefined; readonly message: string };

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The section a line starts, if it is a marker: an object whose only key is `Section`. */
function markerOf(value: JsonObject): unknown {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'Section' ? value.Section : undefined;
}

/**
 * The lines of `file`, checked against the format: every line JSON (blank lines are skipped), sections in
 * order and each at most once, the header first and holding one line with fileVersion 1.0.0. A line that
 * breaks the format is yielded as an error and reading goes on, so that one pass reports every such line.
 */
export async function* readImportFile(file: string): AsyncGenerator<ImportLine> {
  const lines = readline.createInterface({
    input: fs.createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let number = 0;
  let section: Section | undefined;
  let headerLines = 0;
  for await (const raw of lines) {
    number++;
    const text = number === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { kind: 'error', line: number, section, message: `not JSON: ${(error as Error).message}.` };
      continue;
    }
    if (!isObject(value)) {
      yield { kind: 'error', line: number, section, message: 'each line is one JSON object.' };
      continue;
    }
    const marker = markerOf(value);
    if (marker !== undefined) {
      const next = SECTIONS.indexOf(marker as Section);
      const current = section === undefined ? -1 : SECTIONS.indexOf(section);
      if (next < 0) {
        yield {
          kind: 'error',
          line: number,
          section,
          message: `'${String(marker)}' is not a section; the sections are ${SECTIONS.join(', ')}, in that order.`,
        };
        continue;
      }
      if (next <= current || (section === undefined && next !== 0)) {
        yield {
          kind: 'error',
          line: number,
          section,
          message:
            section === undefined
              ? `the file starts with the Header section ({"Section": "Header"}), not ${marker}.`
              : `section ${marker} comes after ${section}; the sections are ${SECTIONS.join(', ')}, each at most once and in that order.`,
        };
        continue;
      }
      if (section === 'Header' && headerLines === 0)
        yield { kind: 'error', line: number, section, message: 'the Header section has no header line.' };
      section = SECTIONS[next];
      yield { kind: 'section', line: number, section };
      continue;
    }
    if (section === undefined) {
      yield {
        kind: 'error',
        line: number,
        section,
        message: 'the file starts with the Header section ({"Section": "Header"}).',
      };
      section = 'Header';
    }
    if (section === 'Header') {
      headerLines++;
      if (headerLines > 1)
        yield { kind: 'error', line: number, section, message: 'the Header section holds one line.' };
      else if (value.fileVersion !== FILE_VERSION)
        yield {
          kind: 'error',
          line: number,
          section,
          message: `the header says fileVersion ${JSON.stringify(value.fileVersion)}; this reads version ${FILE_VERSION}.`,
        };
      else yield { kind: 'item', line: number, section, value };
      continue;
    }
    yield { kind: 'item', line: number, section, value };
  }
  if (number === 0 || section === undefined)
    yield { kind: 'error', line: Math.max(number, 1), section, message: 'the file has no Header section.' };
  else if (section === 'Header' && headerLines === 0)
    yield { kind: 'error', line: number, section, message: 'the Header section has no header line.' };
}
