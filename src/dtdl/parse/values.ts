/**
 * Literal and language-string property values, in every form DTDL (JSON-LD) allows: a bare JSON value,
 * a one-element array, or a value object `{"@value": …, "@type": …}`. Each wrong form has its own
 * validation id so that the modeler learns exactly what to change.
 */
import type { ErrorCollector, Located } from '../dtdl-errors';
import type { DtdlVersion, LiteralDatatype, LiteralPropertyDef } from '../metamodel';
import type { JsonObject, JsonValue } from '../source';

export type LangString = Readonly<Record<string, string>>;
export type LiteralValue = string | number | boolean | LangString;

interface Site {
  /** DTDL v2 ignores JSON-LD keywords it does not use; v3 rejects them. */
  readonly dtdlVersion: DtdlVersion;
  readonly elementId: string | undefined;
  readonly property: string;
  readonly errors: ErrorCollector;
  readonly at: Located;
  /** Keys written twice in the value's JSON object (a language map's codes), if any. */
  readonly repeated?: ReadonlySet<string>;
}

const XSD_TYPES: Record<string, readonly string[]> = {
  string: ['xsd:string', 'http://www.w3.org/2001/XMLSchema#string'],
  integer: [
    'xsd:integer',
    'xsd:int',
    'http://www.w3.org/2001/XMLSchema#integer',
    'http://www.w3.org/2001/XMLSchema#int',
  ],
  boolean: ['xsd:boolean', 'http://www.w3.org/2001/XMLSchema#boolean'],
  duration: ['xsd:duration', 'http://www.w3.org/2001/XMLSchema#duration'],
  decimal: ['xsd:decimal', 'http://www.w3.org/2001/XMLSchema#decimal'],
};

const DURATION =
  /^P(?!$)(?:(?:(?:(?:\d+Y)|(?:\d+\.\d+Y$))?(?:(?:\d+M)|(?:\d+\.\d+M$))?)|(?:(?:(?:\d+W)|(?:\d+\.\d+W$))?))(?:(?:\d+D)|(?:\d+\.\d+D$))?(?:T(?!$)(?:(?:\d+H)|(?:\d+\.\d+H$))?(?:(?:\d+M)|(?:\d+\.\d+M$))?(?:\d+(?:\.\d+)?S)?)?$/;

/** Error id stems per datatype: `${stem}NotString`, `${stem}TypeNot…`, and so on. */
const STEM: Record<Exclude<LiteralDatatype, 'langString'>, { stem: string; not: string }> = {
  string: { stem: 'string', not: 'String' },
  integer: { stem: 'integer', not: 'Integer' },
  boolean: { stem: 'boolean', not: 'Boolean' },
  duration: { stem: 'duration', not: 'String' },
  enumValueLiteral: { stem: 'literal', not: 'Valid' },
  decimal: { stem: 'numeric', not: 'Numeric' },
};

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function matchesJsonType(datatype: LiteralDatatype, v: JsonValue): boolean {
  switch (datatype) {
    case 'string':
    case 'duration':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'decimal':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'enumValueLiteral':
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
    default:
      return false;
  }
}

/** Reports keys a value object may not have; returns false when the object is unusable. */
function checkValueObjectKeys(obj: JsonObject, allowLanguage: boolean, site: Site): void {
  const { errors, elementId: primaryId, property } = site;
  for (const key of Object.keys(obj)) {
    if (key === '@value' || key === '@type') continue;
    if (key === '@language') {
      if (!allowLanguage && site.dtdlVersion >= 3) errors.add('valueObjectLanguage', { primaryId, property }, site.at);
    } else if (key === '@context') errors.add('valueObjectContext', { primaryId, property }, site.at);
    else if (key === '@graph') errors.add('valueObjectGraph', { primaryId, property }, site.at);
    else if (key === '@id') errors.add('valueObjectId', { primaryId, property }, site.at);
    else if (key.startsWith('@')) {
      if (site.dtdlVersion >= 3) errors.add('valueObjectKeyword', { primaryId, property, value: key }, site.at);
    } else errors.add('valueObjectInvalidProp', { primaryId, property, value: key }, site.at);
  }
}

/**
 * Parses a literal (non-language) value. Returns the value, or undefined when it is absent or wrong
 * (after reporting why).
 */
