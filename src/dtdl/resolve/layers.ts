/**
 * Layers: a definition whose @id carries a fragment (`dtmi:x;1#layer`) adds to the element without
 * the fragment. DTDL itself rejects fragment ids (the parser reports invalidId), but, like the
 * reference parser, we still merge what the layer says so that every other problem is reported too.
 */
import type { ErrorCollector } from '../dtdl-errors';
import { isSubclass, METAMODELS } from '../metamodel';
import type { ParsedElement } from '../parse/element';

export function mergeLayers(
  layers: readonly ParsedElement[],
  elements: Map<string, ParsedElement>,
  errors: ErrorCollector,
): void {
  for (const layer of layers) {
    const base = elements.get(layer.id);
    if (!base) {
      if (layer.type) elements.set(layer.id, layer);
      continue;
    }
    if (layer.type && base.type && layer.type !== base.type) {
      // Two kinds of content for one element is two material types; anything else cannot be merged at all.
      const mm = METAMODELS[base.dtdlVersion];
      const bothContent = isSubclass(mm, layer.type, 'Content') && isSubclass(mm, base.type, 'Content');
      if (bothContent)
        errors.add('multipleMaterialTypes', { primaryId: base.id, value: `${base.type} and ${layer.type}` }, layer.at);
      else
        errors.add(
          'incompatibleType',
          { primaryId: base.parent?.id ?? base.id, secondaryId: base.id, property: base.parent?.property },
          layer.at,
        );
      continue;
    }
    for (const [property, value] of layer.literals) {
      const existing = base.literals.get(property);
      if (existing === undefined) base.literals.set(property, value);
      else if (typeof existing === 'object' && typeof value === 'object') {
        // Language strings merge by language; only the same language with two texts conflicts.
        const merged: Record<string, string> = { ...existing };
        for (const [lang, text] of Object.entries(value)) {
          if (lang in merged && merged[lang] !== text)
            errors.add('inconsistentLangStringValues', { primaryId: base.id, property }, layer.at);
          merged[lang] = text;
        }
        base.literals.set(property, merged);
      } else if (JSON.stringify(existing) !== JSON.stringify(value)) {
        const kind =
          typeof value === 'object'
            ? 'LangString'
            : typeof value === 'number'
              ? 'Integer'
              : typeof value === 'boolean'
                ? 'Boolean'
                : 'String';
        errors.add(`inconsistent${kind}Values`, { primaryId: base.id, property }, layer.at);
      }
    }
    const cls = base.type ? METAMODELS[base.dtdlVersion].classes.get(base.type) : undefined;
    for (const [property, refs] of layer.objects) {
      const existing = base.objects.get(property) ?? [];
      const def = cls?.properties.get(property);
      if (def && !def.plural && existing.length > 0 && refs.length > 0 && existing[0].target !== refs[0].target) {
        errors.add('inconsistentObjectValues', { primaryId: base.id, property }, layer.at);
        continue;
      }
      const merged = [...existing];
      for (const ref of refs) if (!merged.some((r) => r.target === ref.target)) merged.push(ref);
      base.objects.set(property, merged);
    }
  }
}
