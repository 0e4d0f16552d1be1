/**
 * Digital Twin Model Identifiers (DTMI), per the DTMI specification.
 *
 * `dtmi:<segment>(:<segment>)*[;<major>[.<minor>]][#<fragment>]`. A segment is letters, digits and
 * underscores, must not start with a digit and must not end with an underscore; a segment that starts
 * with underscores is a *system* segment, which makes the identifier reserved (not allowed in models).
 */

const SEGMENT = '(?:_+[A-Za-z0-9]|[A-Za-z])(?:[A-Za-z0-9_]*[A-Za-z0-9])?';
const USER_SEGMENT = '[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?';
const VERSION = ';([1-9][0-9]{0,8})(?:\\.([1-9][0-9]{0,5}))?';

const DTMI_PATTERN = new RegExp(`^dtmi:(${SEGMENT}(?::${SEGMENT})*)(?:${VERSION})?(#(?:${SEGMENT})?)?$`);
const USER_DTMI_PATTERN = new RegExp(`^dtmi:${USER_SEGMENT}(?::${USER_SEGMENT})*(?:${VERSION})?$`);

/** The longest DTMI of any kind, of a user element, and of an Interface (DTDL v3 §DTMI). */
export const DTMI_MAX_LENGTH = 4096;
export const USER_DTMI_MAX_LENGTH = 2048;
export const INTERFACE_DTMI_MAX_LENGTH = 128;

/** Prefixes that models may not use for their own identifiers. */
export const RESERVED_DTMI_PREFIXES = ['dtmi:dtdl:', 'dtmi:standard:'] as const;

export interface Dtmi {
  readonly text: string;
  /** Path segments, e.g. `['com', 'example', 'Thermostat']`. */
  readonly labels: readonly string[];
  /** 0 when the identifier has no version. */
  readonly majorVersion: number;
  readonly minorVersion: number;
  /** major + minor / 1e6, so that 3.14 (minor 14) sorts below 3.2 (minor 2) as it must not: compare both parts. */
  readonly completeVersion: number;
  /** The identifier without its version, fragment kept. */
  readonly versionless: string;
  /** `#frag`, `#`, or '' */
  readonly fragment: string;
  /** True when a segment (or the fragment) is a system segment: such ids are not allowed in models. */
  readonly isReserved: boolean;
}

/**
 * Identifiers parsed lately: a model set names the same interfaces again and again (every `extends`, every
 * schema reference). Bounded, so that a long-lived process does not keep every identifier it has ever seen.
 */
const parsed = new Map<string, Dtmi | undefined>();
const PARSED_MAX = 100_000;
const PARSED_KEY_MAX = 512;

/** Parses a DTMI; undefined when the text does not follow the grammar or is longer than 4096 characters. */
export function parseDtmi(text: string): Dtmi | undefined {
  if (text.length > PARSED_KEY_MAX) return parseUncached(text);
  let dtmi = parsed.get(text);
  if (dtmi === undefined && !parsed.has(text)) {
    if (parsed.size >= PARSED_MAX) parsed.clear();
    dtmi = parseUncached(text);
    parsed.set(text, dtmi === undefined ? undefined : Object.freeze(dtmi));
  }
  return dtmi;
}

function parseUncached(text: string): Dtmi | undefined {
  if (text.length > DTMI_MAX_LENGTH) return undefined;
  const match = DTMI_PATTERN.exec(text);
  if (!match) return undefined;
  const [, path, major, minor, fragment = ''] = match;
  const labels = path.split(':');
  const majorVersion = major ? Number(major) : 0;
  const minorVersion = minor ? Number(minor) : 0;
  return {
    text,
    labels,
    majorVersion,
    minorVersion,
    completeVersion: majorVersion + minorVersion / 1e6,
    versionless: `dtmi:${path}${fragment}`,
    fragment,
    isReserved: labels.some((l) => l.startsWith('_')) || fragment.startsWith('#_'),
  };
}

/** A DTMI that a model may use as the identifier of one of its elements (no system segments, no fragment). */
export function isUserDtmi(text: string): boolean {
  return text.length <= USER_DTMI_MAX_LENGTH && USER_DTMI_PATTERN.test(text);
}

/**
 * A DTMI a model may write where it names something (a reference, a type, a context, a property): the
 * grammar without system segments. Segments starting with '_' are reserved for the identifiers the parser
 * generates (`dtmi:ex:I:_contents:__t;1`); DTDL v3 §DTMI: "DTDL models permit only the above format".
 * Fragments are left to each position to judge.
 */
export function isWritableDtmi(text: string): boolean {
  const dtmi = parseDtmi(text);
  return dtmi !== undefined && !dtmi.isReserved;
}

export function isDtmi(text: string): boolean {
  return parseDtmi(text) !== undefined;
}

export function hasReservedPrefix(id: string): boolean {
  return RESERVED_DTMI_PREFIXES.some((prefix) => id.startsWith(prefix));
}

/** `dtmi:a:b;2` → `dtmi:a:b` (and a fragment, if any, kept). */
export function stripVersion(id: string): string {
  return id.replace(/;[0-9.]+(?=#|$)/, '');
}

/** The version part of an identifier (`;3`, `;1.2`) or ''. */
export function versionSuffix(id: string): string {
  const m = /;[0-9.]+(?=#|$)/.exec(id);
  return m ? m[0] : '';
}
