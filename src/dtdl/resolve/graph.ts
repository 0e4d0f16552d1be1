/**
 * Linking: one element per identifier, and every reference checked against what it points to.
 * The result is an element graph in which each reference is either a standard element (a term) or
 * an element defined in this set or among the already-known models.
 */
import type { ErrorCollector } from '../dtdl-errors';
import { EXTENSION_SCHEMAS, unitsOf } from '../extensions';
import { isSubclass, METAMODELS, type ObjectPropertyDef } from '../metamodel';
import type { ObjectRef, ParsedElement } from '../parse/element';
import { mergeDefinitions } from './layers';

export interface ElementGraph {
  readonly elements: ReadonlyMap<string, ParsedElement>;
  /** DTMIs referenced (dependently) but defined nowhere. */
  readonly undefinedIds: ReadonlyMap<string, { referencedBy: string; property: string }[]>;
}

export interface KnownElements {
  get(id: string): ParsedElement | undefined;
}

export function linkElements(
  parsed: readonly ParsedElement[],
  known: KnownElements,
  errors: ErrorCollector,
): ElementGraph {
  // One element per identifier: an element defined in several places (layers) is the merge of its definitions.
  const elements = mergeDefinitions(parsed, errors);

  const undefinedIds = new Map<string, { referencedBy: string; property: string }[]>();
  elements.forEach((el) => {
    if (!el.type) return;
    const mm = METAMODELS[el.dtdlVersion];
    const cls = mm.classes.get(el.type)!;
    el.objects.forEach((refs, property) => {
      const def = (cls.properties.get(property) ??
        el.cotypes.flatMap((c) => c.properties).find((p) => p.name === property)) as
        (ObjectPropertyDef & { unitType?: string }) | undefined;
      if (!def) return;
      const kept: ObjectRef[] = [];
      let wrongType = false;
      for (const ref of refs) {
        const verdict = checkReference(el, def, ref, elements, known, undefinedIds, errors);
        if (verdict === true) kept.push(ref);
        else if (verdict === 'wrongType') wrongType = true;
      }
      if (kept.length !== refs.length) {
        el.objects.set(property, kept);
        // A value of the wrong type leaves a required property short, which is its own error.
        if (wrongType && kept.length < def.minCount)
          errors.add('propertyCountBelowMin', { primaryId: el.id, property }, el.at);
      }
    });
  });
  return { elements, undefinedIds };
}

function checkReference(
  el: ParsedElement,
  def: ObjectPropertyDef & { unitType?: string },
  ref: ObjectRef,
  elements: Map<string, ParsedElement>,
  known: KnownElements,
  undefinedIds: Map<string, { referencedBy: string; property: string }[]>,
  errors: ErrorCollector,
): boolean | 'wrongType' {
  const mm = METAMODELS[el.dtdlVersion];
  const primaryId = el.id;
  const property = def.name;
  if (ref.kind === 'term') {
    return checkTermReference(el, def, ref.target, errors, ref);
  }
  if (def.nonDependent && !elements.has(ref.target) && !known.get(ref.target)) return true;
  const target = elements.get(ref.target) ?? known.get(ref.target);
  if (!target) {
    const list = undefinedIds.get(ref.target) ?? [];
    list.push({ referencedBy: el.id, property });
    undefinedIds.set(ref.target, list);
    return true;
  }
  if (!target.type) return false;
  if (
    !def.range.some(
      (r) => isSubclass(mm, target.type!, r) || isSubclass(METAMODELS[target.dtdlVersion], target.type!, r),
    )
  ) {
    errors.add('badType', { primaryId, secondaryId: target.id, property, value: target.type }, ref.at);
    return 'wrongType';
  }
  if (!ref.inline && target.partition !== target.id && target.partition !== el.partition) {
    errors.add(
      'crossPartitionReference',
      { primaryId, secondaryId: target.id, property, value: target.partition },
      ref.at,
    );
    return false;
  }
  if (!ref.inline && !def.rangeVersions.includes(target.dtdlVersion)) {
    errors.add(
      'disallowedVersionReference',
      { primaryId, secondaryId: target.id, property, value: target.dtdlVersion },
      ref.at,
    );
    // DTDL v2 knows no later version: as when a v2 element contains a v3 definition (jsonld-context.ts), the
    // referenced definition's context is not one v2 recognizes.
    if (el.dtdlVersion === 2 && target.dtdlVersion === 3)
      errors.add('unrecognizedContextVersion', { value: target.context.dtdlContextId }, target.at);
    return false;
  }
  return true;
}

/** A term in an object position names a standard element: a primitive schema, a unit, a command type. */
function checkTermReference(
  el: ParsedElement,
  def: ObjectPropertyDef & { unitType?: string },
  term: string,
  errors: ErrorCollector,
  ref: ObjectRef,
): boolean | 'wrongType' {
  const mm = METAMODELS[el.dtdlVersion];
  const primaryId = el.id;
  const property = def.name;
  const standard = mm.standardSchemas.get(term);
  if (def.unitType !== undefined) {
    const vocabulary = unitsOf(
      el.dtdlVersion === 2 ? 'dtmi:dtdl:context;2' : 'dtmi:dtdl:extension:quantitativeTypes;1',
    );
    const unitTypes = vocabulary?.units.get(term);
    if (unitTypes?.includes(def.unitType)) return true;
    // Not a unit of the semantic type's unit type (or not a unit at all): the value has the wrong parent.
    const secondaryId = standard?.id ?? term;
    errors.add(
      el.dtdlVersion === 2 ? 'notRequiredType' : 'badType',
      { primaryId, secondaryId, property, type: def.unitType, value: term },
      ref.at,
    );
    errors.add('wrongParent', { primaryId, secondaryId, property, value: def.unitType }, ref.at);
    return false;
  }
  if (def.allowedInstances) {
    if (!def.allowedInstances.includes(term) && def.instancesOfClass !== undefined && standard) {
      // The instance of another class (MapKey.schema 'integer' is an Integer, not a String).
      const cls = term[0].toUpperCase() + term.slice(1);
      errors.add('badType', { primaryId, secondaryId: standard.id, property, value: cls }, ref.at);
      return 'wrongType';
    }
    if (!def.allowedInstances.includes(term)) {
      errors.add('incorrectPropertyValue', { primaryId, property, value: term }, ref.at);
      return false;
    }
    return true;
  }
  const schemaPosition = def.range.some((r) => r === 'Schema' || r === 'PrimitiveSchema' || r === 'ComplexSchema');
  const extensionSchema = EXTENSION_SCHEMAS.get(term);
  const extensionActive =
    extensionSchema !== undefined && el.context.extensions.some((e) => e.id === extensionSchema.contextId);
  if (schemaPosition && (standard || extensionActive || isUnitTypeSchema(el, term))) return true;
  errors.add('badDtmiOrTerm', { primaryId, property, value: term, detail: String(el.dtdlVersion) }, ref.at);
  return 'wrongType';
}

/** In v3 with quantitativeTypes, a unit type (e.g. TemperatureUnit) may be used as a string-valued enum schema. */
function isUnitTypeSchema(el: ParsedElement, term: string): boolean {
  const qt = unitsOf('dtmi:dtdl:extension:quantitativeTypes;1');
  const known = qt !== undefined && (qt.unitTypes.has(term) || qt.aliases.has(term));
  return known && el.context.extensions.some((e) => e.id.startsWith('dtmi:dtdl:extension:quantitativeTypes;'));
}
