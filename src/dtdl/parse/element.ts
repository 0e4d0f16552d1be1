/**
 * From JSON objects to element records: identity, types and property values of every element, inline
 * ones included, each checked against the metamodel of its DTDL version. References between elements
 * are kept as identifiers here and resolved in a later phase, once every document has been read.
 */
import { hasReservedPrefix, isUserDtmi, isWritableDtmi, parseDtmi, USER_DTMI_MAX_LENGTH } from '../dtmi';
import { locatedAt, type ErrorCollector, type Located } from '../dtdl-errors';
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
import { objectItemLengths, pathKey, type JsonObject, type JsonValue, type RepeatedMembers } from '../source';
import {
  bindingForIri,
  processContext,
  type ActiveContext,
  type ContextOptions,
  type TermBinding,
} from './jsonld-context';
import { DefinitionIndex, generatedIdentity } from './layering';
import { parseLangString, parseLiteral, type LiteralValue } from './values';
import { EXTENSION_CONTEXTS } from '../vocabulary/contexts';

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
  readonly extra: ReadonlyMap<string, JsonValue>;
  readonly parent?: { readonly id: string; readonly property: string };
  /** Id of the top-level element this one is defined in. */
  readonly partition: string;
  readonly at: Located;
  /** The layer this definition belongs to: '' for an element's base definition, `foo` for `dtmi:x;1#foo`. */
  readonly layer: string;
  /** The first definition of its element read (later ones, layers, merge into it: resolve/layers.ts). */
  readonly first: boolean;
  /**
   * An explicitly identified value of a property whose values are keyed (`contents` by `name`): whether this
   * definition states its key. The merged element must have one (checked once every definition is read).
   */
  readonly dictKey?: {
    readonly parentId: string;
    readonly property: string;
    readonly key: string;
    readonly stated: boolean;
  };
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
/**
 * Shared by the many elements without co-types (never changed: a merge makes its own). Not frozen: V8 iterates
 * frozen arrays on a slower path.
 */
const NO_COTYPES: readonly SupplementalTypeDef[] = [];
const NO_TERMS: readonly string[] = [];
const INTERFACE_SIZE_CHECK = 1024 * 1024;
/**
 * How many UTF-8 bytes an element's serialization may take per UTF-16 unit of its source text: 3 per unit, and
 * a raw lone surrogate (1 unit) serializes as a 6-character escape.
 */
const MAX_BYTES_PER_SOURCE_UNIT = 18;

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

interface Identity {
  readonly id: string;
  readonly explicitId: boolean;
  readonly layer: string;
  /** The dictionary key a generated id was named by. */
  readonly key?: string;
  readonly dictKey?: ParsedElement['dictKey'];
}

export class ElementParser {
  readonly elements: ParsedElement[] = [];
  /** Set when the last inline value was dropped for a reason that does not also leave its property short. */
  private excused = false;
  /** Member names written twice in the objects of the document being read (rare; usually none). */
  private repeated: RepeatedMembers | undefined;
  /** The elements defined so far, to which later definitions (layers) of the same element must fit. */
  private readonly definitions: DefinitionIndex;
  /** Whether a fragment identifier has been reported: the reference parser reports only the first. */
  private fragmentReported = false;
  /** One site for every literal read (reading one never reads another). */
  private readonly literalSite: LiteralSite;

  constructor(
    private readonly options: ContextOptions,
    private readonly errors: ErrorCollector,
  ) {
    this.definitions = new DefinitionIndex(errors);
    this.literalSite = new LiteralSite(errors);
  }

  /** Every explicitly identified element that has layers, with the layers read so far. */
  layeredElements(): Map<string, string[]> {
    return this.definitions.layeredElements();
  }

