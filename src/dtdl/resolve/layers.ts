/**
 * Layers: a definition whose @id carries a fragment (`dtmi:x;1#layer`) adds to the element without
 * the fragment. DTDL itself rejects fragment ids (the parser reports invalidId), but, like the
 * reference parser, we still merge what the layer says so that every other problem is reported too.
 */
import type { ErrorCollector } from '../errors';
import type { ParsedElement } from '../parse/element';

export function mergeLayers(layers: readonly ParsedElement[], elements: Map<string, ParsedElement>, errors: ErrorCollector): void {
  for (const layer of layers) {
    const base = elements.get(layer.id);
    if (!base) {
      if (layer.type) elements.set(layer.id, layer);
      continue;
    }
    if (layer.type && base.type && layer.type !== base.type) {
      errors.add('incompatibleType', { primaryId: base.parent?.id ?? base.id, secondaryId: base.id, property: base.parent?.property }, layer.at);
      continue;
    }
    for (const [property, value] of layer.literals) {
      const existing = base.literals.get(property);
      if (existing === undefined) base.literals.set(property, value);
      else if (JSON.stringify(existing) !== JSON.stringify(value)) {
        const kind = typeof value === 'object' ? 'LangString' : typeof value === 'number' ? 'Integer' : typeof value === 'boolean' ? 'Boolean' : 'String';
        errors.add(`inconsistent${kind}Values`, { primaryId: base.id, property }, layer.at);
      }
    }
    for (const [property, refs] of layer.objects) {
      const existing = base.objects.get(property) ?? [];
      const merged = [...existing];
      for (const ref of refs) if (!merged.some((r) => r.target === ref.target)) merged.push(ref);
      base.objects.set(property, merged);
    }
  }
}
