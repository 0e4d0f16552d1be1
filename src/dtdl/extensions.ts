/**
 * Supplemental ("adjunct") types: co-types that add meaning and properties to an element, such as
 * semantic types with units, Historized, ValueAnnotation/Override, MQTT and Required, and the partner
 * extensions of IoT Central (v2) and IoT Operations (v4). Each belongs to the context that defines it, so a
 * co-type is only usable where its context is active.
 */
import type { ClassName, DtdlVersion, PropertyDef } from './metamodel';
import { EXTENSION_CONTEXTS } from './vocabulary/contexts';
import { QUANTITATIVE_TYPES_V1, QUANTITATIVE_V2, type QuantitativeVocabulary } from './vocabulary/quantitative';

export interface SupplementalTypeDef {
  readonly term: string;
  /** The context that defines it: 'dtmi:dtdl:context;2' for v2's built-in semantic types. */
  readonly contextId: string;
  /** The DTDL versions whose elements it may co-type (an extension's v2, such as historization;2: v3 and v4). */
  readonly dtdlVersions: readonly DtdlVersion[];
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
    /** A NumericSchema (IoT Operations' Limited, Precise, ScaledStatically). */
    readonly numeric?: boolean;
    /** An Object (MQTT's Transparent), co-typed so when `cotype` is given (MQTT's ErrorResult: an Error Object). */
    readonly object?: { readonly cotype?: string };
    /** The standard schema `string` (MQTT's ErrorMessage). */
    readonly string?: boolean;
    readonly label: string;
  };
  /** Every value of `property` must carry one of these co-types (MQTT's Result: NormalResult or ErrorResult fields). */
  readonly childCotypes?: { readonly property: string; readonly anyOf: readonly string[] };
  /** Co-types that may not stand beside it (IoT Operations: Composite and Event, HasCapability and HasComponent). */
  readonly disallowedCotypes?: readonly string[];
  /**
   * Where the co-typed element must stand: under `property` of an element co-typed `cotype`, and, when
   * `unique`, as the only one there (IoT Operations: one Subject field per Detail Object).
   */
  readonly parentConstraint?: { readonly property: string; readonly cotype: string; readonly unique: boolean };
  /** Abstract types (SemanticType, QuantitativeType) name a family and cannot be used as co-types. */
  readonly abstract?: boolean;
}

export type SupplementalPropertyDef = PropertyDef & {
  /** Values are units of this unit type (semantic `unit`). */
  readonly unitType?: string;
  /** The value must be a value of the element's own schema (a `maximum` of an integer Telemetry is an integer). */
  readonly conformsToSchema?: boolean;
};

/** MQTT shared-subscription group ids: printable ASCII without space, ", +, #, {, } or / (mqtt;2 and later). */
const MQTT_SERVICE_GROUP_ID = /^[!$-*,-.0-z|~]+$/;

const MQTT_TOPIC =
  /^(?:(?:[!%-*,-.0-z|~][!$-*,-.0-z|~]*)|(?:{(?:[A-Za-z]+:)?[A-Za-z]+}))(?:\/(?:(?:[!$-*,-.0-z|~]+)|(?:{(?:[A-Za-z]+:)?[A-Za-z]+})))*$/;

