/**
 * Whole-model rules that need the linked graph: unique names across `extends`, cycles and depth
 * limits of `extends` and of complex schemas, components that may not nest, enum values that match
 * their schema, semantic types on numeric schemas, annotations that point at real siblings.
 */
import type { ErrorCollector } from '../dtdl-errors';
import type { SupplementalTypeDef } from '../extensions';
import { QUANTITATIVE_TYPES_V1 } from '../vocabulary/quantitative';
import { METAMODELS, metamodelFor } from '../metamodel';
import type { ObjectRef, ParsedElement } from '../parse/element';
import type { LangString } from '../parse/values';
import type { ElementGraph } from '../resolve/graph';

type Lookup = (id: string) => ParsedElement | undefined;

export function validateStructure(graph: ElementGraph, lookup: Lookup, errors: ErrorCollector): void {
  const partitionSizes = new Map<string, number>();
  graph.elements.forEach((el) => partitionSizes.set(el.partition, (partitionSizes.get(el.partition) ?? 0) + 1));
  const inheritance = new Inheritance(lookup, partitionSizes);
  graph.elements.forEach((el) => {
    switch (el.type) {
      case 'Interface':
        checkInterface(el, lookup, inheritance, errors);
        break;
      case 'Enum':
        checkEnum(el, lookup, errors);
        break;
      case 'Object':
        checkUniqueNames(el, 'fields', lookup, errors);
        break;
      case 'Relationship':
        checkUniqueNames(el, 'properties', lookup, errors);
        break;
      default:
        break;
    }
    // An Enum contains no schemas: it ends a path, counted by the schema that contains it.
    if (el.type === 'Array' || el.type === 'Map' || el.type === 'Object') checkSchemaDepth(el, lookup, errors);
    if (el.type === 'Property' && el.dtdlVersion === 2) checkNoArrayInV2Property(el, lookup, errors);
    if (el.cotypes.some((c) => c.semantic)) checkSemanticSchema(el, errors);
    for (const cotype of el.cotypes) {
      if (cotype.requiredSchema) checkRequiredSchema(el, cotype.requiredSchema, lookup, errors);
      if (cotype.parentConstraint) checkParent(el, cotype, lookup, errors);
      if (cotype.childCotypes) checkChildCotypes(el, cotype.childCotypes, lookup, errors);
      for (const property of cotype.properties)
        if (property.conformsToSchema) checkConformsToSchema(el, property.name, errors);
    }
    if (el.type === 'Interface' || el.type === 'Object' || el.type === 'Enum') checkUniqueIndexes(el, lookup, errors);
  });
}

const refsOf = (el: ParsedElement, property: string): readonly ObjectRef[] => el.objects.get(property) ?? [];
const idRefs = (el: ParsedElement, property: string): string[] =>
  refsOf(el, property)
    .filter((r) => r.kind === 'id')
    .map((r) => r.target);
const nameOf = (el: ParsedElement | undefined): string | undefined => el?.literals.get('name') as string | undefined;

/**
 * Names are unique among an Interface's `contents`, an Enum's `enumValues`, an Object's `fields` and a
 * Relationship's `properties`; returns name → element id. Two inline values without @id that share a
 * name get the same generated id (`…:_fields:__x;1`), so the second one never became an element of its
 * own: it shows here as the same element referenced twice.
 */
function checkUniqueNames(
  el: ParsedElement,
  property: string,
  lookup: Lookup,
  errors: ErrorCollector,
): Map<string, string> {
  const seen = new Map<string, string>();
  for (const ref of refsOf(el, property)) {
    const name = nameOf(lookup(ref.target));
    if (name === undefined) continue;
    const previous = seen.get(name);
    if (previous === undefined) {
      seen.set(name, ref.target);
      continue;
    }
    // One explicit id given twice is a duplicate definition instead, reported when linking.
    if (previous !== ref.target || (ref.inline && ref.target.includes(`:_${property}:__`)))
      errors.add('nonUniquePropertyValue', { primaryId: el.id, property, value: name }, ref.at);
  }
  return seen;
}