  /** A top-level JSON value of a document: one element, or an array of them. */
  parseDocument(value: JsonValue, document: number, text: string, repeated?: RepeatedMembers): void {
    this.repeated = repeated;
    if (Array.isArray(value)) {
      // An item can only pass the 1 MiB Interface limit if its document could (3 UTF-8 bytes per UTF-16 unit at
      // most); then each object item's text bounds its size, and only an item that might pass it is measured.
      const spans = text.length * 3 > INTERFACE_SIZE_CHECK ? objectItemLengths(text) : undefined;
      let next = 0;
      value.forEach((item, i) => {
        const span = spans && isObject(item) ? spans[next++] : undefined;
        const size =
          span !== undefined && span * MAX_BYTES_PER_SOURCE_UNIT > INTERFACE_SIZE_CHECK
            ? Buffer.byteLength(JSON.stringify(item), 'utf8')
            : undefined;
        this.parseTopLevel(item, { document, path: [i] }, size);
      });
    } else {
      // Measured only when the text could pass the limit (3 UTF-8 bytes per UTF-16 unit at most).
      const size = text.length * 3 > INTERFACE_SIZE_CHECK ? Buffer.byteLength(text, 'utf8') : undefined;
      this.parseTopLevel(value, { document, path: [] }, size);
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
    for (const key in obj) {
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
      context = processContext(obj['@context'], parentContext, this.options, errors, locatedAt(at, '@context'));
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
    const { id, explicitId, layer } = identity;
    const definition = { id, explicitId, layer, dtdlVersion: version, key: identity.key };
    const definitionSite = { parent, property: siteProperty, at };
    if (!this.definitions.admitsIdentity(definition, definitionSite)) {
      this.excused = true;
      return undefined;
    }

    // Types.
    const typing = this.resolveTypes(obj, id, context, mm, site, layer);
    if (!typing) return undefined;
    const admitted = this.definitions.admitsTypes(definition, typing.material, typing.cotypes, definitionSite, mm);
    if (admitted !== true) {
      this.excused = admitted === false;
      return undefined;
    }
    const first = this.definitions.record(definition, typing.material, typing.cotypes);

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
      extra: NO_EXTRA,
      parent: parent && siteProperty ? { id: parent.id, property: siteProperty.name } : undefined,
      // Every Interface, inline ones included, is a partition of its own.
      partition: typing.material === 'Interface' ? id : (site.partition ?? id),
      at,
      layer,
      first,
      // Always present (undefined when not keyed): one shape for every element, which V8 builds fastest.
      dictKey: identity.dictKey,
      byteSize,
      rejectedCotypes: typing.rejectedCotypes ?? false,
      invalidCotypes: typing.invalidCotypes ?? NO_COTYPES,
    };
    this.elements.push(element);
    this.parseProperties(obj, element, mm.classes.get(typing.material));
    return element;
  }

  private identify(obj: JsonObject, site: Site, mm: Metamodel, context: ActiveContext): Identity | undefined {
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
      let key: string | undefined;
      if ('dictionaryKey' in property && property.dictionaryKey) {
        const value = memberValue(obj, property.dictionaryKey);
        const keyValue = Array.isArray(value) && value.length === 1 ? value[0] : value;
        const name = isObject(keyValue) ? keyValue['@value'] : keyValue;
        if (typeof name !== 'string' || !/^[A-Za-z0-9_]+$/.test(name)) {
          errors.add(
            'missingDtmiSegPropertyValue',
            { primaryId: parent.id, property: property.name, value: property.dictionaryKey },
            at,
          );
          return undefined;
        }
        key = name;
      }
      const generated = generatedIdentity(parent, property.name, key, context.mergeDefinitions);
      if ('mismatch' in generated) {
        errors.add('mismatchedLayers', { primaryId: parent.id, secondaryId: parent.id, property: property.name }, at);
        this.excused = true;
        return undefined;
      }
      return { id: generated.id, explicitId: false, layer: generated.layer, key, dictKey: undefined };
    }
    if (typeof rawId !== 'string' || rawId === '') {
      errors.add('idNotString', {}, at);
      return undefined;
    }
    const types = obj['@type'];
    let dtmi = parseDtmi(rawId);
    let id = rawId;
    let layer = '';
    if (dtmi?.fragment) {
      // DTDL has no fragment identifiers: the first is reported, and the definition is still read as a layer.
      if (!this.fragmentReported) errors.add('invalidId', { value: rawId }, at);
      this.fragmentReported = true;
      const base = rawId.slice(0, rawId.indexOf('#'));
      const fragment = dtmi.fragment.slice(1);
      // Without the layering extension a fragment names no layer: `dtmi:x;1#foo` is an element of its own.
      if (!context.mergeDefinitions)
        return { id: fragment === '' ? base : rawId, explicitId: true, layer: '', key: undefined, dictKey: undefined };
      const layerTyped = (Array.isArray(types) ? types : [types]).includes('Layer');
      if (fragment !== '' && !layerTyped) {
        errors.add('disallowedIdFragment', { primaryId: base }, at);
        this.excused = true;
        return undefined;
      }
      id = base;
      layer = fragment;
      dtmi = parseDtmi(base);
    }
    if (parent && layer !== parent.layer) {
      // A nested definition belongs to its parent's layer: a layer within the base, the base within a layer,
      // or one layer within another.
      errors.add('mismatchedLayers', { primaryId: parent.id, secondaryId: rawId, property: property?.name }, at);
      this.excused = true;
      return undefined;
    }
    let dictKey: ParsedElement['dictKey'];
    if (parent && property && 'dictionaryKey' in property && property.dictionaryKey) {
      // Said of the merged element once every definition is read: another layer may state the key.
      if (hasProperties(obj))
        dictKey = {
          parentId: parent.id,
          property: property.name,
          key: property.dictionaryKey,
          stated: memberValue(obj, property.dictionaryKey) !== undefined,
        };
    }
    if (!dtmi || !isUserDtmi(id)) {
      if (hasReservedPrefix(id) && dtmi) errors.add('reservedId', { value: rawId }, at);
      else if (id.length > USER_DTMI_MAX_LENGTH && dtmi) errors.add('idTooLong', { value: rawId }, at);
      else errors.add('invalidId', { value: rawId }, at);
      return undefined;
    }
    if (id.length > mm.maxIdLength) {
      // A limit extension may lower the identifier limit (onvif;1: 512 characters).
      errors.add('idTooLong', { value: rawId }, at);
      return undefined;
    }
    if (hasReservedPrefix(id) || context.extensions.some((e) => e.id === partnerContextOf(id))) {
      errors.add('reservedId', { value: rawId }, at);
      return undefined;
    }
    if (mm.version === 2 && (dtmi.majorVersion === 0 || dtmi.minorVersion > 0)) {
      // DTDL v2 identifiers carry a one-part version.
      errors.add('invalidId', { value: rawId }, at);
      return undefined;
    }
    let limit: { type: string; detail: string } | undefined;
    if (!Array.isArray(types)) limit = this.idTooLongFor(types, id, mm, context);
    else for (let i = 0; i < types.length && !limit; i++) limit = this.idTooLongFor(types[i], id, mm, context);
    if (limit) {
      errors.add('idTooLongForType', { value: rawId, ...limit }, at);
      return undefined;
    }
    return { id, explicitId: true, layer, key: undefined, dictKey };
  }

