/**
 * @context processing: which DTDL version, which extensions and which limit extension are active for an
 * element, and how terms resolve. Top-level elements must name a DTDL context first; nested elements may add
 * to or replace their parent's context. A limit extension stands right after the limitless DTDL context
 * (`dtmi:dtdl:context;4#limitless`), and only one the caller accepts may be used.
 */
import { parseDtmi } from '../dtmi';
import { locatedAt, type ErrorCollector, type Located } from '../dtdl-errors';
import type { DtdlVersion } from '../metamodel';
import type { JsonValue } from '../source';
import { LIMIT_EXTENSIONS } from '../metamodel';
import {
  DTDL_V2_CONTEXT,
  DTDL_V3_CONTEXT,
  DTDL_V4_CONTEXT,
  EXTENSION_CONTEXTS,
  type ContextDefinition,
} from '../vocabulary/contexts';

/** When undefined extension contexts are tolerated: never, only in DTDL v2 documents (the reference parser's default), or always. */
export type UndefinedExtensionPolicy = 'never' | 'priorToV3' | 'always';

export interface ContextOptions {
  readonly undefinedExtensions: UndefinedExtensionPolicy;
  readonly maxDtdlVersion: DtdlVersion;
  /** Limit extensions that may be used, versioned (`dtmi:dtdl:limits:onvif;1`) or any version (`dtmi:dtdl:limits:onvif`). */
  readonly acceptableLimits: readonly string[];
}

export interface ActiveContext {
  readonly dtdlVersion: DtdlVersion;
  readonly dtdlContextId: string;
  /** Defined extension contexts, in the order given. */
  readonly extensions: readonly ContextDefinition[];
  /** Extension contexts that are not defined but were tolerated. */
  readonly undefinedExtensions: readonly string[];
  /** term → binding, last context wins. */
  readonly terms: ReadonlyMap<string, TermBinding>;
  /** The limit extension whose limits replace the core language's, if any. */
  readonly limits?: string;
  /**
   * The layering extension is active: a definition whose @id carries a fragment (`dtmi:x;1#foo`) is the layer
   * `foo` of the element `dtmi:x;1` and is merged into it, instead of being an element of its own.
   */
  readonly mergeDefinitions: boolean;
}

export interface TermBinding {
  readonly term: string;
  readonly iri: string;
  readonly contextId: string;
}

