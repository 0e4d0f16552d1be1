/**
 * The DTDL stage of the pipeline: JSON text in, a validated and fully resolved model set out.
 *
 *   documents ─► read JSON ─► parse elements (per metamodel) ─► link references ─► validate structure ─► ModelSet
 */
import { ErrorCollector, type DtdlError } from './dtdl-errors';
import { buildModelSet, ELEMENTS, EMPTY_MODEL_SET, type ModelSet } from './model';
import type { DtdlVersion } from './metamodel';
import type { UndefinedExtensionPolicy } from './parse/jsonld-context';
import { ElementParser, type ParsedElement } from './parse/element';
import { linkElements } from './resolve/graph';
import {
  findRepeatedMembers,
  LocationIndex,
  memberNameBound,
  readJson,
  type JsonValue,
  type RepeatedMembers,
  type SourceDocument,
} from './source';
import { validateStructure } from './validate/structure';

export type { DtdlError } from './dtdl-errors';
export * from './model';
export { parseDtmi, isUserDtmi, type Dtmi } from './dtmi';
export { collectDocuments } from './files';

export interface NamedDocument {
  /** A file name or other label, shown in error reports. */
  readonly name?: string;
  readonly text: string;
}

export interface ParseOptions {
  /**
   * Whether @context may name extensions this parser does not define. `false` (default) rejects them,
   * `true` tolerates them (their types and properties are kept as supplemental data), and `'priorToV3'`
   * tolerates them only in DTDL v2 documents, which is the reference parser's own default.
   */
  readonly allowUndefinedExtensions?: boolean | 'priorToV3';
  /** Models already accepted (for example, those in the store) that the new documents may reference. */
  readonly known?: ModelSet;
  /** Called with DTMIs that nothing submitted defines; returns JSON documents that define them, if it can. */
  readonly resolve?: (dtmis: readonly string[]) => readonly string[] | undefined;
  /**
   * The reference parser's partial resolution, for elements defined in layers (parse/layering.ts): called with
   * each layered element and the layers read so far (`{ "dtmi:x;1": ["", "foo"] }`, '' the base definition);
   * returns JSON documents with further definitions of them (none: nothing more), or null to refuse, which
   * leaves the elements unresolved.
   */
  readonly resolveLayers?: (layers: Readonly<Record<string, readonly string[]>>) => readonly string[] | null;
  /** Highest DTDL language version accepted (default 4). */
  readonly maxDtdlVersion?: DtdlVersion;
  /**
   * Limit extensions a model may use to exceed the core language's limits (DTDL.Extensions.md §Limit extensions),
   * each versioned (`dtmi:dtdl:limits:onvif;1`) or not (`dtmi:dtdl:limits:onvif`, any version). Default none:
   * a service need accept no limits beyond the core's, and a model naming one is refused.
   */
  readonly acceptableLimits?: readonly string[];
  /** Refuse any document larger than this many bytes (default 16 MiB), before parsing it. */
  readonly maxDocumentBytes?: number;
  /** Refuse JSON nested deeper than this (default 128), so that hostile input cannot exhaust the stack. */
  readonly maxJsonDepth?: number;
}

export interface ParseResult {
  readonly valid: boolean;
  readonly errors: readonly DtdlError[];
  /** The resolved model set (known models included) when valid; an empty set otherwise. */
  readonly models: ModelSet;
  /** DTMIs of the interfaces the submitted documents define (not those of `known`). */
  readonly defined: readonly string[];
}

const DEFAULT_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_JSON_DEPTH = 128;
const INTERFACE_MAX_BYTES = 1024 * 1024;
const MAX_RESOLVE_ROUNDS = 16;

