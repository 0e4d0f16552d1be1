/**
 * From JSON objects to element records: identity, types and property values of every element, inline
 * ones included, each checked against the metamodel of its DTDL version. References between elements
 * are kept as identifiers here and resolved in a later phase, once every document has been read.
 */
import { hasReservedPrefix, isUserDtmi, isWritableDtmi, parseDtmi, USER_DTMI_MAX_LENGTH } from '../dtmi';
import type { ErrorCollector, Located } from '../dtdl-errors';
import {
  partnerContextOf,
  supplementalTypesOf,
  type SupplementalPropertyDef,
  type SupplementalTypeDef,
} from '../extensions';
import {
  isConcrete,
  isSubclass,
  METAMODELS,
  metamodelFor,
  type ClassDef,
  type ClassName,
  type DtdlVersion,
  type LiteralPropertyDef,
  type Metamodel,
  type ObjectPropertyDef,
  type PropertyDef,
} from '../metamodel';
import { pathKey, type JsonObject, type JsonValue, type RepeatedMembers } from '../source';
import {
  bindingForIri,
  processContext,
  type ActiveContext,
  type ContextOptions,
  type TermBinding,
} from './jsonld-context';
import { parseLangString, parseLiteral, type LiteralValue } from './values';

export interface ObjectRef {
  /** `id`: a DTMI of an element; `term`: a standard element named by its term (`double`, `kelvin`, `synchronous`). */
  readonly kind: 'id' | 'term';
  readonly target: string;
  readonly inline: boolean;
  readonly at: Located;
}

export interface ParsedElement {
  readonly id: string;
  readonly explicitId: boolean;
  readonly context: ActiveContext;
  readonly dtdlVersion: DtdlVersion;
  readonly type: ClassName | undefined;
  readonly inferredType: boolean;
  readonly cotypes: readonly SupplementalTypeDef[];
  readonly undefinedCotypes: readonly string[];
  readonly literals: Map<string, LiteralValue>;
  readonly objects: Map<string, ObjectRef[]>;
  /** Properties from undefined (tolerated) extensions, kept as raw JSON. */
  readonly extra: Map<string, JsonValue>;
  readonly parent?: { readonly id: string; readonly property: string };
  /** Id of the top-level element this one is defined in. */
  readonly partition: string;
  readonly at: Located;
  readonly isLayer: boolean;
  /** The layer's fragment (`#foo`), for layers. */
  readonly layerName?: string;
  /** Size of the element's JSON text, for top-level elements (the 1 MiB Interface limit). */
  readonly byteSize?: number;
  /** Some co-type was rejected as undefined; properties it might have defined are not reported again. */
  readonly rejectedCotypes: boolean;
  /** Known co-types that do not apply here (already reported); the properties they define are not reported again. */
  readonly invalidCotypes: readonly SupplementalTypeDef[];
}

interface Site {
  readonly parent?: ParsedElement;
  readonly property?: ObjectPropertyDef | SupplementalPropertyDef;
  readonly partition?: string;
  readonly at: Located;
}