const CORE: Record<DtdlVersion, ContextDefinition> = { 2: DTDL_V2_CONTEXT, 3: DTDL_V3_CONTEXT, 4: DTDL_V4_CONTEXT };
const DTDL_CONTEXT = /^dtmi:dtdl:context;(\d+)$/;
/** The DTDL context without its limits, which a limit extension must follow (DTDL.Extensions.md §Limit extensions). */
const CORE_PORTION = /^dtmi:dtdl:context;(?:[4-9]|[1-9]\d+)#(.*)$/;
/** What may follow the limitless DTDL context: the core limits, named or implied by the whole DTDL context. */
const LIMITS_PORTION = /^dtmi:dtdl:context;\d+(?:#.*)?$/;
const LIMIT_CONTEXT_PREFIX = 'dtmi:dtdl:limits:';
const IOTCENTRAL_V2 = 'dtmi:iotcentral:context;2';
/**
 * The reference parser's layering extension. The specification does not publish it, but the reference parser
 * defines it in every DTDL version (its cases name it without AllowUndefinedExtensions): it defines the `Layer`
 * co-type and makes fragment identifiers name layers of one element (see parse/layering.ts).
 */
export const LAYERING_CONTEXT = 'dtmi:dtdl:extension:layering;1';

/** IRI → binding for every known context, so that `dtmi:dtdl:property:schema;3` means `schema`. */
const IRI_INDEX: ReadonlyMap<string, TermBinding> = (() => {
  const index = new Map<string, TermBinding>();
  for (const ctx of [DTDL_V2_CONTEXT, DTDL_V3_CONTEXT, DTDL_V4_CONTEXT, ...EXTENSION_CONTEXTS.values()]) {
    for (const [term, iri] of ctx.terms) if (!index.has(iri)) index.set(iri, { term, iri, contextId: ctx.id });
  }
  return index;
})();

export function bindingForIri(iri: string): TermBinding | undefined {
  return IRI_INDEX.get(iri);
}

function buildTerms(core: ContextDefinition, extensions: readonly ContextDefinition[]): Map<string, TermBinding> {
  const terms = new Map<string, TermBinding>();
  for (const ctx of [core, ...extensions]) {
    for (const [term, iri] of ctx.terms) terms.set(term, { term, iri, contextId: ctx.id });
  }
  return terms;
}

const cache = new Map<string, ActiveContext>();

function makeContext(
  version: DtdlVersion,
  extensions: ContextDefinition[],
  undefinedExtensions: string[],
  limits: string | undefined,
  mergeDefinitions: boolean,
): ActiveContext {
  const key = `${version}|${extensions.map((e) => e.id).join(',')}|${undefinedExtensions.join(',')}|${limits ?? ''}|${mergeDefinitions}`;
  let ctx = cache.get(key);
  if (!ctx) {
    ctx = {
      dtdlVersion: version,
      dtdlContextId: CORE[version].id,
      extensions,
      undefinedExtensions,
      terms: buildTerms(CORE[version], extensions),
      ...(limits !== undefined && { limits }),
      mergeDefinitions,
    };
    cache.set(key, ctx);
  }
  return ctx;
}

/** Whether an undefined extension context is tolerated in a document of the given DTDL version. */
export function tolerates(policy: UndefinedExtensionPolicy, version: DtdlVersion): boolean {
  return policy === 'always' || (policy === 'priorToV3' && version < 3);
}

/**
 * Applies an @context value on top of the parent's context (none at top level). Returns undefined when
 * the element cannot be interpreted at all (no usable DTDL version).
 */
export function processContext(
  value: JsonValue,
  parent: ActiveContext | undefined,
  options: ContextOptions,
  errors: ErrorCollector,
  at: Located,
): ActiveContext | undefined {
  // Top-level elements of one model set mostly name the same contexts: a @context read without error once is
  // read the same way again under the same options.
  const key = parent === undefined ? contextKey(value) : undefined;
  let seen = key === undefined ? undefined : understood.get(options);
  const known = key === undefined ? undefined : seen?.get(key);
  if (known) return known;
  const before = errors.size;
  const result = interpret(value, parent, options, errors, at);
  if (key !== undefined && result && errors.size === before) {
    if (!seen) understood.set(options, (seen = new Map()));
    seen.set(key, result);
  }
  return result;
}

const understood = new WeakMap<ContextOptions, Map<string, ActiveContext>>();

/** A key for a @context made of strings only (the only kind that can be read without error). */
function contextKey(value: JsonValue): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return undefined;
  return value.join('\u0000');
}

