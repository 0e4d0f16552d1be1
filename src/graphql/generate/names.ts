/**
 * GraphQL names for DTDL models. A DTMI maps to the last segment of its path in PascalCase
 * (`dtmi:example:building:Room;1` → `Room`); when two models would share a name, the one uploaded later gets
 * the earlier segments as a prefix (`BuildingRoom`), and a later version of a model already named gets a
 * version suffix (`RoomV2`). Names are handed out in upload order, so a model keeps its name for as long as
 * it exists: uploading a model never renames another one, and a query valid before an upload stays valid.
 * (The architecture suggested suffixing the *older* version; that would rename a type under running clients.)
 *
 * Every generated type name comes from one allocator, which also knows the core schema's names, so no two
 * types ever collide and the build never fails on a name.
 */
import { parseDtmi } from '../../dtdl/dtmi';

/** Names the core schema owns; generated names never take them. */
export const CORE_TYPE_NAMES: ReadonlySet<string> = new Set([
  'Query',
  'Mutation',
  'Subscription',
  'Twin',
  'TwinConnection',
  'TwinEdge',
  'TwinWhere',
  'TwinOrderBy',
  'TwinPropertyFilter',
  'Relationship',
  'RelationshipConnection',
  'RelationshipEdge',
  'Model',
  'ModelContent',
  'Node',
  'Change',
  'TwinChange',
  'RelationshipChange',
  'MetricChange',
  'ModelChange',
  'MetricPoint',
  'MetricSeries',
  'MetricWindow',
  'MetricPointInput',
  'Prediction',
  'PageInfo',
  'JsonPatchOperation',
  'TwinPatchInput',
  'TwinUpsertInput',
  'RelationshipUpsertInput',
  'PatchOp',
  'SortDirection',
  'DeleteResult',
  'CommandInvocation',
  'ModelUploadResult',
  'StringFilter',
  'IDFilter',
  'FloatFilter',
  'IntFilter',
  'LongFilter',
  'BooleanFilter',
  'DateTimeFilter',
  'DateFilter',
  'TimeFilter',
  'DurationFilter',
  'JSON',
  'Long',
  'DateTime',
  'Date',
  'Time',
  'Duration',
  'String',
  'Int',
  'Float',
  'Boolean',
  'ID',
  'GeoPoint',
  'GeoMultiPoint',
  'GeoLineString',
  'GeoMultiLineString',
  'GeoPolygon',
  'GeoMultiPolygon',
  'GeoPointInput',
  'GeoMultiPointInput',
  'GeoLineStringInput',
  'GeoMultiLineStringInput',
  'GeoPolygonInput',
  'GeoMultiPolygonInput',
]);

/** Field names every twin type has; a DTDL content with one of these names gets a `_` suffix. */
export const CORE_TWIN_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'etag',
  'modelId',
  'model',
  'metadata',
  'lastUpdateTime',
  'relationships',
  'incomingRelationships',
  'json',
]);

export function pascalCase(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return /^[0-9]/.test(joined) ? `N${joined}` : joined || 'Unnamed';
}

export function camelCase(text: string): string {
  const pascal = pascalCase(text);
  return pascal[0].toLowerCase() + pascal.slice(1);
}

/** "a" or "an" before a name in generated descriptions: "an Asset twin", "a Device twin", "a Unit". */
export function article(word: string): 'a' | 'an' {
  return /^[aeiou]/i.test(word) && !/^(uni|use|usa|uti|eu|one)/i.test(word) ? 'an' : 'a';
}

/** `a Device`, `an Asset`. */
export function withArticle(word: string): string {
  return `${article(word)} ${word}`;
}

/** A plural for root list fields: `Room` → `rooms`, `Company` → `companies`, `Address` → `addresses`. */
export function plural(name: string): string {
  const camel = camelCase(name);
  if (/[^aeiou]y$/.test(camel)) return `${camel.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(camel)) return `${camel}es`;
  return `${camel}s`;
}

/** Hands out unique GraphQL names; the first taker of a name keeps it. */
export class NameAllocator {
  private readonly taken = new Set<string>(CORE_TYPE_NAMES);

  /** `wanted` if free, otherwise `wanted2`, `wanted3`, …. */
  take(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.taken.has(name); n++) name = `${wanted}${n}`;
    this.taken.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}

/**
 * Base names for models, given in upload order. A model takes its last segment; if an earlier version of the
 * same model holds it, the version suffix (`RoomV2`); if another model holds it, longer and longer prefixes of
 * its path (`BuildingRoom`). Names the allocator has handed out (earlier models' derived names included) are
 * never taken, so the naming of earlier models is final.
 */
export class ModelNamer {
  /** base name → the versionless path of the model holding it */
  private readonly holders = new Map<string, string>();

  constructor(private readonly allocator: NameAllocator) {}

  base(modelId: string): string {
    const dtmi = parseDtmi(modelId);
    const segments = dtmi ? [...dtmi.labels] : [pascalCase(modelId)];
    const path = segments.join(':');
    const last = pascalCase(segments[segments.length - 1]);
    const free = (name: string): boolean => !this.allocator.has(name);
    let chosen: string | undefined;
    for (let take = 1; !chosen && take <= segments.length; take++) {
      const candidate = take === 1 ? last : pascalCase(segments.slice(-take).join('_'));
      // Another version of the model holding a name gets that name with its version, prefixed or not
      // (`BuildingRoomV2` beside `BuildingRoom`), rather than a longer prefix that reads as another model.
      const versioned = `${candidate}V${dtmi?.majorVersion ?? 0}`;
      if (free(candidate)) chosen = candidate;
      else if (this.holders.get(candidate) === path && free(versioned)) chosen = versioned;
    }
    const name = chosen === undefined ? this.allocator.take(last) : this.allocator.take(chosen);
    this.holders.set(name, path);
    return name;
  }
}