export function parseLiteral(
  def: LiteralPropertyDef,
  raw: JsonValue,
  site: Site,
): string | number | boolean | undefined {
  const { errors, elementId: primaryId, property } = site;
  const datatype = def.datatype as Exclude<LiteralDatatype, 'langString'>;
  const { stem, not } = STEM[datatype];
  let value: JsonValue = raw;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      // An empty array is an absent value; only a required property misses it.
      if (def.minCount > 0) errors.add(`${stem}CountBelowMin`, { primaryId, property }, site.at);
      return undefined;
    }
    if (value.length > 1) {
      errors.add(`${stem}MultipleValues`, { primaryId, property }, site.at);
      return undefined;
    }
    value = value[0];
  }
  if (value === null) {
    errors.add('propertyValueNull', { primaryId, property }, site.at);
    errors.add(`${stem}Not${not}`, { primaryId, property }, site.at);
    return undefined;
  }
  if (isObject(value)) {
    checkValueObjectKeys(value, false, site);
    if (!('@value' in value)) {
      errors.add(`${stem}ObjectNoValue`, { primaryId, property }, site.at);
      return undefined;
    }
    const type = value['@type'];
    const inner = value['@value'];
    if (Array.isArray(type) && type.length !== 1) {
      errors.add('literalTypeNotSingular', { primaryId, property }, site.at);
      return undefined;
    }
    const typeName = Array.isArray(type) ? type[0] : type;
    if (typeName !== undefined) {
      if (datatype === 'enumValueLiteral') {
        // An enum value may be a string or an integer; a typed value object must agree with its own type.
        const declared = Object.entries(XSD_TYPES).find(([, names]) => names.includes(String(typeName)))?.[0];
        if (!declared || declared === 'duration' || !matchesJsonType(declared as LiteralDatatype, inner)) {
          if (declared && declared !== 'duration')
            errors.add(
              `${STEM[declared as 'string'].stem}ValueNot${STEM[declared as 'string'].not}`,
              { primaryId, property },
              site.at,
            );
          errors.add('literalNotValid', { primaryId, property }, site.at);
          return undefined;
        }
        if (declared === 'boolean') {
          errors.add('literalNotValid', { primaryId, property }, site.at);
          return undefined;
        }
        return inner as string | number;
      }
      if (!XSD_TYPES[datatype].includes(String(typeName))) {
        errors.add(`${stem}TypeNot${datatype === 'duration' ? 'Duration' : not}`, { primaryId, property }, site.at);
        return undefined;
      }
    }
    if (!matchesJsonType(datatype, inner)) {
      errors.add(
        datatype === 'enumValueLiteral' ? 'literalNotValid' : `${stem}ValueNot${not}`,
        { primaryId, property },
        site.at,
      );
      return undefined;
    }
    value = inner;
  } else if (!matchesJsonType(datatype, value)) {
    errors.add(
      datatype === 'duration' ? 'durationNotString' : `${stem}Not${not}`,
      { primaryId, property, value: stringify(value) },
      site.at,
    );
    return undefined;
  }
  return checkFacets(def, value as string | number | boolean, site);
}