function interpret(
  value: JsonValue,
  parent: ActiveContext | undefined,
  options: ContextOptions,
  errors: ErrorCollector,
  at: Located,
): ActiveContext | undefined {
  const items: JsonValue[] = Array.isArray(value) ? value : [value];
  if (items.length === 0) {
    // An empty nested context changes nothing; at the top level there is nothing to go on.
    if (!parent) errors.add('emptyContext', {}, at);
    return parent;
  }
  let version: DtdlVersion | undefined = parent?.dtdlVersion;
  let limits: string | undefined = parent?.limits;
  /** Index of the limitless DTDL context, whose next item must say which limits apply. */
  let limitlessAt: number | undefined;
  let sawDtdl = false;
  let sawAffiliate = false;
  let usable = true;
  const extensions: ContextDefinition[] = [...(parent?.extensions ?? [])];
  const undefinedExtensions: string[] = [...(parent?.undefinedExtensions ?? [])];
  let mergeDefinitions = parent?.mergeDefinitions ?? false;
  const pendingAffiliates: { id: string; at: Located }[] = [];

  const fragmentsHaveMeaning =
    (parent?.dtdlVersion ?? 0) >= 4 || items.some((item) => typeof item === 'string' && CORE_PORTION.test(item));
  items.forEach((item, i) => {
    const itemAt = Array.isArray(value) ? locatedAt(at, i) : at;
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      // Local term definitions are not part of DTDL: the element cannot be interpreted.
      errors.add('disallowedLocalContext', {}, itemAt);
      checkLocalTerms(item, i === items.length - 1, errors, itemAt);
      usable = false;
      return;
    }
    if (typeof item !== 'string') {
      errors.add('invalidContext', {}, itemAt);
      usable = false;
      return;
    }
    if (!item.startsWith('dtmi:')) {
      errors.add('nonDtmiContextSpecifier', { value: item }, itemAt);
      return;
    }
    const dtmi = parseDtmi(item);
    if (!dtmi) {
      errors.add('invalidContextSpecifier', { value: item }, itemAt);
      return;
    }
    // v4 reads a fragment on any other context as part of a malformed specifier; v2 and v3 refuse fragments.
    if (
      dtmi.fragment &&
      (item.startsWith(LIMIT_CONTEXT_PREFIX) || (fragmentsHaveMeaning && !CORE_PORTION.test(item)))
    ) {
      errors.add('invalidContextSpecifier', { value: item }, itemAt);
      usable = false;
      return;
    }
    if (item.startsWith(LIMIT_CONTEXT_PREFIX)) {
      if (!sawDtdl) {
        sawAffiliate = true;
        pendingAffiliates.push({ id: item, at: itemAt });
        return;
      }
      if (limitlessAt === undefined || limitlessAt !== i - 1)
        errors.add('misplacedLimitContext', { value: item }, itemAt);
      else if (!acceptable(item, options.acceptableLimits))
        errors.add('disallowedLimitContext', { value: item }, itemAt);
      else if (!LIMIT_EXTENSIONS.has(item)) errors.add(unresolvableCode(item), { value: item }, itemAt);
      else {
        limits = item;
        return;
      }
      usable = false;
      return;
    }
    // From v4 the DTDL context has two portions: '#limitless' (the language without its limits), which a limits
    // context must follow, and '#limits' (the core limits), one such context; naming neither means both.
    const portion = CORE_PORTION.exec(item);
    const limitless = portion?.[1] === 'limitless';
    if (portion && portion[1] !== 'limitless' && portion[1] !== 'limits') {
      errors.add('invalidContextFragment', { value: item }, itemAt);
      usable = false;
      return;
    }
    if (portion?.[1] === 'limits') {
      if (limitlessAt === undefined || limitlessAt !== i - 1) {
        errors.add('misplacedLimitContext', { value: item }, itemAt);
        usable = false;
      } else limits = undefined;
      return;
    }
    if (limitless) {
      const next = items[i + 1];
      // Reported only once the context is otherwise in order: a context out of place says more.
      const followed = typeof next === 'string' && (next.startsWith(LIMIT_CONTEXT_PREFIX) || LIMITS_PORTION.test(next));
      if (!followed && usable && !sawAffiliate) {
        errors.add('missingLimitContext', { value: item }, itemAt);
        usable = false;
        return;
      }
      limitlessAt = i;
    } else if (dtmi.fragment) {
      errors.add('disallowedContextFragment', { value: item }, itemAt);
      usable = false;
      return;
    }
    if (dtmi.isReserved) {
      // System segments ('_x') belong to generated identifiers; no context is named by one.
      errors.add('invalidContextSpecifierForVersion', { value: item }, itemAt);
      return;
    }
    if (
      dtmi.minorVersion > 0 &&
      (parent?.dtdlVersion ?? 2) === 2 &&
      !items.some((i) => typeof i === 'string' && /^dtmi:dtdl:context;[34](#|$)/.test(i))
    ) {
      // DTDL v2 knows only one-part versions.
      errors.add('invalidContextSpecifierForVersion', { value: item }, itemAt);
      return;
    }
    const dtdl = DTDL_CONTEXT.exec(limitless ? item.slice(0, item.indexOf('#')) : item);
    if (dtdl || dtmi.versionless === 'dtmi:dtdl:context') {
      const n = dtdl ? Number(dtdl[1]) : 0;
      // The DTDL context comes first (v2 §Context: "must always be first in the ordered list of context
      // specifiers"; v3 §Context: "the only value or must precede … any values that do not begin with
      // dtmi:dtdl:context;"). The reference parser lets IoT Central's v2 context stand before the v2 DTDL
      // context (its cases DtdlContextNotFirst[AtTopLevel]V2 are valid), and nothing else.
      const companionsOnly = pendingAffiliates.every((a) => a.id === IOTCENTRAL_V2);
      if (sawAffiliate && (n >= 3 || sawDtdl || (n === 2 && !companionsOnly))) {
        if (!parent) errors.add('missingDtdlContext', {}, at);
        else {
          // Read in order, an extension before the DTDL context is taken in the parent's version first.
          const refused = pendingAffiliates.find(
            (a) =>
              !EXTENSION_CONTEXTS.has(a.id) &&
              a.id !== LAYERING_CONTEXT &&
              !tolerates(options.undefinedExtensions, parent.dtdlVersion),
          );
          if (refused) errors.add(unresolvableCode(refused.id), { value: refused.id }, refused.at);
          else errors.add('dtdlContextFollowsAffiliate', { value: item }, itemAt);
        }
        usable = false;
        return;
      }
      sawDtdl = true;
      if (n !== 2 && n !== 3 && n !== 4) {
        if (n === 0) errors.add('invalidContextSpecifierForVersion', { value: item }, itemAt);
        errors.add(n === 0 ? 'missingContextVersion' : 'unrecognizedContextVersion', { value: item }, itemAt);
        usable = false;
        return;
      }
      if (parent?.dtdlVersion === 2 && n === 3) {
        // A v2 element cannot contain v3 definitions; say so, and let the position report it too.
        errors.add('unrecognizedContextVersion', { value: item }, itemAt);
      }
      if (n > options.maxDtdlVersion) {
        errors.add('disallowedContextVersion', { value: item }, itemAt);
        usable = false;
        return;
      }
      if (parent && parent.dtdlVersion !== n) {
        // A nested element changes version: extensions do not carry across versions.
        extensions.length = 0;
        undefinedExtensions.length = 0;
        mergeDefinitions = false;
      }
      // Naming the DTDL context again restores its limits, unless it names the limitless one.
      if (!limitless) limits = undefined;
      version = n as DtdlVersion;
      return;
    }
    sawAffiliate = true;
    pendingAffiliates.push({ id: item, at: itemAt });
  });

  if (!sawDtdl && !parent) {
    if (usable) errors.add('missingDtdlContext', {}, at);
    return undefined;
  }
  if (!usable || version === undefined) return undefined;

  for (const affiliate of pendingAffiliates) {
    const dtmi = parseDtmi(affiliate.id)!;
    if (dtmi.majorVersion === 0) {
      errors.add('invalidContextSpecifierForVersion', { value: affiliate.id }, affiliate.at);
      errors.add('missingContextVersion', { value: affiliate.id }, affiliate.at);
      continue;
    }
    if (affiliate.id === LAYERING_CONTEXT) {
      mergeDefinitions = true;
      continue;
    }
    const known = EXTENSION_CONTEXTS.get(affiliate.id);
    if (known && known.dtdlVersions.includes(version)) {
      const existing = extensions.findIndex((e) => e.id === known.id);
      if (existing >= 0) extensions.splice(existing, 1);
      extensions.push(known);
      continue;
    }
    if (known) {
      // An extension of the other DTDL version: its terms are known, but its types do not apply here
      // (the element reports invalidCotypeVersion).
      if (!extensions.some((e) => e.id === known.id)) extensions.push(known);
      continue;
    }
    if (!tolerates(options.undefinedExtensions, version)) {
      errors.add(unresolvableCode(affiliate.id), { value: affiliate.id }, affiliate.at);
      return undefined;
    }
    if (!undefinedExtensions.includes(affiliate.id)) undefinedExtensions.push(affiliate.id);
  }
  return makeContext(version, extensions, undefinedExtensions, limits, mergeDefinitions);
}

/** Whether the caller accepts a limit extension, named with its version or without. */
function acceptable(id: string, accepted: readonly string[]): boolean {
  return accepted.includes(id) || accepted.includes(id.split(';')[0]);
}

/** An extension context this parser does not define: a version of a known extension that does not exist, or none at all. */
function unresolvableCode(id: string): 'unresolvableContextVersion' | 'unresolvableContextSpecifier' {
  const versionless = id.split(';')[0];
  const sameExtensionOtherVersion = [...EXTENSION_CONTEXTS.keys()].some((known) => known.split(';')[0] === versionless);
  return sameExtensionOtherVersion ? 'unresolvableContextVersion' : 'unresolvableContextSpecifier';
}

/** Local term definitions are not allowed in DTDL; still say precisely what is wrong with each. */
function checkLocalTerms(
  definitions: { [key: string]: JsonValue },
  isLast: boolean,
  errors: ErrorCollector,
  at: Located,
): void {
  if (!isLast) errors.add('localContextNotLast', {}, at);
  for (const [term, definition] of Object.entries(definitions)) {
    const termAt = locatedAt(at, term);
    if (term === '') errors.add('localTermEmpty', { property: term }, termAt);
    else if (!LOCAL_TERM.test(term)) errors.add('localTermInvalid', { property: term }, termAt);
    else if (term.toLowerCase() === 'dtmi') errors.add('localTermSchemePrefix', { property: term }, termAt);
    else if (
      DTDL_V4_CONTEXT.terms.has(term) ||
      DTDL_V3_CONTEXT.terms.has(term) ||
      DTDL_V2_CONTEXT.terms.has(term) ||
      isExtensionTerm(term)
    ) {
      errors.add('localTermReserved', { property: term }, termAt);
    }
    let iri: JsonValue | undefined = definition;
    if (definition !== null && typeof definition === 'object' && !Array.isArray(definition)) {
      if (!('@id' in definition)) {
        errors.add('termDefinitionMissingIdProperty', { property: term }, termAt);
        continue;
      }
      iri = definition['@id'];
      if (typeof iri !== 'string') {
        errors.add('termDefinitionIdPropertyNotString', { property: term }, termAt);
        continue;
      }
    } else if (typeof definition !== 'string') {
      errors.add('termDefinitionNotStringOrObject', { property: term }, termAt);
      continue;
    }
    if (typeof iri === 'string') {
      if (iri.startsWith('dtmi:')) {
        // A definition ending in ':' is a prefix for compact IRIs, not a DTMI of its own.
        if (!iri.endsWith(':') && !parseDtmi(iri))
          errors.add('localTermDefinitionInvalidDtmi', { property: term, value: iri }, termAt);
      } else if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(iri) || NEEDS_AUTHORITY.test(iri)) {
        errors.add('localTermDefinitionInvalidUri', { property: term, value: iri }, termAt);
      }
    }
  }
}

/**
 * A term a local definition may not redefine: one of DTDL's own extensions'. A partner's context (IoT Central's,
 * IoT Operations') reserves nothing: the reference parser lets a local definition stand in for its terms.
 */
function isExtensionTerm(term: string): boolean {
  for (const ctx of EXTENSION_CONTEXTS.values())
    if (ctx.id.startsWith('dtmi:dtdl:') && ctx.terms.has(term)) return true;
  return false;
}

/**
 * What JSON-LD accepts as a term: URI characters (RFC 3986 unreserved and sub-delimiters), '@' not first. A
 * colon makes it a compact IRI instead, and 'dtmi' would read as the DTMI scheme.
 */
const LOCAL_TERM = /^[A-Za-z0-9\-._~!$&'()*+,;=][@A-Za-z0-9\-._~!$&'()*+,;=]*$/;

/** Schemes whose URIs name a host (`http://host/…`): without the `//` authority they are not absolute URIs. */
const NEEDS_AUTHORITY = /^(?:https?|ftp|wss?):(?!\/\/)/i;
