/**
 * Layers: the reference parser's definition merging, as its own cases exercise it. Where the layering extension
 * (`dtmi:dtdl:extension:layering;1`) is in context, an element may be defined in several places: its base
 * definition (`dtmi:x;1`, or `dtmi:x;1#`) and layers (`dtmi:x;1#foo`, co-typed `Layer`), each adding to the one
 * element. Elements defined inside a layer without an @id belong to the same layer of their generated id. Without
 * the extension a fragment names nothing, and `dtmi:x;1#foo` is an element of its own.
 *
 * Definitions meet in the order they are read. The first creates the element; a later one of the same layer is a
 * duplicate, one in another DTDL version or of another material type cannot join it, and one whose semantic types
 * measure another quantity conflicts with what the element already is. Each such definition is set aside whole,
 * so that nothing it says is merged or reported twice. The values of the definitions that do join are merged
 * after reading (resolve/layers.ts).
 *
 * DTDL itself has no layers: every fragment identifier is still reported as invalid (once, at the first one, as
 * the reference parser does), and a model set that uses layers is never accepted; merging them only lets every
 * other problem be reported as the reference parser reports it.
 */
import type { ErrorCollector, Located } from '../dtdl-errors';
import type { SupplementalTypeDef } from '../extensions';
import { isSubclass, type ClassName, type DtdlVersion, type Metamodel, type ObjectPropertyDef } from '../metamodel';

/** `dtmi:a:b;1` + contents + x → `dtmi:a:b:_contents:__x;1` (the reference parser's scheme). */
export function childId(parentId: string, property: string, key?: string): string {
  const segments = `:_${property}${key !== undefined ? `:__${key}` : ''}`;
  const semicolon = parentId.lastIndexOf(';');
  // The version is what follows the last ';' when that is digits and dots only (DTMI segments have neither).
  const version = semicolon >= 0 && /^;[0-9.]+$/.test(parentId.slice(semicolon)) ? semicolon : parentId.length;
  return parentId.slice(0, version) + segments + parentId.slice(version);
}

/** Where a definition stands: its parent (none at top level) and the property that holds it. */
export interface DefinitionSite {
  readonly parent?: { readonly id: string; readonly layer: string };
  readonly property?: ObjectPropertyDef | { readonly name: string; readonly dictionaryKey?: string };
  readonly at: Located;
}

/** The layer a definition with a generated id belongs to, or why it has none. */
export type GeneratedIdentity = { readonly id: string; readonly layer: string } | { readonly mismatch: true };

/**
 * A value without @id is named after its parent (`dtmi:x:_contents:__speed;1`). Under the layering extension it
 * is part of its parent's layer; a parent whose own id kept its fragment (defined where the extension was not in
 * context) has no layer for it to join. Without the extension the parent's fragment, if any, is kept.
 */
export function generatedIdentity(
  parent: { readonly id: string; readonly layer: string },
  property: string,
  key: string | undefined,
  mergeDefinitions: boolean,
): GeneratedIdentity {
  const hash = parent.id.indexOf('#');
  const parentBase = hash < 0 ? parent.id : parent.id.slice(0, hash);
  const parentFragment = hash < 0 ? '' : parent.id.slice(hash);
  const id = childId(parentBase, property, key);
  if (!mergeDefinitions) return { id: id + parentFragment, layer: '' };
  if (parentFragment.length > 1) return { mismatch: true };
  return { id, layer: parent.layer };
}

/** What is known of an element from the definitions read so far. */
interface ElementEntry {
  readonly type: ClassName;
  readonly dtdlVersion: DtdlVersion;
  /** The layers defined so far: one (nearly always, so no set is made for it) or several. */
  layers: string | Set<string>;
  /** Semantic types of every definition so far: they must all measure one quantity. */
  semanticTypes: readonly SupplementalTypeDef[];
  /** Some definition gives the element's @id (the elements a partial resolver is asked about). */
  explicit: boolean;
}

const hasLayer = (entry: ElementEntry, layer: string): boolean =>
  typeof entry.layers === 'string' ? entry.layers === layer : entry.layers.has(layer);

/** A definition about to join its element, as far as identity and types go. */
export interface Definition {
  readonly id: string;
  readonly explicitId: boolean;
  readonly layer: string;
  readonly dtdlVersion: DtdlVersion;
  /** For generated ids: the dictionary key they were named by (`speed`). */
  readonly key?: string;
}

/** The elements met so far while reading, by id: decides whether each further definition may join its element. */
export class DefinitionIndex {
  private readonly entries = new Map<string, ElementEntry>();
  /** The element last looked up: each definition is looked up three times in a row (identity, types, record). */
  private lastId: string | undefined;
  private lastEntry: ElementEntry | undefined;

