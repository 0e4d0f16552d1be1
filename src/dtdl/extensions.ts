/**
 * Supplemental ("adjunct") types: co-types that add meaning and properties to an element, such as
 * semantic types with units, Historized, ValueAnnotation/Override, MQTT and Required. Each belongs to
 * the context that defines it, so a co-type is only usable where its context is active.
 */
import type { ClassName, DtdlVersion, PropertyDef } from './metamodel';
import { QUANTITATIVE_TYPES_V1, QUANTITATIVE_V2, type QuantitativeVocabulary } from './vocabulary/quantitative';

export interface SupplementalTypeDef {
  readonly term: string;
  /** The context that defines it: 'dtmi:dtdl:context;2' for v2's built-in semantic types. */
  readonly contextId: string;
  readonly dtdlVersion: DtdlVersion;
  /** Material classes it may co-type. */
  readonly appliesTo: readonly ClassName[];
  readonly properties: readonly SupplementalPropertyDef[];
  /** Other co-types the element must also carry (Override needs ValueAnnotation). */
  readonly requiresCotypes?: readonly string[];
  /** For semantic types: the unit type whose units `unit` must come from; the schema must be numeric. */
  readonly unitType?: string;
  readonly semantic?: boolean;
}

export type SupplementalPropertyDef = PropertyDef & {
  /** Values are units of this unit type (semantic `unit`). */
  readonly unitType?: string;
};

const MQTT_TOPIC =
  /^(?:(?:[!%-*,-.0-z|~][!$-*,-.0-z|~]*)|(?:{(?:[A-Za-z]+:)?[A-Za-z]+}))(?:\/(?:(?:[!$-*,-.0-z|~]+)|(?:{(?:[A-Za-z]+:)?[A-Za-z]+})))*$/;

function semanticTypes(
  vocabulary: QuantitativeVocabulary,
  contextId: string,
  dtdlVersion: DtdlVersion,
  appliesTo: ClassName[],
): SupplementalTypeDef[] {
  return [...vocabulary.semanticTypes].map(([term, unitType]) => ({
    term,
    contextId,
    dtdlVersion,
    appliesTo,
    unitType,
    semantic: true,
    properties: [
      {
        name: 'unit',
        kind: 'object',
        range: ['Unit'],
        rangeVersions: [dtdlVersion],
        plural: false,
        minCount: 1,
        maxCount: 1,
        referenceOnly: true,
        unitType,
      },
    ],
  }));
}

function adjunct(term: string, contextId: string, appliesTo: ClassName[], properties: SupplementalPropertyDef[] = [], requiresCotypes?: string[]): SupplementalTypeDef {
  return { term, contextId, dtdlVersion: 3, appliesTo, properties, requiresCotypes };
}

function required(p: SupplementalPropertyDef): SupplementalPropertyDef {
  return { ...p, minCount: 1 };
}

const stringProp = (name: string, extra: object = {}): SupplementalPropertyDef =>
  ({ name, kind: 'literal', datatype: 'string', plural: false, minCount: 0, maxCount: 1, ...extra }) as SupplementalPropertyDef;

function extensionTypes(contextId: string): SupplementalTypeDef[] {
  const [, name] = /^dtmi:dtdl:extension:([A-Za-z]+);\d+$/.exec(contextId) ?? [];
  switch (name) {
    case 'quantitativeTypes':
      return semanticTypes(QUANTITATIVE_TYPES_V1, contextId, 3, [
        'CommandRequest',
        'CommandResponse',
        'Field',
        'MapValue',
        'Property',
        'Telemetry',
      ]);
    case 'historization':
      return [adjunct('Historized', contextId, ['Property', 'Telemetry'])];
    case 'annotation':
      return [adjunct('ValueAnnotation', contextId, ['Property', 'Telemetry'], [required(stringProp('annotates'))])];
    case 'overriding':
      return [
        adjunct(
          'Override',
          contextId,
          contextId.endsWith(';1') ? ['Property'] : ['Property', 'Telemetry'],
          [required(stringProp('overrides'))],
          ['ValueAnnotation'],
        ),
      ];
    case 'mqtt':
      return [
        adjunct('Mqtt', contextId, ['Interface'], [
          stringProp('telemetryTopic', { pattern: MQTT_TOPIC }),
          stringProp('commandTopic', { pattern: MQTT_TOPIC }),
          required(stringProp('payloadFormat')),
        ]),
        adjunct('Idempotent', contextId, ['Command']),
        adjunct(
          'Cacheable',
          contextId,
          ['Command'],
          [required({ name: 'ttl', kind: 'literal', datatype: 'duration', plural: false, minCount: 1, maxCount: 1 })],
          ['Idempotent'],
        ),
        adjunct('Indexed', contextId, ['Telemetry', 'Field', 'EnumValue'], [
          required({ name: 'index', kind: 'literal', datatype: 'integer', plural: false, minCount: 1, maxCount: 1, minInclusive: 1 }),
        ]),
      ];
    case 'requirement':
      return [adjunct('Required', contextId, ['Field'])];
    default:
      return [];
  }
}

const V2_CONTEXT = 'dtmi:dtdl:context;2';

/** v2's semantic types are part of the language itself. */
export const V2_SEMANTIC_TYPES: ReadonlyMap<string, SupplementalTypeDef> = new Map(
  semanticTypes(QUANTITATIVE_V2, V2_CONTEXT, 2, ['Telemetry', 'Property', 'Field', 'MapValue', 'CommandPayload']).map((t) => [t.term, t]),
);

const byContext = new Map<string, ReadonlyMap<string, SupplementalTypeDef>>();

/** The supplemental types a context defines, by term. */
export function supplementalTypesOf(contextId: string): ReadonlyMap<string, SupplementalTypeDef> {
  if (contextId === V2_CONTEXT) return V2_SEMANTIC_TYPES;
  let types = byContext.get(contextId);
  if (!types) {
    types = new Map(extensionTypes(contextId).map((t) => [t.term, t]));
    byContext.set(contextId, types);
  }
  return types;
}

/** Units that a context defines (v2 core and quantitativeTypes), with the unit types they belong to. */
export function unitsOf(contextId: string): QuantitativeVocabulary | undefined {
  if (contextId === V2_CONTEXT) return QUANTITATIVE_V2;
  if (contextId.startsWith('dtmi:dtdl:extension:quantitativeTypes;')) return QUANTITATIVE_TYPES_V1;
  return undefined;
}
