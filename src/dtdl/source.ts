/**
 * Reading DTDL documents: JSON text in, plain JSON values out, with syntax errors located by line and
 * column. The fast path is JSON.parse; positions are recovered with jsonc-parser only when something
 * needs a location, so that valid input pays nothing for them.
 */
import type { ParseError } from 'jsonc-parser';

/**
 * jsonc-parser, required when a document is not valid JSON, repeats a member or has an error to place: valid
 * documents (every start, reading the stored models) go without it.
 */
const jsonc = (): typeof import('jsonc-parser') => require('jsonc-parser') as typeof import('jsonc-parser');

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export type JsonPath = readonly (string | number)[];

export interface SourceDocument {
  /** Index of the document in the submitted set. */
  readonly index: number;
  /** File name or other label given by the caller; used in reports. */
  readonly name?: string;
  readonly text: string;
}

export interface SyntaxProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

const BOM = '\uFEFF';

export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** Parses JSON strictly (no comments, no trailing commas); on failure reports the first problem's position. */
export function readJson(text: string): { value: JsonValue } | { problem: SyntaxProblem } {
  const body = stripBom(text);
  try {
    return { value: JSON.parse(body) as JsonValue };
  } catch (err) {
    return { problem: locateSyntaxProblem(body, err instanceof Error ? err.message : String(err)) };
  }
}

function locateSyntaxProblem(body: string, nativeMessage: string): SyntaxProblem {
  const errors: ParseError[] = [];
  try {
    jsonc().parseTree(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch {
    // jsonc-parser recurses per nesting level; for absurdly deep input use V8's own position.
    const position = /position (\d+)/.exec(nativeMessage);
    const offset = position ? Number(position[1]) : /end of JSON input/.test(nativeMessage) ? body.length : 0;
    return {
      message: nativeMessage.replace(/^.*?: /, '').replace(/ in JSON at position \d+.*$/, ''),
      offset,
      ...lineAndColumn(body, offset),
    };
  }
  const first = errors[0];
  const offset = first ? first.offset : body.length;
  const message = first ? describeParseError(first) : 'the text is not valid JSON';
  return { message, offset, ...lineAndColumn(body, offset) };
}

function describeParseError(error: ParseError): string {
  const code = jsonc().printParseErrorCode(error.error);
  const readable: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'malformed number',
    PropertyNameExpected: 'a property name (in double quotes) was expected',
    ValueExpected: 'a value was expected',
    ColonExpected: "':' was expected",
    CommaExpected: "',' was expected",
    CloseBraceExpected: "'}' was expected",
    CloseBracketExpected: "']' was expected",
    EndOfFileExpected: 'extra text after the end of the JSON value',
    InvalidCommentToken: 'comments are not allowed in JSON',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in string',
  };
  return readable[code] ?? code;
}

/**
 * Member names written more than once in one JSON object, which JSON.parse silently collapses to the
 * last value (DTDL v3 §JSON: "Each member in an object MUST have a name that is unique among all
 * members in the object"). Keyed by `pathKey` of the object's path.
 */
export type RepeatedMembers = ReadonlyMap<string, { readonly path: JsonPath; readonly names: ReadonlySet<string> }>;

export function pathKey(path: JsonPath): string {
  return JSON.stringify(path);
}

/**
 * An upper bound on the member names written in a JSON text: a name is a string followed by optional
 * whitespace and ':', so every one ends at a '"' so followed (inside strings the pattern is rare and only
 * raises the bound). When the bound does not exceed the members JSON.parse kept, no name was repeated:
 * valid input pays one pass over its quotes, and only a mismatch pays for `findRepeatedMembers`.
 */
export function memberNameBound(text: string): number {
  let count = 0;
  let i = text.indexOf('"');
  while (i >= 0) {
    let c = text.charCodeAt(++i);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
    if (c === 58) count++;
    i = text.indexOf('"', i);
  }
  return count;
}

/**
 * The length (in UTF-16 units) of the text of each object item of a top-level JSON array, in order: one pass
 * over the text, skipping strings. The text must be valid JSON.
 */
export function objectItemLengths(text: string): number[] {
  const lengths: number[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: on to its closing quote, one not escaped by an odd run of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        let slashes = 0;
        while (text.charCodeAt(i - 1 - slashes) === 92) slashes++;
        if (slashes % 2 === 0) break;
      }
    } else if (c === 123 || c === 91) {
      if (depth === 1 && c === 123) start = i;
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === 1 && c === 125) lengths.push(i + 1 - start);
    }
  }
  return lengths;
}

/** The repeated member names of every object in a JSON text (which must be valid JSON). */
export function findRepeatedMembers(text: string): RepeatedMembers {
  const repeated = new Map<string, { path: JsonPath; names: Set<string> }>();
  const open: Set<string>[] = [];
  jsonc().visit(stripBom(text), {
    onObjectBegin: () => {
      open.push(new Set());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (name, _offset, _length, _line, _column, pathSupplier) => {
      const names = open[open.length - 1];
      if (!names.has(name)) {
        names.add(name);
        return;
      }
      const path = pathSupplier();
      const key = pathKey(path);
      const entry = repeated.get(key) ?? { path: [...path], names: new Set<string>() };
      entry.names.add(name);
      repeated.set(key, entry);
    },
  });
  return repeated;
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Where a JSON path points in a document, as 1-based line and column. The tree is built once per
 * document and only when an error in that document asks for it.
 */
export class LocationIndex {
  private readonly trees = new Map<number, ReturnType<typeof import('jsonc-parser').parseTree> | null>();
  constructor(private readonly documents: readonly SourceDocument[]) {}

  locate(document: number, path: JsonPath): { line: number; column: number } | undefined {
    const doc = this.documents[document];
    if (!doc) return undefined;
    if (path.length === 0) return { line: 1, column: 1 };
    let tree = this.trees.get(document);
    if (tree === undefined) {
      try {
        tree = jsonc().parseTree(stripBom(doc.text)) ?? null;
      } catch {
        tree = null; // too deep to index; the error is still reported, without a position
      }
      this.trees.set(document, tree);
    }
    if (!tree) return undefined;
    // Walk up the path until a node exists (a missing property is reported at its parent).
    for (let n = path.length; n >= 0; n--) {
      const node = jsonc().findNodeAtLocation(tree, path.slice(0, n) as (string | number)[]);
      if (node) {
        const offset =
          node.parent?.type === 'property' && typeof path[n - 1] === 'string' ? node.parent.offset : node.offset;
        return lineAndColumn(stripBom(doc.text), offset);
      }
    }
    return undefined;
  }
}