/** contents names, extends cycles/depth/count, component rules. */
function checkInterface(el: ParsedElement, lookup: Lookup, inheritance: Inheritance, errors: ErrorCollector): void {
  const own = checkUniqueNames(el, 'contents', lookup, errors);

  // extends: cycles, depth and total (memoised over the whole graph: ontologies share deep hierarchies).
  const mm = metamodelFor(el.dtdlVersion, el.context.limits);
  const info = inheritance.of(el.id);
  if (info.cyclic) {
    if (info.onCycle) errors.add('recursiveStructureNarrow', { primaryId: el.id, property: "'extends'" }, el.at);
    return;
  }
  if (info.depth > mm.maxExtendsDepth)
    errors.add('excessiveDepthNarrow', { primaryId: el.id, secondaryId: info.deepest, property: "'extends'" }, el.at);
  if (mm.maxExtendsTotal !== undefined && info.ancestorCount > mm.maxExtendsTotal) {
    errors.add(
      'excessiveCount',
      { primaryId: el.id, property: "'extends'", detail: String(mm.maxExtendsTotal) },
      el.at,
    );
  }
  if (el.dtdlVersion >= 3) {
    // v3: at most 100,000 elements in an Interface's hierarchy, counting what it inherits.
    let count = info.elementCount;
    for (const a of inheritance.ancestorsOf(el.id)) count += inheritance.of(a).elementCount;
    if (count > MAX_ELEMENTS_V3)
      errors.add(
        'excessiveCount',
        { primaryId: el.id, property: "'contents' and the schemas below them", detail: String(MAX_ELEMENTS_V3) },
        el.at,
      );
  }

  // Names inherited through extends must not clash with own names or with each other; the same
  // content reached along two paths (a diamond) is one content, not a clash.
  const bases = idRefs(el, 'extends');
  if (bases.length === 1) {
    // One base (the common case): only own names can clash, with a name some ancestor has.
    for (const name of own.keys()) {
      if (inheritance.inherits(el.id, name)) {
        errors.add(
          'nonUniqueImportedPropertyValue',
          { primaryId: el.id, secondaryId: bases[0], property: 'contents', value: name },
          el.at,
        );
      }
    }
  } else if (bases.length > 1) {
    const inherited = new Map<string, { base: string; contentId: string }>();
    for (const base of bases) {
      for (const [name, contentId] of inheritance.contents(base)) {
        const previous = inherited.get(name);
        if (own.has(name)) {
          errors.add(
            'nonUniqueImportedPropertyValue',
            { primaryId: el.id, secondaryId: base, property: 'contents', value: name },
            el.at,
          );
        } else if (previous && previous.contentId !== contentId) {
          errors.add(
            'nonUniqueImportedPropertyValue',
            { primaryId: el.id, secondaryId: `${previous.base} ${base}`, property: 'contents', value: name },
            el.at,
          );
        } else inherited.set(name, { base, contentId });
      }
    }
  }

  if (info.hasAnnotations) checkAnnotations(el, inheritance, lookup, errors);

  // Components: no nesting, no self-containment.
  for (const ref of refsOf(el, 'contents')) {
    const content = lookup(ref.target);
    if (content?.type !== 'Component') continue;
    for (const schemaId of idRefs(content, 'schema')) {
      if (reaches(schemaId, el.id, lookup)) {
        errors.add(
          'excludedType',
          { primaryId: content.id, secondaryId: content.id, property: "'schema' or 'contents'" },
          content.at,
        );
        errors.add('recursiveStructureNarrow', { primaryId: el.id, property: "'contents' or 'schema'" }, content.at);
        continue;
      }
      const nested = findComponent(schemaId, lookup, new Set());
      if (nested)
        errors.add(
          'excludedType',
          { primaryId: content.id, secondaryId: nested, property: "'schema' or 'contents'" },
          content.at,
        );
    }
  }
}

