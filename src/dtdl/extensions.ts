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
  /** Language versions of those classes, when the definition names versioned classes (Property;3); otherwise any. */
  readonly classVersions?: readonly DtdlVersion[];
  /** Classes it co-types only in another DTDL version (so using it on them here is a version error). */
  readonly otherVersionAppliesTo?: readonly ClassName[];
  /** Its properties are still understood where the co-type itself does not apply (Override on a Telemetry). */
  readonly propertiesOutliveInvalidity?: boolean;
  readonly properties: readonly SupplementalPropertyDef[];
  /** Other co-types the element must also carry (Override needs ValueAnnotation). */
  readonly requiresCotypes?: readonly string[];
  /** For semantic types: the unit type whose units `unit` must come from; the schema must be numeric. */
  readonly unitType?: string;
  readonly semantic?: boolean;
  /** The schema the co-typed element must have: one standard instance, or a class of schema. */
  readonly requiredSchema?: {
    readonly instances?: readonly string[];
    readonly numericOrString?: boolean;
    readonly enum?: boolean;
    readonly label: string;
  };
  /** Abstract types (SemanticType, QuantitativeType) name a family and cannot be used as co-types. */
  readonly abstract?: boolean;
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
    classVersions: [dtdlVersion],
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

function adjunct(
  term: string,
  contextId: string,
  appliesTo: ClassName[],
  properties: SupplementalPropertyDef[] = [],
  requiresCotypes?: string[],
): SupplementalTypeDef {
  return { term, contextId, dtdlVersion: 3, appliesTo, properties, requiresCotypes };
}

function required(p: SupplementalPropertyDef): SupplementalPropertyDef {
  return { ...p, minCount: 1 };
}

const stringProp = (name: string, extra: object = {}): SupplementalPropertyDef =>
  ({
    name,
    kind: 'literal',
    datatype: 'string',
    plural: false,
    minCount: 0,
    maxCount: 1,
    ...extra,
  }) as SupplementalPropertyDef;

function extensionTypes(contextId: string): SupplementalTypeDef[] {
  const [, name] = /^dtmi:dtdl:extension:([A-Za-z]+);\d+$/.exec(contextId) ?? [];
  switch (name) {
    case 'quantitativeTypes':
      return [
        ...semanticTypes(QUANTITATIVE_TYPES_V1, contextId, 3, [
          'CommandRequest',
          'CommandResponse',
          'Field',
          'MapValue',
          'Property',
          'Telemetry',
        ]),
        { term: 'QuantitativeType', contextId, dtdlVersion: 3, appliesTo: [], properties: [], abstract: true },
      ];
    case 'historization':
      return [
        {
          ...adjunct('Historized', contextId, ['Property', 'Telemetry']),
          classVersions: [3],
          // Version 2 of the extension (usable with DTDL v3 and v4) also covers command payloads in v4.
          otherVersionAppliesTo: contextId.endsWith(';2') ? ['CommandResponse', 'Field', 'MapValue'] : undefined,
        },
      ];
    case 'annotation':
      return [adjunct('ValueAnnotation', contextId, ['Property', 'Telemetry'], [required(stringProp('annotates'))])];
    case 'overriding':
      return [
        {
          ...adjunct('Override', contextId, ['Property'], [required(stringProp('overrides'))], ['ValueAnnotation']),
          propertiesOutliveInvalidity: true,
        },
      ];
    case 'mqtt':
      return [
        adjunct(
          'Mqtt',
          contextId,
          ['Interface'],
          [
            stringProp('telemetryTopic', { pattern: MQTT_TOPIC }),
            stringProp('commandTopic', { pattern: MQTT_TOPIC }),
            required(stringProp('payloadFormat')),
          ],
        ),
        adjunct('Idempotent', contextId, ['Command']),
        adjunct(
          'Cacheable',
          contextId,
          ['Command'],
          [required({ name: 'ttl', kind: 'literal', datatype: 'duration', plural: false, minCount: 1, maxCount: 1 })],
          ['Idempotent'],
        ),
        adjunct(
          'Indexed',
          contextId,
          ['Telemetry', 'Field', 'EnumValue'],
          [
            required({
              name: 'index',
              kind: 'literal',
              datatype: 'integer',
              plural: false,
              minCount: 1,
              maxCount: 1,
              minInclusive: 1,
            }),
          ],
        ),
      ];
    case 'requirement':
      return [{ ...adjunct('Required', contextId, ['Field']), otherVersionAppliesTo: ['Property'] }];
    default:
      return [];
  }
}

const V2_CONTEXT = 'dtmi:dtdl:context;2';
const IOT_CENTRAL_CONTEXT = 'dtmi:iotcentral:context;2';

/** IoT Central's v2 semantic types: each requires a particular schema. */
function iotCentralTypes(): SupplementalTypeDef[] {
  const on: ClassName[] = ['Telemetry', 'Property'];
  const t = (term: string, requiredSchema: SupplementalTypeDef['requiredSchema']): SupplementalTypeDef => ({
    term,
    contextId: IOT_CENTRAL_CONTEXT,
    dtdlVersion: 2,
    appliesTo: on,
    properties: [],
    requiredSchema,
  });
  return [
    t('AccelerationVector', { instances: ['vector'], label: 'vector' }),
    t('VelocityVector', { instances: ['vector'], label: 'vector' }),
    t('Location', {
      instances: ['geopoint', 'point', 'multiPoint', 'lineString', 'multiLineString', 'polygon', 'multiPolygon'],
      label: 'geopoint',
    }),
    t('State', { enum: true, label: 'Enum' }),
    t('Event', { numericOrString: true, label: 'NumericSchema or String' }),
  ];
}

/** Schemas that contexts other than the core define (IoT Central's vector and geopoint). */
export const EXTENSION_SCHEMAS: ReadonlyMap<
  string,
  { readonly contextId: string; readonly fields: readonly string[] }
> = new Map([
  ['vector', { contextId: IOT_CENTRAL_CONTEXT, fields: ['x', 'y', 'z'] }],
  ['geopoint', { contextId: IOT_CENTRAL_CONTEXT, fields: ['lat', 'lon', 'alt'] }],
]);

/** v2's semantic types are part of the language itself. */
export const V2_SEMANTIC_TYPES: ReadonlyMap<string, SupplementalTypeDef> = new Map(
  [
    ...semanticTypes(QUANTITATIVE_V2, V2_CONTEXT, 2, ['Telemetry', 'Property']),
    {
      term: 'SemanticType',
      contextId: V2_CONTEXT,
      dtdlVersion: 2 as const,
      appliesTo: [] as ClassName[],
      properties: [],
      abstract: true,
    },
  ].map((t) => [t.term, t]),
);

const byContext = new Map<string, ReadonlyMap<string, SupplementalTypeDef>>();

/** The supplemental types a context defines, by term. */
export function supplementalTypesOf(contextId: string): ReadonlyMap<string, SupplementalTypeDef> {
  if (contextId === V2_CONTEXT) return V2_SEMANTIC_TYPES;
  let types = byContext.get(contextId);
  if (!types) {
    const defs = contextId === IOT_CENTRAL_CONTEXT ? iotCentralTypes() : extensionTypes(contextId);
    types = new Map(defs.map((t) => [t.term, t]));
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