const KEYWORDS_ALLOWED = new Set(['@context', '@id', '@type']);
const INTERFACE_SIZE_CHECK = 1024 * 1024;

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `dtmi:a:b;1` + contents + x → `dtmi:a:b:_contents:__x;1` (the reference parser's scheme). */
export function childId(parentId: string, property: string, key?: string): string {
  const m = /^(.*?)(;[0-9.]+)?$/.exec(parentId)!;
  return `${m[1]}:_${property}${key !== undefined ? `:__${key}` : ''}${m[2] ?? ''}`;
}

export class ElementParser {
  readonly elements: ParsedElement[] = [];
  /** Set when the last inline value was dropped for a reason that does not also leave its property short. */
  private excused = false;
  /** Member names written twice in the objects of the document being read (rare; usually none). */
  private repeated: RepeatedMembers | undefined;

  constructor(
    private readonly options: ContextOptions,
    private readonly errors: ErrorCollector,
  ) {}

  /** A top-level JSON value of a document: one element, or an array of them. */
  parseDocument(value: JsonValue, document: number, text: string, repeated?: RepeatedMembers): void {
    this.repeated = repeated;
    if (Array.isArray(value)) {
      // An item can only pass the 1 MiB Interface limit if its document does; measure only then.
      const big = text.length > INTERFACE_SIZE_CHECK;
      value.forEach((item, i) =>
        this.parseTopLevel(
          item,
          { document, path: [i] },
          big ? Buffer.byteLength(JSON.stringify(item), 'utf8') : undefined,
        ),
      );
    } else {
      this.parseTopLevel(value, { document, path: [] }, Buffer.byteLength(text, 'utf8'));
    }
  }

  private parseTopLevel(value: JsonValue, at: Located, byteSize: number | undefined): void {
    if (!isObject(value)) {
      this.errors.add('notJsonObject', { value: typeof value === 'string' ? value : JSON.stringify(value) }, at);
      return;
    }
    if (!('@context' in value)) {
      this.errors.add('missingContext', {}, at);
      const graph = value['@graph'];
      if (isObject(graph) && '@context' in graph) this.errors.add('topLevelGraphDisallowed', {}, at);
      return;
    }
    if ('@graph' in value) {
      this.errors.add('topLevelGraphDisallowed', {}, at);
      return;
    }
    this.parseElement(value, undefined, { at }, byteSize);
  }

  private parseElement(
    obj: JsonObject,
    parentContext: ActiveContext | undefined,
    site: Site,
    byteSize?: number,
  ): ParsedElement | undefined {
    const { errors } = this;
    const { parent, property: siteProperty, at } = site;
    const topLevel = parent === undefined;

    // JSON-LD keywords other than @context/@id/@type make the element unusable in v3; v2 ignores them, except @graph.
    const lenient = (parentContext?.dtdlVersion ?? versionOf(obj['@context'])) === 2;
    for (const key of Object.keys(obj)) {
      if (!key.startsWith('@') || KEYWORDS_ALLOWED.has(key)) continue;
      if (lenient && key !== '@graph') continue;
      if (key === '@graph') {
        if (topLevel) errors.add('topLevelGraphDisallowed', {}, at);
        else errors.add('graphDisallowed', { primaryId: parent.id, property: siteProperty?.name }, at);
      } else if (topLevel) errors.add('topLevelKeywordDisallowed', { value: key }, at);
      else errors.add('keywordDisallowed', { primaryId: parent.id, property: siteProperty?.name, value: key }, at);
      return undefined;
    }

    let context = parentContext;
    if ('@context' in obj) {
      context = processContext(obj['@context'], parentContext, this.options, errors, {
        document: at.document,
        path: [...at.path, '@context'],
      });
    }
    if (!context) return undefined;
    const version = context.dtdlVersion;
    const mm = metamodelFor(version, context.limits);

    if (parent && siteProperty && 'rangeVersions' in siteProperty && !siteProperty.rangeVersions.includes(version)) {
      errors.add(
        'disallowedVersionDefinition',
        { primaryId: parent.id, property: siteProperty.name, value: version },
        at,
      );
      return undefined;
    }

    // Identity.
    const identity = this.identify(obj, site, mm, context);
    if (!identity) return undefined;
    const { id, explicitId, isLayer, layerName } = identity;

    // Types.
    const typing = this.resolveTypes(obj, id, context, mm, site, isLayer);
    if (!typing) return undefined;

    const element: ParsedElement = {
      id,
      explicitId,
      context,
      dtdlVersion: version,
      type: typing.material,
      inferredType: typing.inferred,
      cotypes: typing.cotypes,
      undefinedCotypes: typing.undefinedCotypes,
      literals: new Map(),
      objects: new Map(),
      extra: new Map(),
      parent: parent && siteProperty ? { id: parent.id, property: siteProperty.name } : undefined,
      // Every Interface, inline ones included, is a partition of its own.
      partition: typing.material === 'Interface' ? id : (site.partition ?? id),
      at,
      isLayer,
      layerName,
      byteSize,
      rejectedCotypes: typing.rejectedCotypes ?? false,
      invalidCotypes: typing.invalidCotypes ?? [],
    };
    this.elements.push(element);
    if (typing.material === undefined && !isLayer) return element;
    this.parseProperties(obj, element, typing.material ? mm.classes.get(typing.material) : undefined);
    return element;
  }

  private identify(
    obj: JsonObject,
    site: Site,
    mm: Metamodel,
    context: ActiveContext,
  ): { id: string; explicitId: boolean; isLayer: boolean; layerName?: string } | undefined {
    const { errors } = this;
    const { parent, property, at } = site;
    const rawId = obj['@id'];
    if (rawId === undefined) {
      if (!parent || !property) {
        errors.add('missingTopLevelId', {}, at);
        return undefined;
      }
      if ('idRequired' in property && property.idRequired) {
        errors.add('missingRequiredId', { primaryId: parent.id, property: property.name }, at);
        this.excused = true;
        return undefined;
      }
      if ('dictionaryKey' in property && property.dictionaryKey) {
        const key = memberValue(obj, property.dictionaryKey);
        const keyValue = Array.isArray(key) && key.length === 1 ? key[0] : key;
        const name = isObject(keyValue) ? keyValue['@value'] : keyValue;
        if (typeof name !== 'string' || !/^[A-Za-z0-9_]+$/.test(name)) {
          errors.add(
            'missingDtmiSegPropertyValue',
            { primaryId: parent.id, property: property.name, value: property.dictionaryKey },
            at,
          );
          return undefined;
        }
        return {
          id: childId(parent.id, property.name, name),
          explicitId: false,
          isLayer: parent.isLayer,
          layerName: parent.layerName,
        };
      }
      return {
        id: childId(parent.id, property.name),
        explicitId: false,
        isLayer: parent.isLayer,
        layerName: parent.layerName,
      };
    }
    if (typeof rawId !== 'string' || rawId === '') {
      errors.add('idNotString', {}, at);
      return undefined;
    }
    const dtmi = parseDtmi(rawId);
    const types = obj['@type'];
    const isLayer = (Array.isArray(types) ? types : [types]).includes('Layer');
    if (dtmi?.fragment && parent?.isLayer && parent.layerName !== undefined && parent.layerName !== dtmi.fragment) {
      errors.add('mismatchedLayers', { primaryId: parent.id, secondaryId: rawId, property: property?.name }, at);
      return undefined;
    }
    if (dtmi?.fragment) {
      errors.add('invalidId', { value: rawId }, at);
      // Fragments name layers; with the layering extension in context but no Layer co-type, say that too.
      if (!isLayer && context.undefinedExtensions.length > 0)
        errors.add('disallowedIdFragment', { primaryId: rawId.split('#')[0] }, at);
      if (parent && !parent.isLayer)
        errors.add(
          'mismatchedLayers',
          { primaryId: parent.id, secondaryId: rawId.split('#')[0], property: property?.name },
          at,
        );
      return { id: rawId.split('#')[0], explicitId: true, isLayer: true, layerName: dtmi.fragment };
    }
    const hasProperties = Object.keys(obj).some((k) => !k.startsWith('@'));
    if (
      parent &&
      property &&
      'dictionaryKey' in property &&
      property.dictionaryKey &&
      hasProperties &&
      memberValue(obj, property.dictionaryKey) === undefined
    ) {
      errors.add(
        'missingDictKeyPropertyValue',
        { primaryId: parent.id, property: property.name, value: property.dictionaryKey },
        at,
      );
    }
    if (parent?.isLayer && dtmi) {
      errors.add('mismatchedLayers', { primaryId: parent.id, secondaryId: rawId, property: property?.name }, at);
    }
    if (!dtmi || !isUserDtmi(rawId)) {
      if (hasReservedPrefix(rawId) && dtmi) errors.add('reservedId', { value: rawId }, at);
      else if (rawId.length > USER_DTMI_MAX_LENGTH && dtmi) errors.add('idTooLong', { value: rawId }, at);
      else errors.add('invalidId', { value: rawId }, at);
      return undefined;
    }
    if (rawId.length > mm.maxIdLength) {
      // A limit extension may lower the identifier limit (onvif;1: 512 characters).
      errors.add('idTooLong', { value: rawId }, at);
      return undefined;
    }
    if (hasReservedPrefix(rawId) || context.extensions.some((e) => e.id === partnerContextOf(rawId))) {
      errors.add('reservedId', { value: rawId }, at);
      return undefined;
    }
    if (mm.version === 2 && (dtmi.majorVersion === 0 || dtmi.minorVersion > 0)) {
      // DTDL v2 identifiers carry a one-part version.
      errors.add('invalidId', { value: rawId }, at);
      return undefined;
    }
    const typeNames = (Array.isArray(types) ? types : [types]).filter((t): t is string => typeof t === 'string');
    for (const t of typeNames) {
      // "Interface" or its IRI "dtmi:dtdl:class:Interface;3": the same type, the same limit.
      const binding = lookupTerm(t, context);
      const cls = binding?.contextId === context.dtdlContextId ? binding.term : t;
      const max = mm.classes.get(cls as ClassName)?.maxIdLength;
      if (max !== undefined && rawId.length > max) {
        errors.add('idTooLongForType', { value: rawId, type: cls, detail: String(max) }, at);
        return undefined;
      }
    }
    return { id: rawId, explicitId: true, isLayer: false };
  }

  private resolveTypes(
    obj: JsonObject,
    id: string,
    context: ActiveContext,
    mm: Metamodel,
    site: Site,
    isLayer: boolean,
  ):
    | {
        material: ClassName | undefined;
        inferred: boolean;
        cotypes: SupplementalTypeDef[];
        invalidCotypes?: SupplementalTypeDef[];
        undefinedCotypes: string[];
        rejectedCotypes?: boolean;
      }
    | undefined {
    const { errors } = this;
    const { parent, property, at } = site;
    const raw = obj['@type'];
    const inferable = property && 'inferredType' in property ? property.inferredType : undefined;
    const materials: ClassName[] = [];
    const foreignClasses: string[] = [];
    const otherLanguageClasses: string[] = [];
    const version = context.dtdlVersion;
    const cotypes: SupplementalTypeDef[] = [];
    const undefinedCotypes: string[] = [];
    let failed = false;
    let rejectedCotypes = false;
    let malformedType = false;

    const names: JsonValue[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const name of names) {
      if (typeof name !== 'string') {
        errors.add('typeNotDtmiNorTerm', { primaryId: id, value: JSON.stringify(name) }, at);
        failed = true;
        continue;
      }
      if (name === 'Layer' && isLayer) continue;
      const binding = lookupTerm(name, context);
      if (binding) {
        // JSON-LD expands every type to its IRI and @type is a set: "Telemetry" twice, or beside
        // "dtmi:dtdl:class:Telemetry;3", is one type (the spec only says it SHOULD NOT be repeated).
        if (binding.contextId === context.dtdlContextId && isConcrete(mm, binding.term)) {
          if (!materials.includes(binding.term as ClassName)) materials.push(binding.term as ClassName);
          continue;
        }
        const supplemental = supplementalTypesOf(binding.contextId).get(binding.term);
        if (supplemental?.abstract) {
          errors.add('abstractSupplementalType', { primaryId: id, type: binding.term }, at);
          failed = true;
          continue;
        }
        if (supplemental) {
          if (!cotypes.includes(supplemental)) cotypes.push(supplemental);
          continue;
        }
        if (context.undefinedExtensions.length > 0) {
          // An undefined extension might define this term as a type.
          undefinedCotypes.push(name);
          continue;
        }
        if (binding.term === 'SemanticType') {
          errors.add('abstractSupplementalType', { primaryId: id, type: binding.term }, at);
          failed = true;
          continue;
        }
        if (isClassTerm(binding.term)) {
          // A class that is not a material type of this language version (e.g. a unit type): the wrong type here.
          foreignClasses.push(binding.term);
          continue;
        }
        errors.add('typeIrrelevantDtmiOrTerm', { primaryId: id, value: name }, at);
        failed = true;
        continue;
      }
      const otherLanguage = bindingForIri(name);
      if (otherLanguage && isMaterialClassOf(otherLanguage)) {
        // A DTDL class of the other language version ("dtmi:dtdl:class:Telemetry;2" in v3): not a type here.
        otherLanguageClasses.push(name);
        continue;
      }
      // DTDL v2 accepts co-types it does not know, except DTMIs, which only an undefined extension might
      // define (v3 spec: @type "SHALL NOT include any string conforming to DTMI syntax" other than its own
      // types, unless the model is contextually incomplete); v3 accepts neither terms nor DTMIs without one.
      const notDtmiNorTerm = !name.startsWith('dtmi:') && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(name);
      const undefinedExtension = context.undefinedExtensions.length > 0;
      const tolerated = (version === 2 && !name.startsWith('dtmi:')) || (undefinedExtension && !notDtmiNorTerm);
      if (name.startsWith('dtmi:') && !isWritableDtmi(name)) {
        errors.add('typeInvalidDtmi', { primaryId: id, value: name }, at);
        failed = true;
        malformedType = true;
        continue;
      }
      if (tolerated) {
        undefinedCotypes.push(name);
        continue;
      }
      if (notDtmiNorTerm) {
        errors.add('typeNotDtmiNorTerm', { primaryId: id, value: name }, at);
        failed = true;
        malformedType = true;
        continue;
      }
      if (name.startsWith('dtmi:')) {
        errors.add('typeIrrelevantDtmiOrTerm', { primaryId: id, value: name }, at);
        failed = true;
        continue;
      }
      errors.add('typeUndefinedTerm', { primaryId: id, value: name }, at);
      rejectedCotypes = true;
      failed = true;
    }

    if (materials.length > 1) {
      errors.add('multipleMaterialTypes', { primaryId: id, value: materials.join(' and ') }, at);
      return undefined;
    }
    if (otherLanguageClasses.length > 0 && !failed) {
      // The reference parser rejects the value where it stands, as it does any value of the wrong type.
      const value = otherLanguageClasses[0];
      if (parent && property) {
        errors.add('badType', { primaryId: parent.id, secondaryId: id, property: property.name, value }, at);
        if (property.minCount > 0)
          errors.add('objectCountBelowMin', { primaryId: parent.id, property: property.name }, at);
      } else if (materials.length > 0) errors.add('badType', { secondaryId: id, value }, at);
      else errors.add('typeNotRootable', { value: id }, at);
      return undefined;
    }
    if (materials.length === 1 && foreignClasses.length > 0 && parent && property) {
      // e.g. ["Telemetry", "LengthUnit"]: a unit type is not a co-type.
      errors.add(
        version === 2 ? 'multipleMaterialTypes' : 'typeIrrelevantDtmiOrTerm',
        { primaryId: id, value: version === 2 ? `${materials[0]} and ${foreignClasses[0]}` : foreignClasses[0] },
        at,
      );
      errors.add(
        'badType',
        { primaryId: parent.id, secondaryId: id, property: property.name, value: foreignClasses[0] },
        at,
      );
      return undefined;
    }
    let material: ClassName | undefined = materials[0];
    let inferred = false;
    // A type is inferred only when @type is absent altogether.
    if (!material && inferable && !failed && raw === undefined) {
      material = inferable;
      inferred = true;
    }
    if (!material && foreignClasses.length > 0 && !failed) {
      if (!parent) errors.add('typeNotRootable', { value: id }, at);
      else if (property) {
        errors.add(
          'badType',
          { primaryId: parent.id, secondaryId: id, property: property.name, value: foreignClasses[0] },
          at,
        );
        if (property.minCount > 0)
          errors.add('objectCountBelowMin', { primaryId: parent.id, property: property.name }, at);
      }
      return undefined;
    }
    if (!material) {
      if (isLayer && names.length > 0 && !failed && this.elements.some((e) => e.id === id && !e.isLayer)) {
        // A layer that restates an existing element must repeat its material type.
        errors.add('layerMissingMaterialType', { primaryId: id }, at);
        return undefined;
      }
      if (!parent) errors.add('typeNotRootable', { value: id }, at);
      // A type already reported as malformed is not reported again as the wrong type.
      if (parent && property) {
        if (!malformedType)
          errors.add('badType', { primaryId: parent.id, secondaryId: id, property: property.name }, at);
      } else errors.add('badType', { secondaryId: id }, at);
      if (parent && property && property.minCount > 0)
        errors.add('objectCountBelowMin', { primaryId: parent.id, property: property.name }, at);
      return undefined;
    }
    if (!parent) {
      if (!mm.rootable.includes(material)) {
        errors.add('typeNotRootable', { value: id }, at);
        return undefined;
      }
    } else if (property && 'range' in property && !property.range.some((r) => isSubclass(mm, material!, r))) {
      errors.add('badType', { primaryId: parent.id, secondaryId: id, property: property.name, value: material }, at);
      if (property.minCount > 0)
        errors.add('objectCountBelowMin', { primaryId: parent.id, property: property.name }, at);
      return undefined;
    }
    const invalidCotypes: SupplementalTypeDef[] = [];
    for (const cotype of cotypes) {
      // Not for this class at all: invalidCotype. For this class but in the other language version
      // (a v3-only type on a v2 Property): both. From an extension of the other version: invalidCotypeVersion.
      // A v3 or v4 element co-typed from an extension of another version (historization;1 in v4,
      // quantitativeTypes;2 in v3) is only of the wrong version: its properties are still understood.
      const applies = cotype.appliesTo.some((c) => isSubclass(mm, material!, c));
      const ofThisVersion = cotype.dtdlVersions.includes(version);
      const classOfThisVersion = cotype.classVersions === undefined || cotype.classVersions.includes(version);
      if (applies && (!ofThisVersion || !classOfThisVersion) && version >= 3) {
        errors.add('invalidCotypeVersion', { primaryId: id, type: cotype.term }, at);
        invalidCotypes.push({ ...cotype, propertiesOutliveInvalidity: true });
        continue;
      }
      const otherVersionOnly =
        (applies && !classOfThisVersion) ||
        (!applies && (cotype.otherVersionAppliesTo ?? []).some((c) => isSubclass(mm, material!, c)));
      if (!applies || otherVersionOnly) errors.add('invalidCotype', { primaryId: id, type: cotype.term }, at);
      if (otherVersionOnly || (applies && !ofThisVersion))
        errors.add('invalidCotypeVersion', { primaryId: id, type: cotype.term }, at);
      if (!applies || otherVersionOnly || !ofThisVersion) {
        invalidCotypes.push(cotype);
        continue;
      }
      for (const excluded of cotype.disallowedCotypes ?? []) {
        if (cotypes.some((c) => c.term === excluded)) {
          errors.add('disallowedCocotype', { primaryId: id, type: cotype.term, value: excluded }, at);
          failed = true;
        }
      }
      for (const needed of cotype.requiresCotypes ?? []) {
        if (!cotypes.some((c) => c.term === needed)) {
          errors.add('missingCocotype', { primaryId: id, type: cotype.term, value: needed }, at);
          failed = true;
        }
      }
    }
    const semantic = cotypes.filter((c) => c.semantic);
    if (semantic.length > 1 && new Set(semantic.map((s) => s.unitType)).size > 1) {
      errors.add(
        'conflictingSupplementalTypes',
        { primaryId: id, property: 'unit', value: semantic.map((s) => s.term).join(' and ') },
        at,
      );
    }
    return {
      material,
      inferred,
      cotypes: cotypes.filter((c) => !invalidCotypes.includes(c)),
      invalidCotypes,
      undefinedCotypes,
      rejectedCotypes,
    };
  }

  private parseProperties(obj: JsonObject, element: ParsedElement, cls: ClassDef | undefined): void {
    const { errors } = this;
    const seen = new Map<string, string>();
    const repeated = this.repeated?.get(pathKey(element.at.path))?.names;
    for (const [key, raw] of Object.entries(obj)) {
      if (key === '@context' || key === '@id' || key === '@type') continue;
      if (key.startsWith('@')) continue;
      const at: Located = { document: element.at.document, path: [...element.at.path, key] };
      const binding = lookupTerm(key, element.context);
      const term = binding?.term;
      const def = term ? this.findProperty(term, binding!, element, cls) : undefined;
      if (!def) {
        this.reportUnknownProperty(key, raw, binding, element, at);
        continue;
      }
      const previous = seen.get(def.name);
      if (previous !== undefined) {
        errors.add('duplicatePropertyName', { primaryId: element.id, property: def.name }, at);
        continue;
      }
      // Written twice under the same name: JSON kept the last value, which is still read.
      if (repeated?.has(key)) errors.add('duplicatePropertyName', { primaryId: element.id, property: def.name }, at);
      // A null value is reported and then counts as absent.
      if (raw !== null) seen.set(def.name, key);
      if (def.kind === 'literal') this.parseLiteralProperty(def, raw, element, at);
      else this.parseObjectProperty(def, raw, element, at);
    }
    // Required properties.
    const checkRequired = (def: PropertyDef, supplemental: boolean): void => {
      if (def.minCount === 0) return;
      if (seen.has(def.name)) return;
      const kind = def.kind === 'literal' ? 'Literal' : 'Object';
      errors.add(
        supplemental ? `missingSupplemental${kind}Property` : `missing${kind}Property`,
        { primaryId: element.id, property: def.name },
        element.at,
      );
    };
    if (cls && !element.isLayer) for (const def of cls.properties.values()) checkRequired(def, false);
    if (!element.isLayer)
      for (const cotype of element.cotypes) for (const def of cotype.properties) checkRequired(def, true);
  }

  private findProperty(
    term: string,
    binding: TermBinding,
    element: ParsedElement,
    cls: ClassDef | undefined,
  ): PropertyDef | undefined {
    if (binding.contextId === element.context.dtdlContextId) {
      const own = cls?.properties.get(term);
      if (own) return own;
    }
    for (const cotype of element.cotypes) {
      if (cotype.contextId !== binding.contextId) continue;
      const def = cotype.properties.find((p) => p.name === term);
      if (def) return def;
    }
    return undefined;
  }

  private reportUnknownProperty(
    key: string,
    raw: JsonValue,
    binding: TermBinding | undefined,
    element: ParsedElement,
    at: Located,
  ): void {
    const { errors } = this;
    const primaryId = element.id;
    if (element.undefinedCotypes.length > 0) {
      // An undefined co-type may define any property; only malformed names are wrong. Such a name makes the
      // element invalid whatever the extension defines, and then its undefined co-type terms are reported too.
      let malformed: string | undefined;
      if (key.startsWith('dtmi:') && !isWritableDtmi(key) && element.dtdlVersion >= 3)
        malformed = 'propertyInvalidDtmi';
      else if (!key.startsWith('dtmi:') && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(key) && element.dtdlVersion >= 3)
        malformed = 'propertyNotDtmiNorTerm';
      if (!malformed) {
        element.extra.set(key, raw);
        return;
      }
      errors.add(malformed, { primaryId, property: key }, at);
      for (const cotype of element.undefinedCotypes)
        if (!cotype.includes(':')) errors.add('typeUndefinedTerm', { primaryId, value: cotype }, element.at);
      return;
    }
    const ofInvalidCotype = binding
      ? element.invalidCotypes.find(
          (c) => c.contextId === binding.contextId && c.properties.some((p) => p.name === binding.term),
        )
      : undefined;
    if (ofInvalidCotype?.propertiesOutliveInvalidity) {
      element.extra.set(binding!.term, raw);
      return;
    }
    const dtmi = !binding && key.startsWith('dtmi:') ? parseDtmi(key) : undefined;
    if (dtmi) {
      // A property named by a DTMI no active context defines. v2 tolerates undefined extensions, so it is
      // only not allowed here; v3 calls a user DTMI irrelevant and one with system segments ('_x') invalid,
      // as the reference parser does (v3 spec: members whose names conform to DTMI syntax).
      if (element.dtdlVersion === 2) {
        if (!element.rejectedCotypes)
          errors.add(
            element.inferredType ? 'inferredTypeDoesNotAllow' : 'noTypeThatAllows',
            { primaryId, property: key },
            at,
          );
      } else
        errors.add(
          dtmi.isReserved ? 'propertyInvalidDtmi' : 'propertyIrrelevantDtmiOrTerm',
          { primaryId, property: key },
          at,
        );
      return;
    }
    if (!element.rejectedCotypes)
      errors.add(
        element.inferredType ? 'inferredTypeDoesNotAllow' : 'noTypeThatAllows',
        { primaryId, property: key },
        at,
      );
    // A property of a co-type that does not apply here is not an irrelevant term, just not allowed.
    if (ofInvalidCotype) return;
    // A layer may carry terms of the (undefined) layering extension: only the missing type is wrong.
    if (element.isLayer && element.context.undefinedExtensions.length > 0 && !key.includes(':')) return;
    if (binding) {
      // A known term that none of the element's types defines as a property is irrelevant here.
      errors.add('propertyIrrelevantDtmiOrTerm', { primaryId, property: key }, at);
      return;
    }
    if (key.startsWith('dtmi:')) errors.add('propertyInvalidDtmi', { primaryId, property: key }, at);
    else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(key))
      errors.add('propertyNotDtmiNorTerm', { primaryId, property: key }, at);
    else errors.add('propertyUndefinedTerm', { primaryId, property: key }, at);
  }

  private parseLiteralProperty(def: LiteralPropertyDef, raw: JsonValue, element: ParsedElement, at: Located): void {
    const site = {
      dtdlVersion: element.dtdlVersion,
      elementId: element.id,
      property: def.name,
      errors: this.errors,
      at,
      repeated: this.repeated?.get(pathKey(at.path))?.names,
    };
    const value = def.datatype === 'langString' ? parseLangString(def, raw, site) : parseLiteral(def, raw, site);
    if (value !== undefined) element.literals.set(def.name, value);
  }

  private parseObjectProperty(
    def: ObjectPropertyDef | SupplementalPropertyDef,
    raw: JsonValue,
    element: ParsedElement,
    at: Located,
  ): void {
    const { errors } = this;
    const objDef = def as ObjectPropertyDef;
    const primaryId = element.id;
    const property = def.name;
    if (raw === null) {
      errors.add('propertyValueNull', { primaryId, property }, at);
      if (def.minCount > 0) errors.add('objectCountBelowMin', { primaryId, property }, at);
      return;
    }
    const items: JsonValue[] = Array.isArray(raw) ? raw : [raw];
    if (!def.plural && items.length > 1) {
      errors.add('objectMultipleValues', { primaryId, property }, at);
      return;
    }
    const refs: ObjectRef[] = [];
    let excused = 0;
    items.forEach((item, i) => {
      const itemAt: Located = { document: at.document, path: Array.isArray(raw) ? [...at.path, i] : at.path };
      this.excused = false;
      const ref = this.parseObjectValue(objDef, item, element, itemAt);
      if (ref) refs.push(ref);
      else if (this.excused) excused++;
    });
    if (refs.length + excused < def.minCount && items.length > 0)
      errors.add('objectCountBelowMin', { primaryId, property }, at);
    else if (def.minCount > 0 && items.length === 0) errors.add('objectCountBelowMin', { primaryId, property }, at);
    if (def.maxCount !== undefined && def.plural && refs.length > def.maxCount) {
      errors.add('objectCountAboveMax', { primaryId, property, detail: String(def.maxCount) }, at);
    }
    element.objects.set(property, refs);
  }

  private parseObjectValue(
    def: ObjectPropertyDef,
    item: JsonValue,
    element: ParsedElement,
    at: Located,
  ): ObjectRef | undefined {
    const { errors } = this;
    const primaryId = element.id;
    const property = def.name;
    if (def.nonDependent) {
      // Relationship.target: an identifier, never a definition.
      if (typeof item !== 'string') {
        errors.add('identifierNotString', { primaryId, property }, at);
        return undefined;
      }
      const dtmi = parseDtmi(item);
      // A target names an Interface a model defines, so a generated (system-segment) id is not one either.
      if (!dtmi || dtmi.fragment || dtmi.isReserved) {
        errors.add('identifierNotDtmi', { primaryId, property, value: item }, at);
        return undefined;
      }
      return { kind: 'id', target: item, inline: false, at };
    }
    if (typeof item === 'string') return this.referenceFromString(def, item, element, at);
    if (!isObject(item)) {
      errors.add('refNotStringOrObject', { primaryId, property }, at);
      return undefined;
    }
    const keys = Object.keys(item);
    if (keys.length === 1 && keys[0] === '@id') {
      // A bare {"@id": …} object is not how DTDL references an element: use the DTMI string itself.
      const target = item['@id'];
      errors.add(
        'idReference',
        { primaryId, property, value: typeof target === 'string' ? target : JSON.stringify(target) },
        at,
      );
      return undefined;
    }
    if (def.referenceOnly) {
      errors.add('refObjectNotAllowed', { primaryId, property }, at);
      return undefined;
    }
    const child = this.parseElement(item, element.context, {
      parent: element,
      property: def,
      partition: element.partition,
      at,
    });
    if (!child) return undefined;
    return { kind: 'id', target: child.id, inline: true, at };
  }

  private referenceFromString(
    def: ObjectPropertyDef & { unitType?: string },
    text: string,
    element: ParsedElement,
    at: Located,
  ): ObjectRef | undefined {
    const { errors } = this;
    const binding = lookupTerm(text, element.context);
    if (
      binding &&
      binding.contextId === element.context.dtdlContextId &&
      isConcrete(METAMODELS[element.dtdlVersion], binding.term)
    ) {
      // A class (e.g. 'Double') where an element or instance (e.g. 'double') belongs.
      errors.add('badType', { primaryId: element.id, secondaryId: binding.iri, property: def.name, value: text }, at);
      return undefined;
    }
    if (binding) return { kind: 'term', target: binding.term, inline: false, at };
    const dtmi = parseDtmi(text);
    // Generated ids (system segments) cannot be referenced: what they name is reached through its parent.
    if (dtmi && !dtmi.fragment && !dtmi.isReserved) {
      if (hasReservedPrefix(text) || partnerContextOf(text) !== undefined) {
        errors.add('undefinedReservedId', { primaryId: element.id, secondaryId: text, property: def.name }, at);
        return undefined;
      }
      return { kind: 'id', target: text, inline: false, at };
    }
    errors.add(
      'badDtmiOrTerm',
      { primaryId: element.id, property: def.name, value: text, detail: String(element.dtdlVersion) },
      at,
    );
    return undefined;
  }
}