interface InheritanceInfo {
  /** Reaches a cycle through extends (itself on it or not). */
  readonly cyclic: boolean;
  /** Is itself on a cycle. */
  readonly onCycle: boolean;
  /** Longest extends path below this interface, and the interface at its end. */
  readonly depth: number;
  readonly deepest?: string;
  readonly ancestorCount: number;
  readonly bases: readonly string[];
  /** name → content id, own contents only. */
  readonly own: ReadonlyMap<string, string>;
  /** Some own or inherited content is a ValueAnnotation. */
  readonly hasAnnotations: boolean;
  /** Own contents that are ValueAnnotations, in order. */
  readonly ownAnnotations: readonly string[];
  /** Elements defined within this interface (its partition), itself excluded. */
  readonly elementCount: number;
}

const MAX_ELEMENTS_V3 = 100_000;

/**
 * Extends facts per interface, computed once each (a DFS with an on-stack set finds cycles). Full
 * inherited content maps are built only where needed (several bases, annotations): ontologies such as
 * Willow have thousands of interfaces with hundreds of inherited contents each.
 */
class Inheritance {
  private readonly done = new Map<string, InheritanceInfo>();
  private readonly full = new Map<string, ReadonlyMap<string, string>>();
  private readonly annotationLists = new Map<string, readonly string[]>();
  /** name → the interfaces whose own contents have it, as their contents are read. */
  private readonly definers = new Map<string, string[]>();
  private readonly outcomes = new Map<ParsedElement, Map<ParsedElement, OverrideOutcome | undefined>>();
  private readonly ancestorSets = new Map<string, ReadonlySet<string>>();
  private readonly stack: string[] = [];
  private readonly cycleMembers = new Set<string>();
  constructor(
    private readonly lookup: Lookup,
    /** Interface id → number of elements defined within it. */
    private readonly partitionSizes: ReadonlyMap<string, number>,
  ) {}

  ancestorsOf(id: string): ReadonlySet<string> {
    return this.ancestors(id, this.of(id).bases);
  }

  of(id: string): InheritanceInfo {
    const cached = this.done.get(id);
    if (cached) return cached;
    const onStack = this.stack.indexOf(id);
    if (onStack >= 0) {
      // Everything from the first occurrence up is on a cycle.
      for (const member of this.stack.slice(onStack)) this.cycleMembers.add(member);
      return {
        cyclic: true,
        onCycle: true,
        depth: 0,
        ancestorCount: 0,
        bases: [],
        own: new Map(),
        hasAnnotations: false,
        ownAnnotations: [],
        elementCount: 0,
      };
    }
    const iface = this.lookup(id);
    this.stack.push(id);
    let cyclic = false;
    let depth = 0;
    let deepest: string | undefined;
    const own = new Map<string, string>();
    const ownAnnotations: string[] = [];
    for (const ref of iface ? refsOf(iface, 'contents') : []) {
      const content = this.lookup(ref.target);
      const name = nameOf(content);
      if (name !== undefined && !own.has(name)) {
        own.set(name, ref.target);
        const list = this.definers.get(name);
        if (list) list.push(id);
        else this.definers.set(name, [id]);
      }
      if (content && isAnnotation(content)) ownAnnotations.push(ref.target);
    }
    let hasAnnotations = ownAnnotations.length > 0;
    const bases = iface ? idRefs(iface, 'extends') : [];
    for (const base of bases) {
      const info = this.of(base);
      if (info.cyclic) cyclic = true;
      if (info.hasAnnotations) hasAnnotations = true;
      if (info.depth + 1 > depth) {
        depth = info.depth + 1;
        deepest = info.deepest ?? base;
      }
    }
    this.stack.pop();
    const ancestorCount = cyclic ? 0 : this.ancestors(id, bases).size;
    const elementCount = Math.max(0, (this.partitionSizes.get(id) ?? 1) - 1);
    const result: InheritanceInfo = {
      cyclic,
      onCycle: this.cycleMembers.has(id),
      depth,
      deepest,
      ancestorCount,
      bases,
      own,
      hasAnnotations,
      ownAnnotations,
      elementCount,
    };
    this.done.set(id, result);
    return result;
  }