function stringify(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function checkFacets(
  def: LiteralPropertyDef,
  value: string | number | boolean,
  site: Site,
): string | number | boolean | undefined {
  const { errors, elementId: primaryId, property } = site;
  if (typeof value === 'string') {
    if (def.datatype === 'duration' && !DURATION.test(value)) {
      errors.add('durationInvalid', { primaryId, property, value }, site.at);
      return undefined;
    }
    if (def.maxLength !== undefined && value.length > def.maxLength) {
      errors.add('stringTooLong', { primaryId, property, value, detail: String(def.maxLength) }, site.at);
      return undefined;
    }
    if (def.pattern && !def.pattern.test(value)) {
      errors.add('stringInvalid', { primaryId, property, value }, site.at);
      return undefined;
    }
  }
  if (typeof value === 'number') {
    if (def.exact !== undefined && value !== def.exact) {
      errors.add('valueNotExact', { primaryId, property, value: String(value), detail: String(def.exact) }, site.at);
      return undefined;
    }
    if (def.minInclusive !== undefined && value < def.minInclusive) {
      if (value < 0) errors.add('valueBelowRange', { primaryId, property, value: String(value) }, site.at);
      errors.add(
        'valueBelowMin',
        { primaryId, property, value: String(value), detail: String(def.minInclusive) },
        site.at,
      );
      return undefined;
    }
    if (def.maxInclusive !== undefined && value > def.maxInclusive) {
      errors.add(
        'valueAboveRange',
        { primaryId, property, value: String(value), detail: String(def.maxInclusive) },
        site.at,
      );
      return undefined;
    }
    if (value > 2147483647 || value < -2147483648) {
      errors.add(
        value < 0 ? 'valueBelowRange' : 'valueAboveRange',
        { primaryId, property, value: String(value) },
        site.at,
      );
      return undefined;
    }
  }
  return value;
}

const LANGUAGE_TAG = /^[a-z]{2,4}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$/;
const DEFAULT_LANGUAGE = 'en';

/** Parses a localizable string into a language → text map. */
export function parseLangString(def: LiteralPropertyDef, raw: JsonValue, site: Site): LangString | undefined {
  const { errors, elementId: primaryId, property } = site;
  const result: Record<string, string> = {};
  const max = def.maxLength;
  let ok = true;
  const put = (lang: string, text: string): void => {
    if (lang in result) {
      errors.add('langStringElementCodeNotUnique', { primaryId, property, value: lang }, site.at);
      ok = false;
      return;
    }
    if (max !== undefined && text.length > max) {
      errors.add('langStringValueTooLong', { primaryId, property, value: text, detail: String(max) }, site.at);
      ok = false;
      return;
    }
    result[lang] = text;
  };

  if (raw === null) {
    errors.add('propertyValueNull', { primaryId, property }, site.at);
    errors.add('langStringNotLangString', { primaryId, property }, site.at);
    return undefined;
  }
  if (typeof raw === 'string') {
    put(DEFAULT_LANGUAGE, raw);
  } else if (isObject(raw) && '@value' in raw && '@language' in raw && Object.keys(raw).length === 2) {
    // A language-tagged value object where a language map is expected.
    errors.add('langTagValueInLangMap', { primaryId, property }, site.at);
    return undefined;
  } else if (isObject(raw)) {
    for (const lang in raw) {
      const text = raw[lang];
      if (lang.startsWith('@')) {
        errors.add('langMapObjKeyword', { primaryId, property, value: lang }, site.at);
        ok = false;
        continue;
      }
      if (!LANGUAGE_TAG.test(lang)) {
        errors.add('langStringInvalidCode', { primaryId, property, value: lang }, site.at);
        ok = false;
        continue;
      }
      if (site.repeated?.has(lang)) {
        errors.add('langStringCodeNotUnique', { primaryId, property, value: lang }, site.at);
        ok = false;
        continue;
      }
      if (typeof text !== 'string') {
        errors.add(
          isObject(text) && '@language' in text ? 'langTagValueInLangMap' : 'langStringValueNotString',
          { primaryId, property, value: lang },
          site.at,
        );
        ok = false;
        continue;
      }
      put(lang, text);
    }
  } else if (Array.isArray(raw)) {
    for (const element of raw) {
      if (typeof element === 'string') put(DEFAULT_LANGUAGE, element);
      else if (isObject(element)) parseLangElement(element, put, site);
      else {
        errors.add('langStringElementNotStringOrObject', { primaryId, property }, site.at);
        ok = false;
      }
    }
  } else {
    errors.add('langStringNotLangString', { primaryId, property }, site.at);
    errors.add('langStringElementNotStringOrObject', { primaryId, property }, site.at);
    return undefined;
  }
  return ok ? result : undefined;
}

function parseLangElement(element: JsonObject, put: (lang: string, text: string) => void, site: Site): void {
  const { errors, elementId: primaryId, property } = site;
  for (const key of Object.keys(element)) {
    if (key === '@value' || key === '@language') continue;
    if (key === '@context') errors.add('langStringElementContext', { primaryId, property }, site.at);
    else if (key === '@graph') errors.add('langStringElementGraph', { primaryId, property }, site.at);
    else if (key === '@id') errors.add('langStringElementId', { primaryId, property }, site.at);
    else if (key === '@type') {
      if (site.dtdlVersion >= 3) errors.add('langStringElementType', { primaryId, property }, site.at);
    } else if (key.startsWith('@')) {
      if (site.dtdlVersion >= 3) errors.add('langStringElementKeyword', { primaryId, property, value: key }, site.at);
    } else errors.add('langStringElementInvalidProp', { primaryId, property, value: key }, site.at);
  }
  if (!('@value' in element)) {
    errors.add('langStringElementNoValue', { primaryId, property }, site.at);
    return;
  }
  const text = element['@value'];
  if (typeof text !== 'string') {
    errors.add('langStringElementValueNotString', { primaryId, property }, site.at);
    return;
  }
  let lang = DEFAULT_LANGUAGE;
  if ('@language' in element) {
    const code = element['@language'];
    if (typeof code !== 'string') {
      errors.add('langStringElementCodeNotString', { primaryId, property }, site.at);
      errors.add('langStringElementInvalidCode', { primaryId, property }, site.at);
      return;
    }
    if (!LANGUAGE_TAG.test(code)) {
      errors.add('langStringElementInvalidCode', { primaryId, property, value: code }, site.at);
      return;
    }
    lang = code;
  }
  put(lang, text);
}