/** DTDL names classes in PascalCase and properties and instances (double, kelvin, synchronous) in camelCase. */
function isClassTerm(term: string): boolean {
  return /^[A-Z]/.test(term);
}

/** A material class of some DTDL language version, named by its IRI (dtmi:dtdl:class:Telemetry;2). */
function isMaterialClassOf(binding: TermBinding): boolean {
  const version = /^dtmi:dtdl:context;(\d+)$/.exec(binding.contextId)?.[1];
  return (
    (version === '2' || version === '3' || version === '4') &&
    isConcrete(METAMODELS[Number(version) as DtdlVersion], binding.term)
  );
}

/** The DTDL version a raw @context names, if it names one. */
function versionOf(context: JsonValue | undefined): number | undefined {
  for (const item of Array.isArray(context) ? context : [context]) {
    const m = typeof item === 'string' ? /^dtmi:dtdl:context;(\d+)$/.exec(item) : null;
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * The value of a core DTDL property of an element, written as its term ("name") or as its full IRI
 * ("dtmi:dtdl:property:name;3"), which JSON-LD expands to the same property. Only needed before the
 * element's properties are parsed: its generated id comes from its name. Like the reference parser, the
 * id is taken even from the other language version's IRI, which parseProperties then reports as not
 * allowed, so that the element keeps its place and its other errors are found.
 */
function memberValue(obj: JsonObject, term: string): JsonValue | undefined {
  if (term in obj) return obj[term];
  for (const key of Object.keys(obj)) {
    if (!key.startsWith('dtmi:dtdl:property:')) continue;
    const binding = bindingForIri(key);
    if (binding?.term === term && /^dtmi:dtdl:context;\d+$/.test(binding.contextId)) return obj[key];
  }
  return undefined;
}

/** A term or IRI as the active context understands it. */
export function lookupTerm(name: string, context: ActiveContext): TermBinding | undefined {
  const direct = context.terms.get(name);
  if (direct) return direct;
  if (!name.includes(':')) return undefined;
  const byIri = bindingForIri(name);
  if (!byIri) return undefined;
  const active = byIri.contextId === context.dtdlContextId || context.extensions.some((e) => e.id === byIri.contextId);
  return active ? byIri : undefined;
}