  private ancestors(id: string, bases: readonly string[]): ReadonlySet<string> {
    let set = this.ancestorSets.get(id);
    if (!set) {
      const all = new Set<string>();
      for (const base of bases) {
        all.add(base);
        for (const a of this.ancestors(base, this.of(base).bases)) all.add(a);
      }
      set = all;
      this.ancestorSets.set(id, set);
    }
    return set;
  }

  /**
   * Whether some ancestor of an interface has a content of this name: looked up among the interfaces that have
   * one (a name is usually had by few), rather than up every interface's chain of bases.
   */
  inherits(id: string, name: string): boolean {
    const ancestors = this.ancestorsOf(id);
    for (const definer of this.definers.get(name) ?? []) if (definer !== id && ancestors.has(definer)) return true;
    return false;
  }

  /** The content an interface has, or inherits, under a name. */
  find(id: string, name: string): string | undefined {
    const info = this.of(id);
    const mine = info.own.get(name);
    if (mine !== undefined) return mine;
    for (const base of info.bases) {
      const found = this.find(base, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /**
   * The ValueAnnotations an interface has, own and inherited, in the order its contents are (own first, then
   * each base's), each once; an annotation whose name another content takes is not among them.
   */
  annotations(id: string): readonly string[] {
    let list = this.annotationLists.get(id);
    if (!list) {
      const info = this.of(id);
      const all = new Set(info.ownAnnotations);
      for (const base of info.bases) for (const a of this.annotations(base)) all.add(a);
      list = [...all].filter((a) => {
        const name = nameOf(this.lookup(a));
        return name !== undefined && this.find(id, name) === a;
      });
      this.annotationLists.set(id, list);
    }
    return list;
  }

  /** checkAnnotationTarget, once for each annotation and target however many interfaces inherit both. */
  annotationOutcome(
    annotator: ParsedElement,
    target: ParsedElement,
    targetName: string,
    errors: ErrorCollector,
  ): OverrideOutcome | undefined {
    // Keyed by the elements themselves: no key string to build for every interface that inherits the pair.
    let byTarget = this.outcomes.get(annotator);
    if (!byTarget) this.outcomes.set(annotator, (byTarget = new Map()));
    if (byTarget.has(target)) return byTarget.get(target);
    const outcome = checkAnnotationTarget(annotator, target, targetName, errors);
    byTarget.set(target, outcome);
    return outcome;
  }

  /** name → content id, own and inherited (nearest wins), built on demand. */
  contents(id: string): ReadonlyMap<string, string> {
    let map = this.full.get(id);
    if (!map) {
      const info = this.of(id);
      const all = new Map(info.own);
      for (const base of info.bases) for (const [n, c] of this.contents(base)) if (!all.has(n)) all.set(n, c);
      map = all;
      this.full.set(id, map);
    }
    return map;
  }
}

function isAnnotation(content: ParsedElement): boolean {
  return (
    content.cotypes.some((t) => t.term === 'ValueAnnotation') ||
    content.invalidCotypes.some((t) => t.term === 'ValueAnnotation')
  );
}

/**
 * ValueAnnotation and Override (annotation and overriding extensions): `annotates` names a sibling
 * Property or Telemetry (own or inherited) that is not itself an annotation; `overrides` names one of
 * that sibling's supplemental properties, once, with a schema that fits it.
 */
function checkAnnotations(el: ParsedElement, inheritance: Inheritance, lookup: Lookup, errors: ErrorCollector): void {
  const overridden = new Set<string>();
  // Only the annotations, found without assembling every inherited content (an ontology's interfaces inherit
  // hundreds); names resolve as in the full contents, nearest first. An annotation inherited by many interfaces
  // reaches the same target in each: what it says of its target is worked out once (annotationOutcome).
  for (const contentId of inheritance.annotations(el.id)) {
    const annotator = lookup(contentId);
    if (!annotator) continue;
    const targetName = annotator.literals.get('annotates');
    if (typeof targetName !== 'string') continue;
    const targetId = inheritance.find(el.id, targetName);
    const target = targetId ? lookup(targetId) : undefined;
    if (!target) continue;
    const outcome = inheritance.annotationOutcome(annotator, target, targetName, errors);
    if (!outcome) continue;
    // Two overrides of one property of one target among an interface's contents, own or inherited.
    const key = `${target.id}|${outcome.property}`;
    if (overridden.has(key)) {
      errors.add(
        'multipleReference',
        { primaryId: el.id, secondaryId: outcome.overridesIri, property: 'contents', value: outcome.property },
        annotator.at,
      );
    }
    overridden.add(key);
  }
}

/** What an annotation overrides on its target, once it is known to be a valid override. */
interface OverrideOutcome {
  readonly property: string;
  readonly overridesIri: string;
}

/**
 * The rules between a ValueAnnotation and the content it annotates: a Property or Telemetry that is not an
 * annotation itself; an Override names one of the target's supplemental properties, with a schema that fits a
 * unit. Returns the override, if the annotation is a valid one.
 */
function checkAnnotationTarget(
  annotator: ParsedElement,
  target: ParsedElement,
  targetName: string,
  errors: ErrorCollector,
): OverrideOutcome | undefined {
  const annotatorTypes = [...annotator.cotypes, ...annotator.invalidCotypes];
  if (!annotatorTypes.some((t) => t.term === 'ValueAnnotation')) return undefined;
  const fields = { primaryId: annotator.id, secondaryId: target.id, property: 'annotates', value: targetName };
  if (target.type !== 'Property' && target.type !== 'Telemetry') {
    errors.add('notSiblingRequiredType', { ...fields, type: 'Property or Telemetry' }, annotator.at);
    return undefined;
  }
  if (target.cotypes.some((t) => t.term === 'ValueAnnotation')) {
    errors.add('disallowedType', { ...fields, type: 'ValueAnnotation' }, annotator.at);
    return undefined;
  }
  const override = annotatorTypes.find((t) => t.term === 'Override');
  const property = annotator.literals.get('overrides') ?? annotator.extra.get('overrides');
  if (!override || typeof property !== 'string') return undefined;
  const supplemental = target.cotypes.flatMap((t) => t.properties.map((p) => p.name));
  if (!supplemental.includes(property)) {
    const material = target.type
      ? METAMODELS[target.dtdlVersion].classes.get(target.type)?.properties.has(property)
      : false;
    errors.add(
      material ? 'matchingPropertyNotSupplemental' : 'noMatchingSupplementalProperty',
      { ...fields, value: property },
      annotator.at,
    );
    return undefined;
  }
  if (property === 'unit') {
    const unitType = target.cotypes.find((t) => t.semantic)?.unitType;
    const schema = refsOf(annotator, 'schema')[0];
    const schemaUnitType =
      schema?.kind === 'term' ? (QUANTITATIVE_TYPES_V1.aliases.get(schema.target) ?? schema.target) : undefined;
    if (unitType && schema?.kind === 'term' && schemaUnitType !== unitType) {
      errors.add(
        'siblingPropertyMismatch',
        { primaryId: annotator.id, property: 'schema', value: schema.target },
        annotator.at,
      );
    }
  }
  const overridesIri = `${override.contextId.replace(/^dtmi:dtdl:extension:overriding;(\d+)$/, 'dtmi:dtdl:extension:overriding:v$1')}:Override:overrides`;
  return { property, overridesIri };
}

/** Whether `from` (an Interface) contains, through components or extends, the interface `to`. */
function reaches(from: string, to: string, lookup: Lookup, visiting = new Set<string>()): boolean {
  if (from === to) return true;
  if (visiting.has(from)) return false;
  visiting.add(from);
  const iface = lookup(from);
  if (!iface) return false;
  for (const base of idRefs(iface, 'extends')) if (reaches(base, to, lookup, visiting)) return true;
  for (const ref of refsOf(iface, 'contents')) {
    const content = lookup(ref.target);
    if (content?.type === 'Component')
      for (const s of idRefs(content, 'schema')) if (reaches(s, to, lookup, visiting)) return true;
  }
  return false;
}

function findComponent(interfaceId: string, lookup: Lookup, visiting: Set<string>): string | undefined {
  if (visiting.has(interfaceId)) return undefined;
  visiting.add(interfaceId);
  const iface = lookup(interfaceId);
  if (!iface) return undefined;
  for (const ref of refsOf(iface, 'contents')) if (lookup(ref.target)?.type === 'Component') return ref.target;
  for (const base of idRefs(iface, 'extends')) {
    const found = findComponent(base, lookup, visiting);
    if (found) return found;
  }
  return undefined;
}

/** Child schemas of a complex schema, as element ids. */
function childSchemas(el: ParsedElement, lookup: Lookup): string[] {
  return childSchemaRefs(el, lookup)
    .filter((r) => r.kind === 'id')
    .map((r) => r.target);
}

/** Child schemas of a complex schema, standard ones (terms) included. */
function childSchemaRefs(el: ParsedElement, lookup: Lookup): readonly ObjectRef[] {
  switch (el.type) {
    case 'Array':
      return refsOf(el, 'elementSchema');
    case 'Map': {
      const value = lookup(idRefs(el, 'mapValue')[0] ?? '');
      return value ? refsOf(value, 'schema') : [];
    }
    case 'Object':
      return idRefs(el, 'fields').flatMap((f) => {
        const field = lookup(f);
        return field ? refsOf(field, 'schema') : [];
      });
    default:
      return [];
  }
}

/**
 * Nesting of complex schemas is limited (v3: 5 levels, v4: 8, or what a limit extension allows). Before v4 a
 * schema may not contain itself; a v4 schema may (DTDL.v4.md §Complex schema), and its depth is counted along
 * paths that do not return to a schema already on them.
 */
function checkSchemaDepth(el: ParsedElement, lookup: Lookup, errors: ErrorCollector): void {
  const mm = metamodelFor(el.dtdlVersion, el.context.limits);
  const max = mm.maxSchemaDepth;
  let deepest: string | undefined;
  let recursive = false;
  // The schemas on the path from el (a handful: nesting is limited), as an array.
  const walk = (id: string, depth: number, path: string[]): void => {
    const schema = lookup(id);
    if (!schema) return;
    for (const child of childSchemas(schema, lookup)) {
      if (path.includes(child)) {
        recursive = true;
        continue;
      }
      const childEl = lookup(child);
      if (!childEl || childEl.type === 'Enum') {
        if (childEl && depth + 1 >= max + 1 && deepest === undefined) deepest = child;
        continue;
      }
      if (depth + 1 >= max && deepest === undefined) deepest = child;
      if ((recursive && !mm.selfReferentialSchemas) || deepest) continue;
      path.push(child);
      walk(child, depth + 1, path);
      path.pop();
    }
  };
  walk(el.id, 0, [el.id]);
  if (recursive && !mm.selfReferentialSchemas) errors.add('recursiveStructureWide', { primaryId: el.id }, el.at);
  else if (deepest)
    errors.add('excessiveDepthWide', { primaryId: el.id, secondaryId: deepest, detail: String(max) }, el.at);
}

/**
 * DTDL v2: "may not contain Array in hierarchy" for a Property's schema. The geospatial schemas are
 * GeoJSON objects whose coordinates are Arrays, so they are excluded too (v2 §Geospatial schemas:
 * "geospatial types cannot be used in Property schemas, but can be used in Telemetry and Command
 * schemas"); the reference parser names the coordinates Array, and so do we.
 */
function checkNoArrayInV2Property(el: ParsedElement, lookup: Lookup, errors: ErrorCollector): void {
  const mm = METAMODELS[2];
  const seen = new Set<string>();
  const visit = (ref: ObjectRef): string | undefined => {
    if (ref.kind === 'term') return mm.standardSchemas.get(ref.target)?.coordinatesId;
    if (seen.has(ref.target)) return undefined;
    seen.add(ref.target);
    const schema = lookup(ref.target);
    if (!schema) return undefined;
    if (schema.type === 'Array') return schema.id;
    for (const child of childSchemaRefs(schema, lookup)) {
      const found = visit(child);
      if (found) return found;
    }
    return undefined;
  };
  for (const ref of refsOf(el, 'schema')) {
    const array = visit(ref);
    if (array) errors.add('excludedType', { primaryId: el.id, secondaryId: array, property: "'schema'" }, el.at);
  }
}

function checkEnum(el: ParsedElement, lookup: Lookup, errors: ErrorCollector): void {
  checkUniqueNames(el, 'enumValues', lookup, errors);
  const valueSchema = refsOf(el, 'valueSchema')[0]?.target;
  const values = new Set<string | number>();
  const visited = new Set<string>();
  for (const ref of refsOf(el, 'enumValues')) {
    // A name given twice collapses two values into one element, reported above as a name clash.
    if (visited.has(ref.target)) continue;
    visited.add(ref.target);
    const ev = lookup(ref.target);
    if (!ev) continue;
    const value = ev.literals.get('enumValue') as string | number | undefined;
    if (value === undefined) continue;
    if (valueSchema === 'integer' && typeof value !== 'number') {
      errors.add(
        'nonConformantDatatype',
        { primaryId: ev.id, secondaryId: el.id, property: 'enumValue', value: String(value) },
        ev.at,
      );
      continue;
    }
    if (valueSchema === 'string' && typeof value !== 'string') {
      errors.add(
        'nonConformantDatatype',
        { primaryId: ev.id, secondaryId: el.id, property: 'enumValue', value: String(value) },
        ev.at,
      );
      continue;
    }
    if (values.has(value))
      errors.add('nonUniquePropertyValue', { primaryId: el.id, property: 'enumValues', value: String(value) }, ev.at);
    values.add(value);
  }
}

/** Semantic types measure quantities: the schema must be numeric. */
function checkSemanticSchema(el: ParsedElement, errors: ErrorCollector): void {
  const mm = METAMODELS[el.dtdlVersion];
  for (const ref of refsOf(el, 'schema')) {
    const numeric = ref.kind === 'term' ? (mm.standardSchemas.get(ref.target)?.numeric ?? false) : false;
    if (!numeric) {
      const secondaryId = ref.kind === 'term' ? (mm.standardSchemas.get(ref.target)?.id ?? ref.target) : ref.target;
      errors.add(
        'notRequiredType',
        { primaryId: el.id, secondaryId, property: 'schema', type: 'NumericSchema' },
        ref.at,
      );
    }
  }
}

/** A co-type that requires a particular schema (IoT Central: vector, geopoint, an Enum, …). */
function checkRequiredSchema(
  el: ParsedElement,
  required: NonNullable<SupplementalTypeDef['requiredSchema']>,
  lookup: Lookup,
  errors: ErrorCollector,
): void {
  const mm = METAMODELS[el.dtdlVersion];
  for (const ref of refsOf(el, 'schema')) {
    const secondaryId = ref.kind === 'term' ? (mm.standardSchemas.get(ref.target)?.id ?? ref.target) : ref.target;
    if (required.instances !== undefined) {
      if (ref.kind !== 'term' || !required.instances.includes(ref.target))
        errors.add(
          'notRequiredValue',
          { primaryId: el.id, secondaryId, property: 'schema', value: required.label },
          ref.at,
        );
    } else if (required.enum) {
      if (ref.kind !== 'id' || lookup(ref.target)?.type !== 'Enum')
        errors.add(
          'notRequiredType',
          { primaryId: el.id, secondaryId, property: 'schema', type: required.label },
          ref.at,
        );
    } else if (required.numeric) {
      if (ref.kind !== 'term' || !mm.standardSchemas.get(ref.target)?.numeric)
        errors.add(
          'notRequiredType',
          { primaryId: el.id, secondaryId, property: 'schema', type: required.label },
          ref.at,
        );
    } else if (required.object) {
      const schema = ref.kind === 'id' ? lookup(ref.target) : undefined;
      const { cotype } = required.object;
      if (schema?.type !== 'Object' || (cotype !== undefined && !schema.cotypes.some((c) => c.term === cotype)))
        errors.add(
          'notRequiredType',
          { primaryId: el.id, secondaryId, property: 'schema', type: required.label },
          ref.at,
        );
    } else if (required.string) {
      if (ref.kind !== 'term' || ref.target !== 'string')
        errors.add(
          'notRequiredType',
          { primaryId: el.id, secondaryId, property: 'schema', type: required.label },
          ref.at,
        );
    } else if (required.numericOrString) {
      const ok = ref.kind === 'term' && (mm.standardSchemas.get(ref.target)?.numeric || ref.target === 'string');
      if (!ok)
        errors.add(
          'notRequiredType',
          { primaryId: el.id, secondaryId, property: 'schema', type: required.label },
          ref.at,
        );
    }
  }
}

/**
 * A co-type that must stand under a parent of a given co-type (an IoT Operations Subject is a field of a Detail
 * Object), and, if so, be the only one of its kind there.
 */
function checkParent(el: ParsedElement, cotype: SupplementalTypeDef, lookup: Lookup, errors: ErrorCollector): void {
  const { property, cotype: parentCotype, unique } = cotype.parentConstraint!;
  const parent = el.parent?.property === property ? lookup(el.parent.id) : undefined;
  const fields = { primaryId: el.id, secondaryId: parent?.id, property, type: cotype.term, value: parentCotype };
  if (!parent || !parent.cotypes.some((c) => c.term === parentCotype)) {
    errors.add('parentMissingCotype', fields, el.at);
    return;
  }
  if (!unique) return;
  const siblings = new Set(refsOf(parent, property).map((r) => r.target));
  const first = [...siblings].find((id) => lookup(id)?.cotypes.includes(cotype));
  if (first !== el.id) errors.add('siblingDuplicatesCotype', { ...fields, secondaryId: first }, el.at);
}

/** Every value of a property must carry one of some co-types (an MQTT Result Object's fields). */
function checkChildCotypes(
  el: ParsedElement,
  rule: NonNullable<SupplementalTypeDef['childCotypes']>,
  lookup: Lookup,
  errors: ErrorCollector,
): void {
  for (const ref of refsOf(el, rule.property)) {
    const child = lookup(ref.target);
    if (!child || child.cotypes.some((c) => rule.anyOf.includes(c.term))) continue;
    errors.add(
      'notRequiredType',
      { primaryId: el.id, secondaryId: child.id, property: rule.property, type: rule.anyOf.join(' or ') },
      ref.at,
    );
  }
}

/** Integral DTDL schemas: a value of one is a whole number. */
const INTEGRAL = new Set([
  'integer',
  'long',
  'byte',
  'short',
  'unsignedByte',
  'unsignedShort',
  'unsignedInteger',
  'unsignedLong',
]);

/** A supplemental property whose value is a value of the element's schema (IoT Operations' maximum, scaleFactor). */
function checkConformsToSchema(el: ParsedElement, property: string, errors: ErrorCollector): void {
  const value = el.literals.get(property);
  if (typeof value !== 'number') return;
  const schema = refsOf(el, 'schema')[0];
  const standard = schema?.kind === 'term' ? METAMODELS[el.dtdlVersion].standardSchemas.get(schema.target) : undefined;
  const conforms = standard?.numeric === true && (!INTEGRAL.has(standard.term) || Number.isInteger(value));
  if (!conforms)
    errors.add(
      'nonConformantPropertyValue',
      { primaryId: el.id, secondaryId: schema?.target, property, value: String(value) },
      el.at,
    );
}

/** MQTT `index` values are unique among the siblings of one property. */
function checkUniqueIndexes(el: ParsedElement, lookup: Lookup, errors: ErrorCollector): void {
  const property = el.type === 'Interface' ? 'contents' : el.type === 'Object' ? 'fields' : 'enumValues';
  // index → the value that has it; made only once a value has an index (few models use them).
  let seen: Map<number, string> | undefined;
  for (const ref of refsOf(el, property)) {
    const index = lookup(ref.target)?.literals.get('index');
    if (typeof index !== 'number') continue;
    seen ??= new Map();
    const first = seen.get(index);
    if (first === undefined) seen.set(index, ref.target);
    // The same value listed twice is one value (a name given twice is reported as such).
    else if (first !== ref.target)
      errors.add('nonUniquePropertyValue', { primaryId: el.id, property, value: index }, ref.at);
  }
}

export type { LangString };