function semanticTypes(
  vocabulary: QuantitativeVocabulary,
  contextId: string,
  dtdlVersions: readonly DtdlVersion[],
  appliesTo: ClassName[],
): SupplementalTypeDef[] {
  return [...vocabulary.semanticTypes].map(([term, unitType]) => ({
    term,
    contextId,
    dtdlVersions,
    appliesTo,
    classVersions: dtdlVersions,
    unitType,
    semantic: true,
    properties: [
      {
        name: 'unit',
        kind: 'object',
        range: ['Unit'],
        rangeVersions: dtdlVersions,
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
  return { term, contextId, dtdlVersions: versionsOf(contextId), appliesTo, properties, requiresCotypes };
}

/** The DTDL versions an extension context is usable with (DTDL.Extensions.md §Available feature extensions). */
function versionsOf(contextId: string): readonly DtdlVersion[] {
  return EXTENSION_CONTEXTS.get(contextId)?.dtdlVersions ?? [3];
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
      // Version 2 (DTDL v4) has version 1's semantic types, unit types and units.
      return [
        ...semanticTypes(QUANTITATIVE_TYPES_V1, contextId, versionsOf(contextId), [
          'CommandRequest',
          'CommandResponse',
          'Field',
          'MapValue',
          'Property',
          'Telemetry',
        ]),
        {
          term: 'QuantitativeType',
          contextId,
          dtdlVersions: versionsOf(contextId),
          appliesTo: [],
          properties: [],
          abstract: true,
        },
      ];
    case 'historization':
      return [
        {
          ...adjunct('Historized', contextId, ['Property', 'Telemetry']),
          classVersions: versionsOf(contextId),
          // Version 2 of the extension: the reference parser knows it for command payloads and fields of a later
          // language version, so using it on them here is a version error too.
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
      return mqttTypes(contextId);
    case 'requirement':
      // Version 2 also lets a Property be Required; with version 1 that is an error of version.
      return contextId.endsWith(';1')
        ? [{ ...adjunct('Required', contextId, ['Field']), otherVersionAppliesTo: ['Property'] }]
        : [adjunct('Required', contextId, ['Field', 'Property'])];
    default:
      return [];
  }
}

/**
 * The MQTT extension (v3/DTDL.mqtt.v1.md, v4/DTDL.mqtt.v2.md and DTDL.mqtt.v3.md). Version 1: Mqtt with its topics
 * and payload format, Idempotent, Cacheable (with Idempotent) and Indexed. Version 2 adds the shared-subscription
 * group ids of Mqtt and Transparent (a command payload whose Object schema is sent without the outer layer).
 * Version 3 adds Result, NormalResult and ErrorResult (a command response that may carry a user-level error) and
 * Error and ErrorMessage (an Object that conveys one).
 */
function mqttTypes(contextId: string): SupplementalTypeDef[] {
  const version = Number(/;(\d+)$/.exec(contextId)?.[1] ?? 1);
  const topic = (name: string): SupplementalPropertyDef => stringProp(name, { pattern: MQTT_TOPIC });
  const groupId = (name: string): SupplementalPropertyDef => stringProp(name, { pattern: MQTT_SERVICE_GROUP_ID });
  const types: SupplementalTypeDef[] = [
    adjunct(
      'Mqtt',
      contextId,
      ['Interface'],
      [
        topic('telemetryTopic'),
        topic('commandTopic'),
        required(stringProp('payloadFormat')),
        ...(version >= 2 ? [groupId('telemServiceGroupId'), groupId('cmdServiceGroupId')] : []),
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
  if (version >= 2)
    types.push({
      ...adjunct('Transparent', contextId, ['CommandRequest', 'CommandResponse']),
      requiredSchema: { object: {}, label: 'Object' },
    });
  if (version >= 3) {
    // NormalResult and ErrorResult: one of each at most, only among a Result's fields; a result that is there by
    // definition cannot be Required.
    const result = { property: 'fields', cotype: 'Result', unique: true };
    types.push(
      {
        ...adjunct('Result', contextId, ['Object']),
        childCotypes: { property: 'fields', anyOf: ['NormalResult', 'ErrorResult'] },
      },
      { ...adjunct('NormalResult', contextId, ['Field']), parentConstraint: result, disallowedCotypes: ['Required'] },
      {
        ...adjunct('ErrorResult', contextId, ['Field']),
        parentConstraint: result,
        disallowedCotypes: ['Required'],
        requiredSchema: { object: { cotype: 'Error' }, label: 'Error' },
      },
      adjunct('Error', contextId, ['Object']),
      {
        ...adjunct('ErrorMessage', contextId, ['Field']),
        parentConstraint: { property: 'fields', cotype: 'Error', unique: true },
        requiredSchema: { string: true, label: 'String' },
      },
    );
  }
  return types;
}

const V2_CONTEXT = 'dtmi:dtdl:context;2';
const IOT_CENTRAL_CONTEXT = 'dtmi:iotcentral:context;2';

/** IoT Central's v2 semantic types: each requires a particular schema. */
function iotCentralTypes(): SupplementalTypeDef[] {
  const on: ClassName[] = ['Telemetry', 'Property'];
  const t = (term: string, requiredSchema: SupplementalTypeDef['requiredSchema']): SupplementalTypeDef => ({
    term,
    contextId: IOT_CENTRAL_CONTEXT,
    dtdlVersions: [2],
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

const IOT_OPERATIONS_CONTEXT = 'dtmi:iotoperations:context;4';

/**
 * IoT Operations' v4 types (dtmi:iotoperations:context;4), as the reference parser defines them: what each may
 * co-type, the properties it adds, and the rules between co-types.
 */
function iotOperationsTypes(): SupplementalTypeDef[] {
  const values: ClassName[] = ['CommandRequest', 'CommandResponse', 'Field', 'MapValue', 'Property', 'Telemetry'];
  const numeric = { numeric: true, label: 'NumericSchema' };
  const text = (name: string, extra: object = {}): SupplementalPropertyDef =>
    required(stringProp(name, { maxLength: 128, ...extra }));
  const literal = (name: string, datatype: 'decimal' | 'integer', extra: object = {}): SupplementalPropertyDef =>
    ({ name, kind: 'literal', datatype, plural: false, minCount: 1, maxCount: 1, ...extra }) as SupplementalPropertyDef;
  const t = (term: string, appliesTo: ClassName[], more: Partial<SupplementalTypeDef> = {}): SupplementalTypeDef => ({
    term,
    contextId: IOT_OPERATIONS_CONTEXT,
    dtdlVersions: [4],
    appliesTo,
    properties: [],
    ...more,
  });
  return [
    t('Composite', ['Interface'], { properties: [text('ontology')], disallowedCotypes: ['Event'] }),
    t('Congruence', ['Array', 'Enum', 'Interface', 'Map', 'Object'], { properties: [text('typeRef')] }),
    t('Detail', ['Object']),
    t('Event', ['Interface']),
    t('GroupMember', ['Command'], {
      properties: [text('group', { pattern: /^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$/ })],
    }),
    t('HasCapability', ['Relationship'], { disallowedCotypes: ['HasComponent'] }),
    t('HasComponent', ['Relationship']),
    t('Limited', values, {
      properties: [
        literal('maximum', 'decimal', { minCount: 0, conformsToSchema: true }),
        literal('minimum', 'decimal', { minCount: 0, conformsToSchema: true }),
      ],
      requiredSchema: numeric,
    }),
    t('Precise', values, { properties: [literal('decimalPlaces', 'integer')], requiredSchema: numeric }),
    t('Qualified', ['Command', 'Component', 'Field', 'Property', 'Relationship', 'Telemetry'], {
      properties: [text('namespace')],
    }),
    t('ScaledStatically', values, {
      properties: [literal('scaleFactor', 'decimal', { conformsToSchema: true })],
      requiredSchema: numeric,
    }),
    t('Subject', ['Field'], { parentConstraint: { property: 'fields', cotype: 'Detail', unique: true } }),
  ];
}

/** Identifier prefixes a partner extension reserves for its own elements, with the context that defines them. */
const PARTNER_PREFIXES: readonly (readonly [prefix: string, contextId: string])[] = [
  ['dtmi:iotcentral:', IOT_CENTRAL_CONTEXT],
  ['dtmi:iotoperations:', IOT_OPERATIONS_CONTEXT],
];

/** The partner context whose reserved prefix an identifier starts with (dtmi:iotcentral:…), if any. */
export function partnerContextOf(id: string): string | undefined {
  if (!id.startsWith('dtmi:iot')) return undefined;
  for (const [prefix, contextId] of PARTNER_PREFIXES) if (id.startsWith(prefix)) return contextId;
  return undefined;
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
    ...semanticTypes(QUANTITATIVE_V2, V2_CONTEXT, [2], ['Telemetry', 'Property']),
    {
      term: 'SemanticType',
      contextId: V2_CONTEXT,
      dtdlVersions: [2] as const,
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
    const defs =
      contextId === IOT_CENTRAL_CONTEXT
        ? iotCentralTypes()
        : contextId === IOT_OPERATIONS_CONTEXT
          ? iotOperationsTypes()
          : extensionTypes(contextId);
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
