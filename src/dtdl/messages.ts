/**
 * Human-readable cause and action for each validation id, written for modelers: what is wrong with
 * which element and property, then what to change. Fields that an error does not carry are left out
 * of the sentence rather than printed as "undefined".
 */

/**
 * What one error says about the element at fault. Defined with the wording that reads it, so that the
 * collector (./dtdl-errors.ts) depends on the messages and not the other way round.
 */
export interface ErrorFields {
  readonly primaryId?: string;
  readonly secondaryId?: string;
  readonly property?: string;
  readonly value?: string | number | boolean;
  readonly type?: string;
  /** Extra detail for the message (e.g. a limit); not part of the structured error. */
  readonly detail?: string;
}

interface Parts {
  /** "Element dtmi:x;1" or "The document". */
  readonly el: string;
  /** " property 'schema'", or " a property" when the error has none. */
  readonly p: string;
  /** "'value'" or "its value". */
  readonly v: string;
  readonly f: ErrorFields;
}
type Template = (x: Parts) => readonly [cause: string, action: string];

const quoted = (value: unknown, otherwise: string): string => (value === undefined ? otherwise : `'${String(value)}'`);

/** Said of a DTMI with a system segment: what is wrong and what to write instead. */
const RESERVED_SEGMENT =
  "a segment starting with '_' is reserved for the identifiers the parser generates (e.g. dtmi:ex:I:_contents:__t;1)";

const hasReservedSegment = (value: unknown): boolean => typeof value === 'string' && /[:#]_/.test(value);

const DTMI_FORM =
  'dtmi:<segment>(:<segment>)*;<version>, each segment starting with a letter, made of letters, digits and underscores, not ending with an underscore';

/** Literal families: `${stem}NotString` and friends share wording, differing only in the datatype. */
const LITERALS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  boolean: 'true or false',
  duration: 'an ISO 8601 duration string (e.g. "PT5M")',
  numeric: 'a number',
  literal: 'an integer or a string (whichever the Enum valueSchema says)',
};

function literalTemplates(): Record<string, Template> {
  const t: Record<string, Template> = {};
  for (const [stem, what] of Object.entries(LITERALS)) {
    // The suffixes mirror the ids parse/values.ts builds: durationNotString, durationTypeNotDuration, …
    const not = {
      string: 'String',
      integer: 'Integer',
      boolean: 'Boolean',
      duration: 'String',
      literal: 'Valid',
      numeric: 'Numeric',
    }[stem]!;
    const typeNot = stem === 'duration' ? 'Duration' : not;
    t[`${stem}Not${not}`] = ({ el, p, v }) => [`${el}${p} has value ${v}, which is not ${what}.`, `Give${p} ${what}.`];
    t[`${stem}TypeNot${typeNot}`] = ({ el, p }) => [
      `${el}${p} is a value object whose @type does not declare ${what}.`,
      `Give${p} as a plain value, or as a value object with the matching xsd @type.`,
    ];
    t[`${stem}ValueNot${not}`] = ({ el, p }) => [
      `${el}${p} is a value object whose @value is not ${what}.`,
      `Make the @value of${p} ${what}.`,
    ];
    t[`${stem}ObjectNoValue`] = ({ el, p }) => [
      `${el}${p} is an object without "@value".`,
      `Give${p} as a plain value (${what}), not an object.`,
    ];
    t[`${stem}MultipleValues`] = ({ el, p }) => [
      `${el}${p} has several values but takes one.`,
      `Keep a single value for${p}.`,
    ];
    t[`${stem}CountBelowMin`] = ({ el, p }) => [
      `${el}${p} is an empty array but a value is required.`,
      `Give${p} ${what}.`,
    ];
  }
  t.literalNotValid = ({ el, p }) => [
    `${el}${p} is neither an integer nor a string as its declared type requires.`,
    `Give${p} an integer or a string matching the Enum's valueSchema.`,
  ];
  t.durationInvalid = ({ el, p, v }) => [
    `${el}${p} has value ${v}, which is not an ISO 8601 duration.`,
    'Write a duration such as "PT30S", "PT5M" or "P1D".',
  ];
  return t;
}