/** Parses and validates a set of DTDL documents that may reference each other. */
export function parseModels(
  documents: string | readonly (string | NamedDocument)[],
  options: ParseOptions = {},
): ParseResult {
  const sources: SourceDocument[] = (typeof documents === 'string' ? [documents] : documents).map((d, index) =>
    typeof d === 'string' ? { index, text: d } : { index, name: d.name, text: d.text },
  );
  const errors = new ErrorCollector();
  const policy: UndefinedExtensionPolicy =
    options.allowUndefinedExtensions === true
      ? 'always'
      : options.allowUndefinedExtensions === 'priorToV3'
        ? 'priorToV3'
        : 'never';
  const parser = new ElementParser(
    {
      undefinedExtensions: policy,
      maxDtdlVersion: options.maxDtdlVersion ?? 4,
      acceptableLimits: options.acceptableLimits ?? [],
    },
    errors,
  );
  const maxBytes = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const maxDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;

  const readDocument = (doc: SourceDocument): void => {
    const at = { document: doc.index, path: [] };
    if (typeof doc.text !== 'string') {
      errors.add('notJsonObject', { value: typeof doc.text }, at);
      return;
    }
    if (doc.text.length > maxBytes && Buffer.byteLength(doc.text, 'utf8') > maxBytes) {
      errors.add('inputTooLarge', { detail: String(maxBytes) }, at);
      return;
    }
    const read = readJson(doc.text);
    if ('problem' in read) {
      const { message, line, column } = read.problem;
      errors.add(
        'invalidJson',
        { value: `${message} at line ${line}, column ${column}`, detail: `${line}:${column}` },
        at,
      );
      return;
    }
    const shape = jsonShape(read.value);
    if (shape.depth > maxDepth) {
      errors.add('inputTooDeep', { detail: String(maxDepth) }, at);
      return;
    }
    let repeated: RepeatedMembers | undefined;
    if (memberNameBound(doc.text) > shape.members) {
      repeated = findRepeatedMembers(doc.text);
      // A repeated keyword leaves the object without a meaning; like the reference parser, treat it as
      // a JSON error and read no further. Repeated properties are reported on their element.
      for (const { path, names } of repeated.values()) {
        const keyword = [...names].find((n) => REPEATED_KEYWORDS[n] !== undefined);
        if (keyword === undefined) continue;
        errors.add(
          REPEATED_KEYWORDS[keyword],
          { property: keyword },
          { document: doc.index, path: [...path, keyword] },
        );
        return;
      }
    }
    parser.parseDocument(read.value, doc.index, doc.text, repeated);
  };
  sources.forEach(readDocument);

  const readResolved = (texts: readonly string[]): void => {
    for (const text of texts) {
      const doc = { index: sources.length, name: 'resolved', text };
      sources.push(doc);
      readDocument(doc);
    }
  };
  // Ask for more layers of the layered elements until none come.
  let asked = '';
  for (let round = 0; options.resolveLayers && round < MAX_RESOLVE_ROUNDS; round++) {
    const layers = parser.layeredElements();
    const request = JSON.stringify([...layers]);
    if (layers.size === 0 || request === asked) break;
    asked = request;
    const texts = options.resolveLayers(Object.fromEntries(layers));
    if (texts === null) {
      for (const id of layers.keys()) errors.add('undefinedReference', { value: id, secondaryId: id });
      break;
    }
    if (texts.length === 0) break;
    readResolved(texts);
  }

  const knownElements = options.known?.[ELEMENTS] ?? new Map<string, ParsedElement>();
  let graph = linkElements(parser.elements, knownElements, errors);
  // Ask the resolver for what is still undefined, a bounded number of times.
  for (let round = 0; options.resolve && graph.undefinedIds.size > 0 && round < MAX_RESOLVE_ROUNDS; round++) {
    const texts = options.resolve([...graph.undefinedIds.keys()]);
    if (!texts || texts.length === 0) break;
    const before = parser.elements.length;
    readResolved(texts);
    if (parser.elements.length === before) break;
    graph = linkElements(parser.elements, knownElements, errors);
  }
  for (const [id, uses] of graph.undefinedIds) {
    const first = uses[0];
    const el = graph.elements.get(first.referencedBy);
    errors.add(
      'undefinedReference',
      { primaryId: first.referencedBy, property: first.property, value: id, secondaryId: id },
      el?.at,
    );
  }

  const lookup = (id: string): ParsedElement | undefined => graph.elements.get(id) ?? knownElements.get(id);
  validateStructure(graph, lookup, errors);
  // One pass over the elements (forEach: thousands of them, and no iterator objects).
  const defined: string[] = [];
  graph.elements.forEach((el) => {
    if (el.undefinedCotypes.length > 0 && errors.concerns(el.id))
      parser.reportUndefinedTerms(el.id, el.undefinedCotypes, el.context, el.at);
    if (el.type !== 'Interface' || el.partition !== el.id) return;
    defined.push(el.id);
    if (el.byteSize !== undefined && el.byteSize > INTERFACE_MAX_BYTES)
      errors.add('partitionTooLarge', { primaryId: el.id, detail: String(INTERFACE_MAX_BYTES) }, el.at);
  });

  const list = errors.finish(sources, new LocationIndex(sources));
  if (list.length > 0) return { valid: false, errors: list, models: EMPTY_MODEL_SET, defined };
  let all = graph.elements;
  if (knownElements.size > 0) {
    all = new Map(knownElements);
    graph.elements.forEach((el, id) => (all as Map<string, ParsedElement>).set(id, el));
  }
  return { valid: true, errors: [], models: buildModelSet(all), defined };
}

/** The reference parser's ids for a JSON-LD keyword written twice in one object. */
const REPEATED_KEYWORDS: Readonly<Record<string, string>> = {
  '@context': 'repeatedContextProperty',
  '@id': 'repeatedIdProperty',
  '@type': 'repeatedTypeProperty',
  '@value': 'repeatedValueProperty',
  '@language': 'repeatedLanguageProperty',
  '@graph': 'repeatedGraphProperty',
};

/** Nesting depth of a JSON value and the number of object members it holds, computed without recursion. */
function jsonShape(value: JsonValue): { depth: number; members: number } {
  let max = 0;
  let members = 0;
  // Two stacks rather than one of pairs: a document has tens of thousands of objects.
  const values: JsonValue[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) max = depth;
    if (Array.isArray(v)) {
      for (const child of v)
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      continue;
    }
    for (const key in v) {
      members++;
      const child = v[key];
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return { depth: max, members };
}