  /** A type whose class limits the length of identifiers (an Interface's: 128 characters) that this one passes. */
  private idTooLongFor(
    type: JsonValue,
    id: string,
    mm: Metamodel,
    context: ActiveContext,
  ): { type: string; detail: string } | undefined {
    if (typeof type !== 'string') return undefined;
    // "Interface" or its IRI "dtmi:dtdl:class:Interface;3": the same type, the same limit.
    const binding = lookupTerm(type, context);
    const cls = binding?.contextId === context.dtdlContextId ? binding.term : type;
    const max = mm.classes.get(cls as ClassName)?.maxIdLength;
    return max !== undefined && id.length > max ? { type: cls, detail: String(max) } : undefined;
  }

  private resolveTypes(
    obj: JsonObject,
    id: string,
    context: ActiveContext,
    mm: Metamodel,
    site: Site,
    layer: string,
  ):
    | {
        material: ClassName;
        inferred: boolean;
        cotypes: readonly SupplementalTypeDef[];
        invalidCotypes?: readonly SupplementalTypeDef[];
        undefinedCotypes: readonly string[];
        rejectedCotypes?: boolean;
      }
    | undefined {
    const { errors } = this;
    const { parent, property, at } = site;
    const raw = obj['@type'];
    const inferable = property && 'inferredType' in property ? property.inferredType : undefined;

    // Nearly every element has one type, a DTDL class, or none where the class is inferred: decided at once.
    const single = typeof raw === 'string' ? raw : Array.isArray(raw) && raw.length === 1 ? raw[0] : undefined;
    const plain =
      typeof single === 'string' && single !== 'Layer'
        ? lookupTerm(single, context)
        : raw === undefined && inferable
          ? { term: inferable, contextId: context.dtdlContextId }
          : undefined;
    if (plain && plain.contextId === context.dtdlContextId && isConcrete(mm, plain.term)) {
      const material = plain.term;
      if (
        !parent
          ? !mm.rootable.includes(material)
          : property && 'range' in property && !property.range.some((r) => isSubclass(mm, material, r))
      )
        return this.misplacedType(id, material, site);
      return { material, inferred: raw === undefined, cotypes: NO_COTYPES, undefinedCotypes: NO_TERMS };
    }
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
      // The layering extension's co-type, understood wherever it appears (see layering.ts).
      if (name === 'Layer') continue;
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
      if (layer !== '' && names.length > 0 && !failed && this.definitions.has(id)) {
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
      this.reportUndefinedTerms(id, undefinedCotypes, context, at);
      return undefined;
    }
    if (
      !parent
        ? !mm.rootable.includes(material)
        : property && 'range' in property && !property.range.some((r) => isSubclass(mm, material!, r))
    )
      return this.misplacedType(id, material, site);
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
        // Still said: what it lacks besides (Override on a Telemetry, without ValueAnnotation).
        if (!applies && ofThisVersion) this.checkCocotypes(cotype, cotypes, id, at);
        continue;
      }
      for (const excluded of cotype.disallowedCotypes ?? []) {
        if (cotypes.some((c) => c.term === excluded)) {
          errors.add('disallowedCocotype', { primaryId: id, type: cotype.term, value: excluded }, at);
          failed = true;
        }
      }
      if (!this.checkCocotypes(cotype, cotypes, id, at)) failed = true;
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
      cotypes: invalidCotypes.length === 0 ? cotypes : cotypes.filter((c) => !invalidCotypes.includes(c)),
      invalidCotypes,
      undefinedCotypes,
      rejectedCotypes,
    };
  }

  /** A material type that may not stand where the element does (at top level, or as the value of its property). */
  private misplacedType(id: string, material: ClassName, site: Site): undefined {
    const { parent, property, at } = site;
    if (!parent) {
      this.errors.add('typeNotRootable', { value: id }, at);
    } else if (property) {
      this.errors.add(
        'badType',
        { primaryId: parent.id, secondaryId: id, property: property.name, value: material },
        at,
      );
      if (property.minCount > 0)
        this.errors.add('objectCountBelowMin', { primaryId: parent.id, property: property.name }, at);
    }
    return undefined;
  }

  /** A co-type that needs others beside it (Override needs ValueAnnotation): whether it has them. */
  private checkCocotypes(
    cotype: SupplementalTypeDef,
    cotypes: readonly SupplementalTypeDef[],
    id: string,
    at: Located,
  ): boolean {
    let complete = true;
    for (const needed of cotype.requiresCotypes ?? []) {
      if (cotypes.some((c) => c.term === needed)) continue;
      this.errors.add('missingCocotype', { primaryId: id, type: cotype.term, value: needed }, at);
      complete = false;
    }
    return complete;
  }

  /**
   * DTDL v2 tolerates co-types it does not know, as types some extension may define; but an element found
   * invalid for other reasons is reported with them too, as the reference parser does (the unknown type may well
   * be the cause). Not where an undefined extension is in context: there the terms may really be defined.
   */
  reportUndefinedTerms(id: string, undefinedCotypes: readonly string[], context: ActiveContext, at: Located): void {
    if (context.dtdlVersion !== 2 || context.undefinedExtensions.length > 0) return;
    for (const term of undefinedCotypes)
      if (!term.includes(':')) this.errors.add('typeUndefinedTerm', { primaryId: id, value: term }, at);
  }

  private parseProperties(obj: JsonObject, element: ParsedElement, cls: ClassDef | undefined): void {
    const { errors } = this;
    // The properties given so far (a handful: an array is cheaper than a Map for thousands of elements).
    const seen: string[] = [];
    const repeated = this.repeated?.get(pathKey(element.at.path))?.names;
    for (const key in obj) {
      if (key.startsWith('@')) continue;
      const raw = obj[key];
      const binding = lookupTerm(key, element.context);
      const term = binding?.term;
      const def = term ? this.findProperty(term, binding!, element, cls) : undefined;
      if (!def) {
        this.reportUnknownProperty(key, raw, binding, element, locatedAt(element.at, key));
        continue;
      }
      if (seen.includes(def.name)) {
        errors.add('duplicatePropertyName', { primaryId: element.id, property: def.name }, locatedAt(element.at, key));
        continue;
      }
      // Written twice under the same name: JSON kept the last value, which is still read.
      if (repeated?.has(key))
        errors.add('duplicatePropertyName', { primaryId: element.id, property: def.name }, locatedAt(element.at, key));
      // A null value is reported and then counts as absent.
      if (raw !== null) seen.push(def.name);
      // A literal's location is made only if it is reported (LiteralSite); an object's holds its inline values.
      if (def.kind === 'literal') this.parseLiteralProperty(def, raw, element, key);
      else this.parseObjectProperty(def, raw, element, locatedAt(element.at, key));
    }
    // Required properties.
    // Every definition states what its types require, layers included. The reference parser reports a
    // co-type's missing property as the co-type's (by its term) only on the base definition that creates the
    // element; any other definition misses the property itself (named by its IRI).
    const checkRequired = (def: PropertyDef, cotype: SupplementalTypeDef | undefined): void => {
      if (def.minCount === 0) return;
      if (seen.includes(def.name)) return;
      const kind = def.kind === 'literal' ? 'Literal' : 'Object';
      const asCotypes = cotype !== undefined && element.first && element.layer === '';
      errors.add(
        asCotypes ? `missingSupplemental${kind}Property` : `missing${kind}Property`,
        { primaryId: element.id, property: cotype && !asCotypes ? propertyIri(cotype, def.name) : def.name },
        element.at,
      );
    };
    if (cls) for (const def of cls.properties.values()) checkRequired(def, undefined);
    for (const cotype of element.cotypes) for (const def of cotype.properties) checkRequired(def, cotype);
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
        keepExtra(element, key, raw);
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
      keepExtra(element, binding!.term, raw);
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
    if (element.layer !== '' && element.context.mergeDefinitions && !key.includes(':')) return;
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

  private parseLiteralProperty(def: LiteralPropertyDef, raw: JsonValue, element: ParsedElement, key: string): void {
    const site = this.literalSite.reset(element, def.name, key, this.repeated);
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
      const itemAt = Array.isArray(raw) ? locatedAt(at, i) : at;
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
      (isConcrete(METAMODELS[element.dtdlVersion], binding.term) || binding.iri.startsWith('dtmi:dtdl:class:'))
    ) {
      // A class of the language (e.g. 'Double', 'Telemetry') where an element or instance (e.g. 'double') belongs.
      errors.add('badType', { primaryId: element.id, secondaryId: binding.iri, property: def.name, value: text }, at);
      // Found where the reference is resolved, as the reference parser finds it: the value was there.
      this.excused = true;
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

/**
 * Where a literal value stands, for parse/values.ts: reused for every literal, since there are tens of thousands
 * in an ontology and nearly none is reported; its location is made only when asked for.
 */
class LiteralSite {
  dtdlVersion: DtdlVersion = 2;
  elementId: string | undefined;
  property = '';
  repeated: ReadonlySet<string> | undefined;
  private owner: Located = { document: 0, path: [] };
  private key = '';

  constructor(readonly errors: ErrorCollector) {}

  reset(element: ParsedElement, property: string, key: string, repeated: RepeatedMembers | undefined): this {
    this.dtdlVersion = element.dtdlVersion;
    this.elementId = element.id;
    this.property = property;
    this.owner = element.at;
    this.key = key;
    this.repeated = repeated?.get(pathKey([...element.at.path, key]))?.names;
    return this;
  }

  get at(): Located {
    return locatedAt(this.owner, this.key);
  }
}

/** Whether a JSON object has members other than JSON-LD keywords. */
function hasProperties(obj: JsonObject): boolean {
  for (const key in obj) if (!key.startsWith('@')) return true;
  return false;
}

/** No properties of undefined extensions: shared until an element has one (keepExtra). */
const NO_EXTRA: ReadonlyMap<string, JsonValue> = new Map();

/** Keeps a property of an undefined extension on the element being read, giving it a map of its own first. */
function keepExtra(element: ParsedElement, key: string, raw: JsonValue): void {
  if (element.extra === NO_EXTRA) (element as unknown as { extra: Map<string, JsonValue> }).extra = new Map();
  (element.extra as Map<string, JsonValue>).set(key, raw);
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
  if (typeof context === 'string') return versionNamed(context);
  if (!Array.isArray(context)) return undefined;
  for (const item of context) {
    const version = typeof item === 'string' ? versionNamed(item) : undefined;
    if (version !== undefined) return version;
  }
  return undefined;
}

const DTDL_CONTEXT_PREFIX = 'dtmi:dtdl:context;';

/** `dtmi:dtdl:context;3` → 3. */
function versionNamed(item: string): number | undefined {
  if (!item.startsWith(DTDL_CONTEXT_PREFIX)) return undefined;
  const digits = item.slice(DTDL_CONTEXT_PREFIX.length);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
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

/** The IRI of a co-type's property (`dtmi:dtdl:extension:quantitativeTypes:v1:property:unit`), as its context defines it. */
function propertyIri(cotype: SupplementalTypeDef, term: string): string {
  return EXTENSION_CONTEXTS.get(cotype.contextId)?.terms.get(term) ?? term;
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