const TEMPLATES: Record<string, Template> = {
  ...literalTemplates(),
  // Documents and JSON.
  repeatedContextProperty: () => [
    'A JSON object gives @context more than once; JSON keeps only the last, so the document is not read.',
    'Give @context once per object, as a string or an array of context DTMIs.',
  ],
  repeatedIdProperty: () => [
    'A JSON object gives @id more than once; JSON keeps only the last, so the document is not read.',
    'Give each element one @id.',
  ],
  repeatedTypeProperty: () => [
    'A JSON object gives @type more than once; JSON keeps only the last, so the document is not read.',
    'Give @type once, listing every type in an array (e.g. ["Telemetry", "Temperature"]).',
  ],
  repeatedValueProperty: () => [
    'A value object gives @value more than once; JSON keeps only the last, so the document is not read.',
    'Give @value once.',
  ],
  repeatedLanguageProperty: () => [
    'A language-tagged value gives @language more than once; JSON keeps only the last, so the document is not read.',
    'Give @language once.',
  ],
  repeatedGraphProperty: () => [
    'A JSON object gives @graph more than once; JSON keeps only the last, so the document is not read.',
    'Remove @graph: DTDL does not use it; put the elements directly in the property.',
  ],
  invalidJson: ({ v }) => [
    `The document is not valid JSON: ${v.replace(/^'|'$/g, '')}.`,
    'Fix the JSON syntax at that position (quotes, commas, brackets); comments and trailing commas are not allowed.',
  ],
  notJsonObject: ({ v }) => [
    `A top-level value is ${v}, not a JSON object.`,
    'Each document must be a DTDL Interface object, or an array of them.',
  ],
  inputTooLarge: ({ f }) => [
    `The document is larger than ${f.detail ?? 'the allowed'} bytes and was not parsed.`,
    'Split the models into smaller documents (DTDL limits each Interface to 1 MiB).',
  ],
  inputTooDeep: ({ f }) => [
    `The document nests JSON deeper than ${f.detail ?? 'allowed'} levels and was not parsed.`,
    'Flatten the document: define nested schemas in the Interface `schemas` and refer to them by DTMI.',
  ],
  partitionTooLarge: ({ el }) => [
    `${el} is more than 1 MiB of JSON text, the DTDL limit for one Interface.`,
    'Split it into smaller interfaces joined by `extends` or Components.',
  ],
  undefinedReference: ({ el, p, f }) => {
    const target = f.value !== undefined ? String(f.value) : 'an identifier';
    return [
      `${el}${p} refers to ${target}, which is defined neither in this upload nor among the known models.`,
      `Upload the model that defines ${target} in the same set (or first), or correct the reference.`,
    ];
  },
  // Contexts.
  missingContext: () => [
    'A top-level element has no @context.',
    'Add "@context": "dtmi:dtdl:context;3" (or ;2 for DTDL v2) as the first member.',
  ],
  missingDtdlContext: () => [
    'The @context does not start with a DTDL context.',
    'Put "dtmi:dtdl:context;3" (or ;2) first in @context; extension contexts follow it.',
  ],
  emptyContext: () => ['The @context is empty.', 'Give @context the DTDL context, e.g. "dtmi:dtdl:context;3".'],
  invalidContext: () => [
    'An @context entry is neither a string nor an object.',
    'List context DTMIs as strings, e.g. ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:quantitativeTypes;1"].',
  ],
  invalidContextSpecifier: ({ v }) => [
    `The context ${v} is not a valid DTMI.`,
    'Use a context DTMI such as "dtmi:dtdl:context;3".',
  ],
  nonDtmiContextSpecifier: ({ v }) => [
    `The context ${v} is not a DTMI; DTDL contexts are DTMIs.`,
    'Remove it, or use the DTMI of a DTDL context or extension.',
  ],
  missingContextVersion: ({ v }) => [
    `The context ${v} has no version.`,
    'Add the version, e.g. "dtmi:dtdl:context;3" or "dtmi:dtdl:extension:historization;1".',
  ],
  invalidContextSpecifierForVersion: ({ v, f }) =>
    hasReservedSegment(f.value)
      ? [
          `The context ${v} is not a valid context DTMI: ${RESERVED_SEGMENT}.`,
          'Use the DTMI of a DTDL context or extension.',
        ]
      : [
          `The context ${v} is not valid in this DTDL version (v2 contexts need a one-part version).`,
          'Use a context with a one-part version, such as ";2", or move the model to DTDL v3.',
        ],
  unrecognizedContextVersion: ({ v }) => [
    `The DTDL context ${v} names a language version this parser does not accept here.`,
    'Use "dtmi:dtdl:context;4", ";3" or ";2"; a v2 element cannot contain v3 or v4 definitions.',
  ],
  disallowedContextVersion: ({ v }) => [
    `The context ${v} is above the highest DTDL version accepted.`,
    'Use an older DTDL version or raise the maximum version accepted.',
  ],
  disallowedContextFragment: ({ v }) => [
    `The context ${v} has a #fragment, which contexts may not have.`,
    'Remove the fragment from the context DTMI.',
  ],
  invalidContextFragment: ({ v }) => [
    `The DTDL context ${v} has a fragment other than '#limitless' or '#limits', the two portions of the language.`,
    'Write "dtmi:dtdl:context;4", or "dtmi:dtdl:context;4#limitless" followed by a limit extension context.',
  ],
  missingLimitContext: ({ v }) => [
    `The limitless DTDL context ${v} is not followed by a limits context, so the model would have no limits at all.`,
    'Follow it at once with a limit extension (e.g. "dtmi:dtdl:limits:onvif;1") or with "dtmi:dtdl:context;4#limits".',
  ],
  misplacedLimitContext: ({ v }) => [
    `The limits context ${v} does not come right after the limitless DTDL context "dtmi:dtdl:context;4#limitless".`,
    'Write @context as ["dtmi:dtdl:context;4#limitless", <limits context>, <feature extensions>…].',
  ],
  disallowedLimitContext: ({ v }) => [
    `The limit extension ${v} is not among those this service accepts, so its raised limits cannot be used.`,
    'Keep the model within the core DTDL limits and use "dtmi:dtdl:context;4", or have the service accept the extension (acceptableLimits).',
  ],
  dtdlContextFollowsAffiliate: ({ v }) => [
    `The DTDL context ${v} comes after an extension context.`,
    'Put the DTDL context first in @context, extensions after it.',
  ],
  unresolvableContextSpecifier: ({ v }) => [
    `The context ${v === 'its value' ? '' : `${v} `}is not a DTDL extension this parser knows.`.replace(
      'context is',
      'context is',
    ),
    'Remove it, use a supported extension (quantitativeTypes, historization, annotation, overriding, mqtt, requirement), or allow undefined extensions.',
  ],
  unresolvableContextVersion: ({ v }) => [
    `The extension context ${v} names a version of the extension that does not exist.`,
    'Use a defined version of the extension, e.g. ";1" or ";2".',
  ],
  disallowedLocalContext: () => [
    'An @context entry defines local terms; DTDL does not allow local context definitions.',
    'Remove the object from @context and use the DTDL terms (or full DTMIs) directly.',
  ],
  localContextNotLast: () => [
    'A local context definition is not the last @context entry.',
    'Remove the local definitions; DTDL does not allow them.',
  ],
  localTermEmpty: () => ['A local context defines an empty term.', 'Remove the local context.'],
  localTermSchemePrefix: ({ f }) => [
    `A local term (${quoted(f.property, 'unnamed')}) looks like an IRI with a scheme.`,
    'Remove the local context.',
  ],
  localTermInvalid: ({ f }) => [
    `A local term (${quoted(f.property, 'unnamed')}) is not a valid term.`,
    'Remove the local context.',
  ],
  localTermReserved: ({ f }) => [
    `A local term (${quoted(f.property, 'unnamed')}) redefines a DTDL term.`,
    'Remove the local context; DTDL terms cannot be redefined.',
  ],
  localTermDefinitionInvalidDtmi: ({ f }) => [
    `A local term (${quoted(f.property, 'unnamed')}) is defined as an invalid DTMI${f.value !== undefined ? ` ${f.value}` : ''}.`,
    'Remove the local context.',
  ],
  localTermDefinitionInvalidUri: ({ f }) => [
    `A local term (${quoted(f.property, 'unnamed')}) is defined as an invalid IRI.`,
    'Remove the local context.',
  ],
  termDefinitionNotStringOrObject: ({ f }) => [
    `A local term (${quoted(f.property, 'unnamed')}) has a definition that is neither a string nor an object.`,
    'Remove the local context.',
  ],
  termDefinitionMissingIdProperty: ({ f }) => [
    `A local term (${quoted(f.property, 'unnamed')}) is defined by an object without @id.`,
    'Remove the local context.',
  ],
  termDefinitionIdPropertyNotString: ({ f }) => [
    `A local term (${quoted(f.property, 'unnamed')}) has a non-string @id.`,
    'Remove the local context.',
  ],
  // Identity.
  invalidId: ({ v }) => [
    `The @id ${v} is not a valid DTMI for an element (no fragments, no system segments starting with '_').`,
    `Use an identifier of the form ${DTMI_FORM}.`,
  ],
  idNotString: () => [
    'An @id is empty or not a string.',
    `Give the element a DTMI as its @id, of the form ${DTMI_FORM}, or leave @id out where DTDL can generate it.`,
  ],
  reservedId: ({ v }) => [
    `The @id ${v} uses a reserved prefix (dtmi:dtdl:, dtmi:standard:, or dtmi:iotcentral: with IoT Central's context).`,
    'Use your own namespace, e.g. dtmi:com:example:Thermostat;1.',
  ],
  idTooLong: ({ v }) => [`The @id ${v} is longer than 2048 characters.`, 'Shorten the identifier.'],
  idTooLongForType: ({ v, f }) => [
    `The @id ${v} is longer than ${f.detail ?? '128'} characters, the limit for a${f.type === 'Interface' ? 'n' : ''} ${f.type ?? 'element'}.`,
    'Shorten the identifier (an Interface DTMI may have at most 128 characters).',
  ],
  disallowedIdFragment: ({ el }) => [`${el} has an @id with a #fragment.`, 'Remove the fragment from the @id.'],
  missingTopLevelId: () => [
    'A top-level element has no @id.',
    'Give every top-level Interface an @id, e.g. "dtmi:com:example:Thermostat;1".',
  ],
  missingRequiredId: ({ el, p }) => [
    `${el}${p} defines an element inline without an @id, which this property requires.`,
    `Give the inline element an @id, or define it elsewhere and refer to it by DTMI.`,
  ],
  missingDtmiSegPropertyValue: ({ el, p, f }) => [
    `${el}${p} contains an element without a valid '${f.value ?? 'name'}', so no identifier can be generated for it.`,
    `Give the element a '${f.value ?? 'name'}' (letters, digits, underscores; starting with a letter).`,
  ],
  missingDictKeyPropertyValue: ({ el, p, f }) => [
    `${el}${p} contains an element without '${f.value ?? 'name'}'.`,
    `Give every element of${p} a '${f.value ?? 'name'}'.`,
  ],
  duplicateDefinition: ({ el }) => [
    `${el} is defined more than once.`,
    'Keep one definition and refer to it by its DTMI elsewhere.',
  ],
  identifierNotString: ({ el, p }) => [
    `${el}${p} must be a DTMI string, not an inline definition.`,
    `Give${p} the DTMI of the target interface.`,
  ],
  identifierNotDtmi: ({ el, p, v, f }) =>
    hasReservedSegment(f.value)
      ? [
          `${el}${p} has value ${v}, which is not a DTMI a model may use: ${RESERVED_SEGMENT}.`,
          `Give${p} the @id of an Interface, whose segments start with a letter.`,
        ]
      : [
          `${el}${p} has value ${v}, which is not a DTMI.`,
          `Give${p} the DTMI of an Interface, of the form ${DTMI_FORM}.`,
        ],
  idReference: ({ el, p, v }) => [
    `${el}${p} refers to ${v} through an {"@id": …} object.`,
    `Write the DTMI itself as the value of${p}.`,
  ],
  undefinedReservedId: ({ el, p, f }) => [
    `${el}${p} refers to ${f.secondaryId ?? 'another element'}, a reserved identifier that nothing defines.`,
    'Refer to a DTDL term (e.g. "double") or to one of your own DTMIs.',
  ],
  crossPartitionReference: ({ el, p, f }) => [
    `${el}${p} refers to ${f.secondaryId ?? 'another element'}, which is defined inside another interface${f.value !== undefined ? ` (${f.value})` : ''}.`,
    `Define ${f.secondaryId ?? 'another element'} in this interface's schemas, or at the top level, and refer to it from there.`,
  ],
  // Types.
  badType: ({ el, p, f }) =>
    f.secondaryId && f.primaryId
      ? [
          `${el}${p} has a value (${f.secondaryId ?? 'another element'}${f.value !== undefined ? `, a ${f.value}` : ''}) of a type this property does not accept.`,
          `Use a value of the right kind for${p} (see the DTDL reference for the property).`,
        ]
      : [
          `Element ${f.secondaryId ?? ''} has no usable @type.`,
          'Give the element an @type such as "Interface", "Property" or "Telemetry".',
        ],
  typeNotRootable: ({ v }) => [
    `The top-level element ${v} is not an Interface.`,
    'Only Interfaces may be top-level elements; define schemas inside an Interface `schemas` or inline.',
  ],
  noTypeThatAllows: ({ el, p }) => [
    `${el} has${p}, which none of its types allows.`,
    `Remove${p}, or add the @type (or extension context) that defines it.`,
  ],
  inferredTypeDoesNotAllow: ({ el, p }) => [
    `${el} has${p}, which its (inferred) type does not allow.`,
    `Remove${p}, or give the element an explicit @type that defines it.`,
  ],
  typeUndefinedTerm: ({ el, v }) => [
    `${el} has @type ${v}, which is not defined in its @context.`,
    'Fix the spelling, or add the extension context that defines the type (e.g. "dtmi:dtdl:extension:quantitativeTypes;1" for semantic types).',
  ],
  typeIrrelevantDtmiOrTerm: ({ el, v }) => [
    `${el} has @type ${v}, which is not a type or co-type that can be used here.`,
    `Remove ${v} from @type, or add the extension context that defines it as a co-type.`,
  ],
  typeInvalidDtmi: ({ el, v, f }) =>
    hasReservedSegment(f.value)
      ? [`${el} has @type ${v}, which is not a DTMI a model may use: ${RESERVED_SEGMENT}.`, `Remove ${v} from @type.`]
      : [`${el} has @type ${v}, which is not a valid DTMI.`, 'Correct the type identifier.'],
  typeNotDtmiNorTerm: ({ el, v }) => [
    `${el} has @type ${v}, which is neither a DTDL term nor a DTMI.`,
    'Use a DTDL type name or a DTMI.',
  ],
  multipleMaterialTypes: ({ el, v }) => [
    `${el} has more than one element type (${v.replace(/'/g, '')}).`,
    'Keep exactly one of Interface, Telemetry, Property, Command, Relationship, Component, Array, Enum, Map, Object… in @type.',
  ],
  invalidCotype: ({ el, f }) => [
    `${el} is co-typed ${f.type ?? 'a co-type'}, which cannot be applied to this kind of element.`,
    `Remove ${f.type ?? 'a co-type'} from @type, or apply it to an element it is defined for.`,
  ],
  invalidCotypeVersion: ({ el, f }) => [
    `${el} is co-typed ${f.type ?? 'a co-type'}, which is defined for another DTDL version.`,
    `Use the extension version that matches the element's DTDL version, or remove ${f.type ?? 'a co-type'}.`,
  ],
  abstractSupplementalType: ({ el, f }) => [
    `${el} is co-typed ${f.type ?? 'a co-type'}, which is abstract.`,
    `Use a concrete type instead (e.g. Temperature or Velocity instead of ${f.type ?? 'a co-type'}).`,
  ],
  missingCocotype: ({ el, f }) => [
    `${el} is co-typed ${f.type ?? 'a co-type'} but not ${f.value ?? 'the type it requires'}.`,
    `Add ${f.value ?? 'the required co-type'} to @type.`,
  ],
  disallowedCocotype: ({ el, f }) => [
    `${el} is co-typed both ${f.type ?? 'a co-type'} and ${f.value ?? 'another'}, which exclude each other.`,
    `Remove ${f.value ?? 'one of them'} or ${f.type ?? 'the other'} from @type.`,
  ],
  parentMissingCotype: ({ el, f }) => [
    `${el} is co-typed ${f.type ?? 'a co-type'}, which belongs only among the ${f.property ?? 'values'} of an element co-typed ${f.value ?? 'its parent type'}${f.secondaryId ? `, and ${f.secondaryId} is not` : ''}.`,
    `Add ${f.value ?? 'the required co-type'} to the parent's @type, or remove ${f.type ?? 'the co-type'} here.`,
  ],
  siblingDuplicatesCotype: ({ el, f }) => [
    `${el} is co-typed ${f.type ?? 'a co-type'}, but ${f.secondaryId ?? 'a sibling'} already is: one of the ${f.property ?? 'values'} of its parent may be.`,
    `Remove ${f.type ?? 'the co-type'} from all but one of them.`,
  ],
  nonConformantPropertyValue: ({ el, p, v, f }) => [
    `${el}${p} has value ${v}, which is not a value of its schema${f.secondaryId ? ` ${f.secondaryId}` : ''}.`,
    `Give${p} a value its schema allows (a whole number for an integer schema), or change the schema.`,
  ],
  conflictingSupplementalTypes: ({ el, v }) => [
    `${el} has semantic types (${v.replace(/'/g, '')}) whose units conflict.`,
    'Keep one semantic type.',
  ],
  excludedType: ({ el, f }) =>
    f.secondaryId?.startsWith('dtmi:standard:schema:geospatial:')
      ? [
          `${el} has a geospatial schema in its schema, whose coordinates are an Array (${f.secondaryId}); a DTDL v2 Property schema cannot contain an Array.`,
          'Model the location as Telemetry (or a Command payload), as DTDL v2 allows, or move the model to DTDL v3, whose Properties may use geospatial schemas.',
        ]
      : [
          `${el} contains ${f.secondaryId ?? 'an element'} where it is not allowed (through ${f.property ?? 'its schema'}).`,
          'A Component cannot contain another Component, and in DTDL v2 a Property schema cannot contain an Array.',
        ],
  disallowedType: ({ el, v }) => [
    `${el} annotates ${v}, which is itself an annotation.`,
    'Annotate a Property or Telemetry that is not a ValueAnnotation.',
  ],
  incompatibleType: ({ el, f }) => [
    `A layer redefines ${f.secondaryId ?? 'an element'} of ${el} with an incompatible type.`,
    'Give the element the same type in every definition.',
  ],
  layerMissingMaterialType: ({ el }) => [
    `${el} is restated in a layer without its element type.`,
    'Repeat the element type (e.g. "Telemetry") in the layer.',
  ],
  mismatchedLayers: ({ el, f }) => [
    `${el} and ${f.secondaryId ?? 'another element'} belong to different layers.`,
    'Keep nested definitions in the same layer as their parent.',
  ],
  // Properties.
  propertyUndefinedTerm: ({ el, p }) => [
    `${el} has${p}, which is not a DTDL term.`,
    `Fix the spelling of${p} or remove it.`,
  ],
  propertyIrrelevantDtmiOrTerm: ({ el, p }) => [
    `${el} has${p}, a DTDL term or DTMI that is not a property of this element.`,
    `Remove${p}, or give the element the type (or extension context) that defines it.`,
  ],
  propertyInvalidDtmi: ({ el, p, f }) => [
    `${el} has${p}, which is not a valid DTMI${hasReservedSegment(f.property) ? ` (${RESERVED_SEGMENT})` : ''}.`,
    `Correct or remove${p}.`,
  ],
  propertyNotDtmiNorTerm: ({ el, p }) => [`${el} has${p}, which is neither a DTDL term nor a DTMI.`, `Remove${p}.`],
  duplicatePropertyName: ({ el, p }) => [
    `${el} gives${p} more than once (the same member name twice, or its term and its full IRI).`,
    'Keep one of them: each member of a JSON object needs a name of its own.',
  ],
  keywordDisallowed: ({ el, p, v }) => [
    `An element in ${el.replace(/^Element /, '')}${p} uses the JSON-LD keyword ${v}, which DTDL does not allow.`,
    `Remove ${v}.`,
  ],
  topLevelKeywordDisallowed: ({ v }) => [
    `A top-level element uses the JSON-LD keyword ${v}, which DTDL does not allow.`,
    `Remove ${v}.`,
  ],
  graphDisallowed: ({ el, p }) => [
    `An element in ${el.replace(/^Element /, '')}${p} uses @graph, which DTDL does not allow.`,
    'Remove @graph and put the elements directly in the property.',
  ],
  topLevelGraphDisallowed: () => [
    'A document uses @graph, which DTDL does not allow.',
    'Put the Interfaces directly in the document (an object, or an array of objects).',
  ],
  propertyValueNull: ({ el, p }) => [
    `${el}${p || ' property'} is null.`,
    `Give${p || ' the property'} a value, or leave it out if it is optional.`,
  ],
  stringInvalid: ({ el, p, v }) => [
    `${el}${p} has value ${v}, which does not have the required form.`,
    'Names contain only letters, digits and underscores, start with a letter and do not end with an underscore; MQTT topics must follow the topic pattern.',
  ],
  stringTooLong: ({ el, p, v, f }) => [
    `${el}${p} value ${v} is longer than ${f.detail ?? 'the limit of'} characters.`,
    `Shorten${p} to at most ${f.detail ?? 'the allowed number of'} characters.`,
  ],
  valueBelowRange: ({ el, p, v }) => [
    `${el}${p} has value ${v}, below the range of integers it accepts.`,
    `Give${p} a non-negative value within range.`,
  ],
  valueBelowMin: ({ el, p, v, f }) => [
    `${el}${p} has value ${v}, below the minimum ${f.detail ?? ''}.`.replace(' .', '.'),
    `Give${p} a value of at least ${f.detail ?? 'the minimum'}.`,
  ],
  valueAboveRange: ({ el, p, v, f }) => [
    `${el}${p} has value ${v}, above the maximum ${f.detail ?? 'allowed'}.`,
    `Give${p} a value of at most ${f.detail ?? 'the maximum'}.`,
  ],
  valueNotExact: ({ el, p, v, f }) => [
    `${el}${p} has value ${v}, but it must be exactly ${f.detail ?? '0'}.`,
    `Set${p} to ${f.detail ?? '0'} or leave it out.`,
  ],
  objectCountBelowMin: ({ el, p }) => [
    `${el}${p} has no usable value, but at least one is required.`,
    `Give${p} a valid value.`,
  ],
  objectCountAboveMax: ({ el, p, f }) => [
    `${el}${p} has more values than the ${f.detail ?? 'allowed'} it may have.`,
    `Reduce the number of values of${p} (DTDL v2 limits: 300 contents, 2 extends, 100 enum values, 30 fields).`,
  ],
  objectMultipleValues: ({ el, p }) => [`${el}${p} has several values but takes one.`, `Keep a single value for${p}.`],
  propertyCountBelowMin: ({ el, p }) => [
    `${el}${p} has no value left after an invalid one was removed.`,
    `Give${p} a valid value.`,
  ],
  missingLiteralProperty: ({ el, p }) => [`${el} lacks the required${p}.`, `Add${p}.`],
  missingObjectProperty: ({ el, p }) => [`${el} lacks the required${p}.`, `Add${p}.`],
  missingSupplementalLiteralProperty: ({ el, p }) => [`${el} lacks${p}, which its co-type requires.`, `Add${p}.`],
  missingSupplementalObjectProperty: ({ el, p }) => [
    `${el} lacks${p}, which its co-type requires (a semantic type needs a unit).`,
    `Add${p}, e.g. "unit": "degreeCelsius" for a Temperature.`,
  ],
  refNotStringOrObject: ({ el, p }) => [
    `${el}${p} is neither a DTMI or term string nor an element object.`,
    `Give${p} a term (e.g. "double"), a DTMI, or an inline element.`,
  ],
  refObjectNotAllowed: ({ el, p }) => [
    `${el}${p} must name a standard value by its term; inline objects are not allowed here.`,
    `Give${p} a term such as "degreeCelsius".`,
  ],
  badDtmiOrTerm: ({ el, p, v, f }) =>
    hasReservedSegment(f.value)
      ? [
          `${el}${p} has value ${v}, which is not a DTMI a model may refer to: ${RESERVED_SEGMENT}.`,
          'Give the element you mean an @id of its own (segments start with a letter) and refer to that.',
        ]
      : [
          `${el}${p} has value ${v}, which is neither a valid DTMI nor a DTDL${f.detail ? ` v${f.detail}` : ''} term that fits here.`,
          `Use a DTDL term (e.g. "double", "string") or the DTMI of an element defined in the model set.`,
        ],
  incorrectPropertyValue: ({ el, p, v }) => [
    `${el}${p} has value ${v}, which this property does not accept.`,
    `Use one of the allowed values (an Enum valueSchema is "integer" or "string"; a Map key schema is "string").`,
  ],
  nonConformantDatatype: ({ el, p, v, f }) => [
    `${el}${p} value ${v} does not match the valueSchema of Enum ${f.secondaryId ?? ''}.`,
    'Make every enumValue an integer for an integer Enum, or a string for a string Enum.',
  ],
  nonUniquePropertyValue: ({ el, p, v }) => [
    `${el}${p} has more than one element with ${v}.`,
    `Make names (and enum values, MQTT indexes) unique within${p}.`,
  ],
  nonUniqueImportedPropertyValue: ({ el, v, f }) => [
    `${el} gets a content named ${v} from more than one place (its own contents or ${f.secondaryId ?? 'its bases'}).`,
    'Rename one of them: names must be unique across an interface and everything it extends.',
  ],
  disallowedVersionDefinition: ({ el, p, f }) => [
    `${el}${p} contains an inline definition in ${f.value !== undefined ? `DTDL v${f.value}` : 'another DTDL version'}, which this property does not accept from that version.`,
    'Define the element in the same DTDL version as its parent, or refer to it by DTMI.',
  ],
  disallowedVersionReference: ({ el, p, f }) => [
    `${el}${p} refers to ${f.secondaryId ?? 'another element'}, an element of ${f.value !== undefined ? `DTDL v${f.value}` : 'another DTDL version'} this property cannot use.`,
    'Refer to an element of a compatible DTDL version.',
  ],
  // Semantic types, units and extensions.
  notRequiredType: ({ el, p, f }) => [
    `${el}${p} value ${f.secondaryId ?? f.value ?? ''} is not a ${f.type ?? 'value of the required type'}.`,
    f.type?.endsWith('Unit')
      ? `Use a unit of ${f.type ?? 'a co-type'}, e.g. the ones listed for it in the DTDL QuantitativeTypes reference.`
      : `Use a schema that is a ${f.type ?? 'valid type'}.`,
  ],
  notRequiredValue: ({ el, p, f }) => [
    `${el}${p} must be ${f.value ?? 'a specific schema'} for its co-type.`,
    `Set${p} to ${f.value ?? 'the required schema'}.`,
  ],
  wrongParent: ({ el, p, f }) => [
    `${el}${p} value ${f.secondaryId ?? ''} is not a member of ${f.value ?? 'the required unit type'}.`,
    `Pick a unit of ${f.value ?? 'the semantic type'}.`,
  ],
  notSiblingRequiredType: ({ el, v }) => [
    `${el} annotates ${v}, which is not a Property or Telemetry.`,
    'Annotate a Property or Telemetry of the same interface.',
  ],
  noMatchingSupplementalProperty: ({ el, v, f }) => [
    `${el} overrides ${v}, which ${f.secondaryId ?? 'the annotated element'} does not have.`,
    `Override a property the annotated element actually has (e.g. "unit" of a semantic type).`,
  ],
  matchingPropertyNotSupplemental: ({ el, v }) => [
    `${el} overrides ${v}, which is a core DTDL property and cannot be overridden.`,
    'Override only extension properties such as "unit".',
  ],
  multipleReference: ({ el, v }) => [
    `${el} overrides ${v} of the same element more than once.`,
    'Keep one override per property.',
  ],
  siblingPropertyMismatch: ({ el, v }) => [
    `${el} has schema ${v}, which does not fit the property it overrides.`,
    "Use the unit type of the annotated element's semantic type as the schema (e.g. TemperatureUnit for a Temperature).",
  ],
  // Language strings.
  langStringValueTooLong: ({ el, p, f }) => [
    `${el}${p} text is longer than ${f.detail ?? 'the limit of'} characters.`,
    `Shorten${p}.`,
  ],
  langStringNotLangString: ({ el, p }) => [
    `${el}${p} is not a string or a language map.`,
    `Give${p} a string, or an object such as {"en": "…", "de": "…"}.`,
  ],
  langStringInvalidCode: ({ el, p, v }) => [
    `${el}${p} uses ${v}, which is not a language tag.`,
    'Use language tags such as "en", "en-US" or "zh-Hans".',
  ],
  langStringValueNotString: ({ el, p, v }) => [
    `${el}${p} has a non-string text for language ${v}.`,
    'Give each language a string.',
  ],
  langMapObjKeyword: ({ el, p, v }) => [
    `${el}${p} language map has the key ${v}.`,
    'Use language tags as keys, e.g. {"en": "…"}.',
  ],
  langTagValueInLangMap: ({ el, p }) => [
    `${el}${p} is a language-tagged value object where a language map is expected.`,
    `Write${p} as {"en-US": "…"}.`,
  ],
  langStringElementNotStringOrObject: ({ el, p }) => [
    `${el}${p} contains an entry that is neither a string nor a {"@value", "@language"} object.`,
    `Give${p} a string or a language map.`,
  ],
  langStringElementCodeNotString: ({ el, p }) => [
    `${el}${p} has an @language that is not a string.`,
    'Use a language tag string such as "en".',
  ],
  langStringElementInvalidCode: ({ el, p }) => [
    `${el}${p} has an @language that is not a valid language tag.`,
    'Use a language tag such as "en" or "en-US".',
  ],
  langStringCodeNotUnique: ({ el, p, v }) => [
    `${el}${p} language map gives language ${v} more than once.`,
    'Give each language code once in the map.',
  ],
  langStringElementCodeNotUnique: ({ el, p, v }) => [
    `${el}${p} gives more than one text for language ${v}.`,
    'Give each language once (an untagged string counts as "en").',
  ],
  langStringElementNoValue: ({ el, p }) => [
    `${el}${p} has an entry without "@value".`,
    'Give each entry an "@value" string.',
  ],
  langStringElementValueNotString: ({ el, p }) => [
    `${el}${p} has an entry whose @value is not a string.`,
    'Make each @value a string.',
  ],
  langStringElementInvalidProp: ({ el, p, v }) => [
    `${el}${p} has an entry with the key ${v}.`,
    'Use only "@value" and "@language" in entries.',
  ],
  langStringElementContext: ({ el, p }) => [`${el}${p} has an entry with @context.`, 'Remove @context from the entry.'],
  langStringElementGraph: ({ el, p }) => [`${el}${p} has an entry with @graph.`, 'Remove @graph from the entry.'],
  langStringElementId: ({ el, p }) => [`${el}${p} has an entry with @id.`, 'Remove @id from the entry.'],
  langStringElementType: ({ el, p }) => [`${el}${p} has an entry with @type.`, 'Remove @type from the entry.'],
  langStringElementKeyword: ({ el, p, v }) => [
    `${el}${p} has an entry with the keyword ${v}.`,
    `Remove ${v} from the entry.`,
  ],
  // Value objects.
  literalTypeNotSingular: ({ el, p }) => [
    `${el}${p} is a value object with more than one @type.`,
    'Give a single @type, or a plain value.',
  ],
  valueObjectContext: ({ el, p }) => [
    `${el}${p} is a value object with @context.`,
    'Remove @context from the value object, or give a plain value.',
  ],
  valueObjectGraph: ({ el, p }) => [
    `${el}${p} is a value object with @graph.`,
    'Remove @graph, or give a plain value.',
  ],
  valueObjectId: ({ el, p }) => [`${el}${p} is a value object with @id.`, 'Remove @id, or give a plain value.'],
  valueObjectLanguage: ({ el, p }) => [
    `${el}${p} is a value object with @language, but it is not a language string.`,
    'Remove @language, or give a plain value.',
  ],
  valueObjectKeyword: ({ el, p, v }) => [
    `${el}${p} is a value object with the keyword ${v}.`,
    `Remove ${v}, or give a plain value.`,
  ],
  valueObjectInvalidProp: ({ el, p, v }) => [
    `${el}${p} is an object with the key ${v}, not a value.`,
    `Give${p} a plain value.`,
  ],
  // Structure.
  recursiveStructureNarrow: ({ el, p }) => [
    `${el} contains itself through${p ? p.replace(" property '", ' ').replace(/'$/, '') : ' extends or components'}.`,
    'Break the cycle: an interface cannot extend or contain itself, directly or indirectly.',
  ],
  recursiveStructureWide: ({ el }) => [
    `${el} is a schema that contains itself.`,
    'DTDL v2 and v3 schemas cannot be recursive; remove the self-reference.',
  ],
  excessiveDepthNarrow: ({ el, f }) => [
    `${el} has an extends chain deeper than 10 levels (down to ${f.secondaryId ?? 'a distant base'}).`,
    'Flatten the hierarchy to at most 10 levels of extends.',
  ],
  excessiveDepthWide: ({ el, f }) => [
    `${el} nests complex schemas deeper than ${f.detail ?? '5'} levels (down to ${f.secondaryId ?? 'a deep schema'}).`,
    'Flatten the schema to at most 5 levels of Array, Map and Object nesting.',
  ],
  excessiveCount: ({ el, f }) =>
    f.property?.includes('extends')
      ? [
          `${el} has more than ${f.detail ?? '1024'} interfaces in its extends hierarchy.`,
          'Reduce the number of interfaces it inherits from.',
        ]
      : [
          `${el} has more than ${f.detail ?? '100000'} elements in its hierarchy (contents, schemas, fields, enum values, inherited ones included).`,
          'Split it into smaller interfaces or simplify its schemas.',
        ],
  // Layers.
  inconsistentStringValues: ({ el, p }) => [
    `Two definitions of ${el.replace(/^Element /, '')} give different values for${p}.`,
    'Make the definitions agree.',
  ],
  inconsistentIntegerValues: ({ el, p }) => [
    `Two definitions of ${el.replace(/^Element /, '')} give different values for${p}.`,
    'Make the definitions agree.',
  ],
  inconsistentBooleanValues: ({ el, p }) => [
    `Two definitions of ${el.replace(/^Element /, '')} give different values for${p}.`,
    'Make the definitions agree.',
  ],
  inconsistentLangStringValues: ({ el, p }) => [
    `Two definitions of ${el.replace(/^Element /, '')} give different texts for one language of${p}.`,
    'Make the definitions agree.',
  ],
  inconsistentObjectValues: ({ el, p }) => [
    `Two definitions of ${el.replace(/^Element /, '')} give different values for${p}.`,
    'Make the definitions agree.',
  ],
  inconsistentIdentifierValues: ({ el, p }) => [
    `Two definitions of ${el.replace(/^Element /, '')} name different targets for${p}.`,
    'Make the definitions agree.',
  ],
  inconsistentContext: ({ el, f }) => [
    `${el} is defined in more than one DTDL version${f.value !== undefined ? ` (one definition is DTDL v${String(f.value)})` : ''}.`,
    'Write every definition (base and layers) of the element in the same DTDL version.',
  ],
  inconsistentParent: ({ el, f }) => [
    `Two definitions of ${el.replace(/^Element /, '')} place it under different parents${f.secondaryId ? ` (one under ${f.secondaryId})` : ''}.`,
    'Define the element under one parent only; a layer may add to it but not move it.',
  ],
};

export function describeError(code: string, fields: ErrorFields): { cause: string; action: string } {
  const parts: Parts = {
    el: fields.primaryId ? `Element ${fields.primaryId}` : 'The document',
    p: fields.property ? ` property '${fields.property}'` : ' a property',
    v: fields.value !== undefined ? `'${String(fields.value)}'` : 'its value',
    f: fields,
  };
  const template = TEMPLATES[code];
  if (template) {
    const [cause, action] = template(parts);
    return { cause, action };
  }
  const bits = [`${parts.el} breaks DTDL rule '${code}'`];
  if (fields.property) bits.push(`in${parts.p}`);
  if (fields.value !== undefined) bits.push(`(value ${parts.v})`);
  if (fields.secondaryId) bits.push(`involving ${fields.secondaryId}`);
  return {
    cause: bits.join(' ') + '.',
    action: 'Correct the element so that it follows the DTDL specification (aka.ms/dtdl).',
  };
}

/** Every validation id with its own wording (the rest fall back to a generic sentence). */
export const DESCRIBED_CODES: ReadonlySet<string> = new Set(Object.keys(TEMPLATES));
