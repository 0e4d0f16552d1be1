/**
 * Validation errors. Each carries the reference parser's validation id (so tooling built around the
 * official DTDL parser recognises it), the element and property it concerns, and a cause and action a
 * modeler can act on. Errors the reference parser has no id for use the `dtmi:twingraph:` namespace.
 */
import { describeError, type ErrorFields } from './messages';
import type { JsonPath, LocationIndex, SourceDocument } from './source';

export const REFERENCE_ERROR_PREFIX = 'dtmi:dtdl:parsingError:';
export const TWINGRAPH_ERROR_PREFIX = 'dtmi:twingraph:parsingError:';

/** Ids the reference parser does not define: JSON syntax, resolution, limits it does not check. */
export const TWINGRAPH_CODES = new Set(['invalidJson', 'undefinedReference', 'inputTooLarge', 'inputTooDeep']);

export interface DtdlError {
  /** e.g. `dtmi:dtdl:parsingError:invalidId` */
  readonly validationId: string;
  /** The element the error is about (its DTMI, possibly auto-generated). */
  readonly primaryId?: string;
  /** A second element involved (a referenced or conflicting one). */
  readonly secondaryId?: string;
  readonly property?: string;
  /** The offending value, as text. */
  readonly value?: string;
  readonly type?: string;
  readonly cause: string;
  readonly action: string;
  /** Which submitted document, its name, and where in it. */
  readonly document?: number;
  readonly source?: string;
  readonly line?: number;
  readonly column?: number;
}

export interface Located {
  readonly document: number;
  readonly path: JsonPath;
}

/**
 * The location of a member or item below another location. Its path is built only when something asks for it:
 * every property of every element has a location, and nearly none is ever reported.
 */
export function locatedAt(at: Located, key: string | number): Located {
  return new ChildLocation(at, key);
}

class ChildLocation implements Located {
  #path: JsonPath | undefined;
  constructor(
    private readonly parent: Located,
    private readonly key: string | number,
  ) {}

  get document(): number {
    return this.parent.document;
  }

  get path(): JsonPath {
    return (this.#path ??= [...this.parent.path, this.key]);
  }
}

interface PendingError {
  readonly code: string;
  readonly fields: ErrorFields;
  readonly at?: Located;
}

/** Collects errors during a parse; locations are resolved once, at the end. */
export class ErrorCollector {
  private readonly pending: PendingError[] = [];
  private readonly seen = new Set<string>();
  /** Elements some error is about (as its primary or secondary element). */
  private readonly elements = new Set<string>();

  /** Errors collected so far. */
  get size(): number {
    return this.pending.length;
  }

  add(code: string, fields: ErrorFields = {}, at?: Located): void {
    const key = `${code}|${fields.primaryId}|${fields.secondaryId}|${fields.property}|${fields.value}|${fields.type}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.pending.push({ code, fields, at });
    if (fields.primaryId !== undefined) this.elements.add(fields.primaryId);
    if (fields.secondaryId !== undefined) this.elements.add(fields.secondaryId);
  }

  /** Whether some error collected so far is about this element. */
  concerns(id: string): boolean {
    return this.elements.has(id);
  }

  finish(documents: readonly SourceDocument[], locations: LocationIndex): DtdlError[] {
    return this.pending.map(({ code, fields, at }) => {
      const { cause, action } = describeError(code, fields);
      const location = at ? locations.locate(at.document, at.path) : undefined;
      const prefix = TWINGRAPH_CODES.has(code) ? TWINGRAPH_ERROR_PREFIX : REFERENCE_ERROR_PREFIX;
      const error: DtdlError = {
        validationId: prefix + code,
        ...(fields.primaryId !== undefined && { primaryId: fields.primaryId }),
        ...(fields.secondaryId !== undefined && { secondaryId: fields.secondaryId }),
        ...(fields.property !== undefined && { property: fields.property }),
        ...(fields.value !== undefined && { value: String(fields.value) }),
        ...(fields.type !== undefined && { type: fields.type }),
        cause,
        action,
        ...(at && { document: at.document }),
        ...(at && documents[at.document]?.name !== undefined && { source: documents[at.document].name }),
        ...(location && { line: location.line, column: location.column }),
      };
      return error;
    });
  }
}
