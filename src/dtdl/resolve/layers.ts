/**
 * Merging the definitions of one element (its base definition and its layers, parse/layering.ts) into the
 * element, in the order they were read. The first definition gives the element its identity, place and values;
 * each later one adds what it says, and may not contradict it: a different value for a single-valued property,
 * a different parent. Values of plural properties accumulate, within the property's limit.
 *
 * Definitions that could not join their element at all (a duplicate layer, another DTDL version, another type)
 * were set aside while reading; what is merged here only ever comes from definitions that fit.
 */
import type { ErrorCollector } from '../dtdl-errors';
import type { SupplementalPropertyDef } from '../extensions';
import { METAMODELS, type ObjectPropertyDef } from '../metamodel';
import type { ObjectRef, ParsedElement } from '../parse/element';
import type { LiteralValue } from '../parse/values';
import type { JsonValue } from '../source';
import { EXTENSION_CONTEXTS } from '../vocabulary/contexts';

/** The elements the definitions define, each the merge of its definitions; in the order first read. */
export function mergeDefinitions(
  definitions: readonly ParsedElement[],
  errors: ErrorCollector,
): Map<string, ParsedElement> {
  const elements = new Map<string, ParsedElement>();
  let layered: Map<string, ParsedElement[]> | undefined;
  for (let i = 0; i < definitions.length; i++) {
    const def = definitions[i];
    const existing = elements.get(def.id);
    if (!existing) {
      elements.set(def.id, def);
      continue;
    }
    // Rare: only layers (and a duplicate set aside while reading never gets here).
    layered ??= new Map();
    const list = layered.get(def.id) ?? [existing];
    list.push(def);
    layered.set(def.id, list);
  }
  for (const [id, defs] of layered ?? []) elements.set(id, merge(defs, errors));
  checkDictKeys(definitions, errors);
  return elements;
}

/** A copy of the first definition with every later one merged in; the definitions themselves are not changed. */
function merge(defs: readonly ParsedElement[], errors: ErrorCollector): ParsedElement {
  const [first, ...rest] = defs;
  const merged: ParsedElement = {
    ...first,
    layer: '',
    literals: new Map(first.literals),
    objects: new Map([...first.objects].map(([k, v]) => [k, [...v]])),
    extra: new Map(first.extra) as ReadonlyMap<string, JsonValue>,
    cotypes: [...first.cotypes],
    undefinedCotypes: [...first.undefinedCotypes],
    invalidCotypes: [...first.invalidCotypes],
  };
  const cotypes = merged.cotypes as ParsedElement['cotypes'][number][];
  const undefinedCotypes = merged.undefinedCotypes as string[];
  const invalidCotypes = merged.invalidCotypes as ParsedElement['invalidCotypes'][number][];
  let rejectedCotypes = first.rejectedCotypes;
  for (const def of rest) {
    if (merged.parent && def.parent && merged.parent.id !== def.parent.id) {
      // One element has one parent: a layer may not move it.
      errors.add('inconsistentParent', { primaryId: merged.id, secondaryId: def.parent.id }, def.at);
    }
    for (const c of def.cotypes) if (!cotypes.includes(c)) cotypes.push(c);
    for (const c of def.undefinedCotypes) if (!undefinedCotypes.includes(c)) undefinedCotypes.push(c);
    for (const c of def.invalidCotypes) if (!invalidCotypes.includes(c)) invalidCotypes.push(c);
    rejectedCotypes ||= def.rejectedCotypes;
    for (const [key, value] of def.extra)
      if (!merged.extra.has(key)) (merged.extra as Map<string, JsonValue>).set(key, value);
    mergeLiterals(merged, def, errors);
    mergeObjects(merged, def, errors);
  }
  return { ...merged, rejectedCotypes };
}

function mergeLiterals(merged: ParsedElement, def: ParsedElement, errors: ErrorCollector): void {
  for (const [property, value] of def.literals) {
    const existing = merged.literals.get(property);
    if (existing === undefined) {
      merged.literals.set(property, value);
      continue;
    }
    if (typeof existing === 'object' && typeof value === 'object') {
      // Language strings merge by language; only the same language with two texts conflicts.
      const texts: Record<string, string> = { ...existing };
      for (const [lang, text] of Object.entries(value)) {
        if (lang in texts && texts[lang] !== text)
          errors.add('inconsistentLangStringValues', { primaryId: merged.id, property }, def.at);
        texts[lang] = text;
      }
      merged.literals.set(property, texts);
    } else if (JSON.stringify(existing) !== JSON.stringify(value)) {
      errors.add(`inconsistent${literalKind(value)}Values`, { primaryId: merged.id, property }, def.at);
    }
  }
}

function literalKind(value: LiteralValue): string {
  if (typeof value === 'object') return 'LangString';
  if (typeof value === 'number') return 'Integer';
  if (typeof value === 'boolean') return 'Boolean';
  return 'String';
}

/**
 * A single-valued property takes one value whichever definition gives it; a plural one gathers every
 * definition's values, and its limit applies to what it gathers.
 */
function mergeObjects(merged: ParsedElement, def: ParsedElement, errors: ErrorCollector): void {
  for (const [property, refs] of def.objects) {
    const existing = merged.objects.get(property) ?? [];
    const spec = propertyDef(merged, property);
    if (spec && !spec.plural) {
      if (existing.length > 0 && refs.length > 0 && existing[0].target !== refs[0].target) {
        errors.add(
          spec.nonDependent ? 'inconsistentIdentifierValues' : 'inconsistentObjectValues',
          { primaryId: merged.id, property: spec.iri ?? property },
          def.at,
        );
        continue;
      }
    }
    const gathered: ObjectRef[] = [...existing];
    for (const ref of refs) if (!gathered.some((r) => r.target === ref.target)) gathered.push(ref);
    merged.objects.set(property, gathered);
    if (
      spec?.plural &&
      spec.maxCount !== undefined &&
      gathered.length > spec.maxCount &&
      existing.length <= spec.maxCount
    )
      errors.add('objectCountAboveMax', { primaryId: merged.id, property, detail: String(spec.maxCount) }, def.at);
  }
}

/** The definition of an element's object property, from its class or a co-type (with the co-type property's IRI). */
function propertyDef(el: ParsedElement, property: string): (ObjectPropertyDef & { iri?: string }) | undefined {
  const own = el.type ? METAMODELS[el.dtdlVersion].classes.get(el.type)?.properties.get(property) : undefined;
  if (own?.kind === 'object') return own;
  for (const cotype of el.cotypes) {
    const def: SupplementalPropertyDef | undefined = cotype.properties.find((p) => p.name === property);
    if (def?.kind === 'object') return { ...def, iri: EXTENSION_CONTEXTS.get(cotype.contextId)?.terms.get(property) };
  }
  return undefined;
}

/** An explicitly identified value of a keyed property (`contents` by `name`) must state its key in some definition. */
function checkDictKeys(definitions: readonly ParsedElement[], errors: ErrorCollector): void {
  const unstated = new Map<string, ParsedElement>();
  const stated = new Set<string>();
  for (let i = 0; i < definitions.length; i++) {
    const def = definitions[i];
    if (!def.dictKey) continue;
    if (def.dictKey.stated) stated.add(def.id);
    else if (!unstated.has(def.id)) unstated.set(def.id, def);
  }
  unstated.forEach((def, id) => {
    if (stated.has(id)) return;
    const { parentId, property, key } = def.dictKey!;
    errors.add('missingDictKeyPropertyValue', { primaryId: parentId, secondaryId: id, property, value: key }, def.at);
  });
}