  private entry(id: string): ElementEntry | undefined {
    if (id !== this.lastId) {
      this.lastId = id;
      this.lastEntry = this.entries.get(id);
    }
    return this.lastEntry;
  }

  constructor(private readonly errors: ErrorCollector) {}

  /** Whether some definition of this element has been read. */
  has(id: string): boolean {
    return this.entry(id) !== undefined;
  }

  /**
   * Before its types are read: a second definition of one layer is a duplicate (an explicit id defined twice, or
   * two values named alike under one parent), and an element is defined in one DTDL version only.
   */
  admitsIdentity(def: Definition, site: DefinitionSite): boolean {
    const entry = this.entry(def.id);
    if (!entry) return true;
    const { errors } = this;
    if (hasLayer(entry, def.layer)) {
      if (def.explicitId) errors.add('duplicateDefinition', { primaryId: def.id, detail: def.layer }, site.at);
      else if (site.parent && site.property && def.key !== undefined)
        errors.add(
          'nonUniquePropertyValue',
          { primaryId: site.parent.id, property: site.property.name, value: def.key },
          site.at,
        );
      return false;
    }
    if (entry.dtdlVersion !== def.dtdlVersion) {
      errors.add('inconsistentContext', { primaryId: def.id, value: def.dtdlVersion }, site.at);
      return false;
    }
    return true;
  }

  /**
   * Once its types are read: a definition must be of its element's material type. If the element's type could
   * stand where this definition stands, the two types are two material types of one element; otherwise the
   * definition is of a type incompatible with its position. Its semantic types must measure what the element's
   * already measure. Returns 'incompatible' when the definition's position is left without it (the position's
   * count then reports it), false when it is otherwise refused.
   */
  admitsTypes(
    def: Definition,
    material: ClassName,
    cotypes: readonly SupplementalTypeDef[],
    site: DefinitionSite,
    mm: Metamodel,
  ): true | false | 'incompatible' {
    const entry = this.entry(def.id);
    if (!entry) return true;
    const { errors } = this;
    if (entry.type !== material) {
      const range = site.property && 'range' in site.property ? site.property.range : undefined;
      const couldStandHere = range
        ? range.some((r) => isSubclass(mm, entry.type, r))
        : !site.parent && mm.rootable.includes(entry.type);
      if (couldStandHere) {
        errors.add('multipleMaterialTypes', { primaryId: def.id, value: `${entry.type} and ${material}` }, site.at);
        return false;
      }
      errors.add(
        'incompatibleType',
        { primaryId: site.parent?.id ?? def.id, secondaryId: def.id, property: site.property?.name, value: material },
        site.at,
      );
      return 'incompatible';
    }
    const semantic = [...entry.semanticTypes, ...cotypes.filter((c) => c.semantic)];
    if (new Set(semantic.map((s) => s.unitType)).size > 1) {
      errors.add(
        'conflictingSupplementalTypes',
        { primaryId: def.id, property: 'unit', value: [...new Set(semantic.map((s) => s.term))].join(' and ') },
        site.at,
      );
      return false;
    }
    return true;
  }

  /** Records a definition that joined (or created) its element. Returns whether it is the element's first. */
  record(def: Definition, material: ClassName, cotypes: readonly SupplementalTypeDef[]): boolean {
    const entry = this.entry(def.id);
    const semantic = cotypes.length === 0 ? cotypes : cotypes.filter((c) => c.semantic);
    if (!entry) {
      this.lastEntry = {
        type: material,
        dtdlVersion: def.dtdlVersion,
        layers: def.layer,
        semanticTypes: semantic,
        explicit: def.explicitId,
      };
      this.entries.set(def.id, this.lastEntry);
      return true;
    }
    entry.explicit ||= def.explicitId;
    if (typeof entry.layers === 'string') entry.layers = new Set([entry.layers]);
    entry.layers.add(def.layer);
    const added = semantic.filter((s) => !entry.semanticTypes.includes(s));
    if (added.length > 0) entry.semanticTypes = [...entry.semanticTypes, ...added];
    return false;
  }

  /** Explicitly identified elements that have layers, with every layer read so far (the reference parser's partial resolution). */
  layeredElements(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [id, entry] of this.entries) {
      if (!entry.explicit || entry.layers === '') continue;
      out.set(id, (typeof entry.layers === 'string' ? [entry.layers] : [...entry.layers]).sort());
    }
    return out;
  }
}
