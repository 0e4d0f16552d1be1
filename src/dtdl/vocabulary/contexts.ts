// The DTDL vocabulary: data, not project logic. Term tables from the DTDL language definition (MIT licence):
// digitaltwinconsortium/DTDLParser (dtdl/dtdl_digest.json, commit 83fb834) and Azure/opendigitaltwins-dtdl
// (DTDL v2/v3/v4 language documents, context and metamodel files). Generated, then checked by
// test/dtdl/vocabulary.test.ts against the context and metamodel files of ../shared/dtdl/spec where present.

export interface ContextDefinition {
  /** The context specifier, e.g. 'dtmi:dtdl:context;3' or 'dtmi:dtdl:extension:annotation;2'. */
  readonly id: string;
  /** The DTDL language version the context belongs to or is usable with (v3 feature extensions: 3). */
  readonly dtdlVersion: 2 | 3;
  /** Every DTDL term the context defines, with its IRI (a DTMI) exactly as the context defines it. */
  readonly terms: ReadonlyMap<string, string>;
}

/** [IRI prefix, IRI suffix, terms]: each term's IRI is prefix + term + suffix. */
type TermGroup = readonly [prefix: string, suffix: string, terms: readonly string[]];

function terms(
  groups: readonly TermGroup[],
  explicit: readonly (readonly [term: string, iri: string])[] = [],
): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const [prefix, suffix, names] of groups) for (const name of names) map.set(name, prefix + name + suffix);
  for (const [term, iri] of explicit) map.set(term, iri);
  return map;
}

/**
 * dtmi:dtdl:context;2 — the DTDL v2 language, including its built-in semantic types, unit types, unit prefixes and
 * units (v2 has no quantitativeTypes extension). Source: the DTDLParser digest's "dtmi:dtdl:context;2" entry, which
 * equals Azure/opendigitaltwins-dtdl DTDL/v2/context/DTDL.v2.context.json except that the digest also defines
 * languageMajorVersion and does not define wattHour (which no v2 unit type contains).
 */
export const DTDL_V2_CONTEXT: ContextDefinition = {
  id: 'dtmi:dtdl:context;2',
  dtdlVersion: 2,
  terms: terms(
    [
      ['dtmi:dtdl:class:', ';2', [
        'Array', 'Boolean', 'Command', 'CommandPayload', 'CommandType', 'ComplexSchema', 'Component', 'Content',
        'Date', 'DateTime', 'Double', 'Duration', 'Entity', 'Enum', 'EnumValue', 'Field', 'Float', 'Integer',
        'Interface', 'Long', 'Map', 'MapKey', 'MapValue', 'NamedEntity', 'NumericSchema', 'Object', 'PrimitiveSchema',
        'Property', 'Relationship', 'Schema', 'SchemaField', 'SemanticType', 'SemanticUnit', 'String', 'Telemetry',
        'TemporalSchema', 'Time', 'Unit', 'UnitAttribute',
      ]],
      ['dtmi:dtdl:instance:Schema:', ';2', [
        'boolean', 'date', 'dateTime', 'double', 'duration', 'float', 'integer', 'long', 'string', 'time',
      ]],
      ['dtmi:dtdl:property:', ';2', [
        'baseUnit', 'bottomUnit', 'commandType', 'comment', 'contents', 'description', 'displayName', 'elementSchema',
        'enumValue', 'enumValues', 'exponent', 'extends', 'fields', 'languageMajorVersion', 'mapKey', 'mapValue',
        'maxMultiplicity', 'minMultiplicity', 'name', 'prefix', 'properties', 'request', 'response', 'schema',
        'schemas', 'symbol', 'target', 'topUnit', 'unit', 'valueSchema', 'writable',
      ]],
      ['dtmi:standard:class:', ';2', [
        'Acceleration', 'AccelerationUnit', 'Angle', 'AngleUnit', 'AngularAcceleration', 'AngularAccelerationUnit',
        'AngularVelocity', 'AngularVelocityUnit', 'Area', 'AreaUnit', 'BinaryPrefix', 'BinaryUnit', 'Capacitance',
        'CapacitanceUnit', 'ChargeUnit', 'Current', 'CurrentUnit', 'DataRate', 'DataRateUnit', 'DataSize',
        'DataSizeUnit', 'DecimalPrefix', 'DecimalUnit', 'Density', 'DensityUnit', 'Distance', 'ElectricCharge',
        'Energy', 'EnergyUnit', 'Force', 'ForceUnit', 'Frequency', 'FrequencyUnit', 'Humidity', 'Illuminance',
        'IlluminanceUnit', 'Inductance', 'InductanceUnit', 'Latitude', 'Length', 'LengthUnit', 'Longitude',
        'Luminance', 'LuminanceUnit', 'Luminosity', 'LuminousFlux', 'LuminousFluxUnit', 'LuminousIntensity',
        'LuminousIntensityUnit', 'MagneticFlux', 'MagneticFluxUnit', 'MagneticInduction', 'MagneticInductionUnit',
        'Mass', 'MassFlowRate', 'MassFlowRateUnit', 'MassUnit', 'Power', 'PowerUnit', 'Pressure', 'PressureUnit',
        'QuantitativeType', 'RatioUnit', 'RelativeHumidity', 'Resistance', 'ResistanceUnit', 'SoundPressure',
        'SoundPressureUnit', 'Temperature', 'TemperatureUnit', 'Thrust', 'TimeSpan', 'TimeUnit', 'Torque',
        'TorqueUnit', 'Unitless', 'Velocity', 'VelocityUnit', 'Voltage', 'VoltageUnit', 'Volume', 'VolumeFlowRate',
        'VolumeFlowRateUnit', 'VolumeUnit',
      ]],
      ['dtmi:standard:schema:geospatial:', ';2', [
        'lineString', 'multiLineString', 'multiPoint', 'multiPolygon', 'point', 'polygon',
      ]],
      ['dtmi:standard:unit:', ';2', [
        'acre', 'ampere', 'astronomicalUnit', 'bar', 'bel', 'bit', 'bitPerSecond', 'byte', 'bytePerSecond', 'candela',
        'candelaPerSquareMetre', 'centimetre', 'centimetrePerSecond', 'centimetrePerSecondSquared', 'coulomb',
        'cubicCentimetre', 'cubicFoot', 'cubicInch', 'cubicMetre', 'day', 'decibel', 'degreeCelsius',
        'degreeFahrenheit', 'degreeOfArc', 'degreePerSecond', 'electronvolt', 'exbibit', 'exbibitPerSecond',
        'exbibyte', 'exbibytePerSecond', 'farad', 'fluidOunce', 'foot', 'footcandle', 'gallon', 'gForce', 'gibibit',
        'gibibitPerSecond', 'gibibyte', 'gibibytePerSecond', 'gigahertz', 'gigajoule', 'gigawatt', 'gram',
        'gramPerCubicMetre', 'gramPerHour', 'gramPerSecond', 'hectare', 'henry', 'hertz', 'horsepower', 'hour',
        'inch', 'inchesOfMercury', 'inchesOfWater', 'joule', 'kelvin', 'kibibit', 'kibibitPerSecond', 'kibibyte',
        'kibibytePerSecond', 'kilogram', 'kilogramPerCubicMetre', 'kilogramPerHour', 'kilogramPerSecond', 'kilohertz',
        'kilojoule', 'kilometre', 'kilometrePerHour', 'kilometrePerSecond', 'kiloohm', 'kilopascal', 'kilovolt',
        'kilowatt', 'kilowattHour', 'kilowattHourPerYear', 'knot', 'litre', 'litrePerHour', 'litrePerSecond', 'lumen',
        'lux', 'maxwell', 'mebibit', 'mebibitPerSecond', 'mebibyte', 'mebibytePerSecond', 'megaelectronvolt',
        'megahertz', 'megajoule', 'megaohm', 'megavolt', 'megawatt', 'metre', 'metrePerHour', 'metrePerSecond',
        'metrePerSecondSquared', 'microampere', 'microfarad', 'microgram', 'microhenry', 'micrometre', 'microsecond',
        'microvolt', 'microwatt', 'mile', 'milePerHour', 'milePerSecond', 'milliampere', 'millibar', 'millifarad',
        'milligram', 'millihenry', 'millilitre', 'millilitrePerHour', 'millilitrePerSecond', 'millimetre',
        'millimetresOfMercury', 'milliohm', 'millisecond', 'millivolt', 'milliwatt', 'minute', 'minuteOfArc',
        'nanofarad', 'nanometre', 'nanosecond', 'nauticalMile', 'newton', 'newtonMetre', 'ohm', 'ounce', 'pascal',
        'percent', 'picofarad', 'pound', 'poundPerSquareInch', 'radian', 'radianPerSecond', 'radianPerSecondSquared',
        'revolutionPerMinute', 'revolutionPerSecond', 'second', 'secondOfArc', 'slug', 'squareCentimetre',
        'squareFoot', 'squareInch', 'squareKilometre', 'squareMetre', 'squareMillimetre', 'tebibit',
        'tebibitPerSecond', 'tebibyte', 'tebibytePerSecond', 'tesla', 'ton', 'tonne', 'turn', 'unity', 'volt', 'watt',
        'weber', 'year', 'yobibit', 'yobibitPerSecond', 'yobibyte', 'yobibytePerSecond', 'zebibit',
        'zebibitPerSecond', 'zebibyte', 'zebibytePerSecond',
      ]],
      ['dtmi:standard:unitprefix:', ';2', [
        'atto', 'centi', 'deci', 'deka', 'exa', 'exbi', 'femto', 'gibi', 'giga', 'hecto', 'kibi', 'kilo', 'mebi',
        'mega', 'micro', 'milli', 'nano', 'pebi', 'peta', 'pico', 'tebi', 'tera', 'yobi', 'yocto', 'yotta', 'zebi',
        'zepto', 'zetta',
      ]],
    ],
    [
      ['asynchronous', 'dtmi:dtdl:instance:CommandType:asynchronous;2'],
      ['synchronous', 'dtmi:dtdl:instance:CommandType:synchronous;2'],
    ],
  ),
};

/** dtmi:dtdl:context;3 — DTDL.v3.context.json (same terms as the digest and the v3 spec's reserved strings). */
export const DTDL_V3_CONTEXT: ContextDefinition = {
  id: 'dtmi:dtdl:context;3',
  dtdlVersion: 3,
  terms: terms(
    [
      ['dtmi:dtdl:class:', ';3', [
        'AdjunctType', 'Alias', 'Array', 'Boolean', 'Command', 'CommandPayload', 'CommandRequest', 'CommandResponse',
        'CommandType', 'ComplexSchema', 'Component', 'Content', 'Date', 'DateTime', 'Double', 'Duration', 'Entity',
        'Enum', 'EnumValue', 'Field', 'Float', 'Integer', 'Interface', 'LatentType', 'Long', 'Map', 'MapKey',
        'MapValue', 'NamedEntity', 'NamedLatentType', 'NumericSchema', 'Object', 'PrimitiveSchema', 'Property',
        'Relationship', 'Schema', 'SchemaField', 'SemanticType', 'SemanticUnit', 'String', 'Telemetry',
        'TemporalSchema', 'Time', 'Unit', 'UnitAttribute',
      ]],
      ['dtmi:dtdl:instance:Schema:', ';3', [
        'boolean', 'date', 'dateTime', 'double', 'duration', 'float', 'integer', 'long', 'string', 'time',
      ]],
      ['dtmi:dtdl:meta:', ';3', [
        'DtdlExtension', 'metamodel', 'model',
      ]],
      ['dtmi:dtdl:property:', ';3', [
        'aliasFor', 'commandType', 'comment', 'contents', 'description', 'displayName', 'elementSchema', 'enumValue',
        'enumValues', 'exponent', 'extends', 'fields', 'languageMajorVersion', 'mapKey', 'mapValue',
        'maxMultiplicity', 'minMultiplicity', 'name', 'properties', 'request', 'response', 'schema', 'schemas',
        'symbol', 'target', 'valueSchema', 'writable',
      ]],
      ['dtmi:standard:schema:geospatial:', ';3', [
        'lineString', 'multiLineString', 'multiPoint', 'multiPolygon', 'point', 'polygon',
      ]],
    ],
    [
      ['asynchronous', 'dtmi:dtdl:instance:CommandType:asynchronous;3'],
      ['synchronous', 'dtmi:dtdl:instance:CommandType:synchronous;3'],
    ],
  ),
};

/**
 * Feature-extension contexts usable with DTDL v3, keyed by context id: quantitativeTypes;1, historization;1/2,
 * annotation;1/2, overriding;1/2, mqtt;1/2/3, requirement;1. The v1 contexts come from the
 * DTDL.FeatureExtension.*.v1.context.json files; the others from the DTDLParser digest. Also holds IoT Central's
 * partner extension dtmi:iotcentral:context;2 (DTDL v2 only), which the parser resolves through this map.
 */
export const EXTENSION_CONTEXTS: ReadonlyMap<string, ContextDefinition> = new Map<string, ContextDefinition>(
  (
    [
      {
        id: 'dtmi:dtdl:extension:quantitativeTypes;1',
        dtdlVersion: 3,
        terms: terms(
          [
            ['dtmi:dtdl:extension:quantitativeTypes:v1:class:', '', [
              'Acceleration', 'Angle', 'AngularAcceleration', 'AngularVelocity', 'ApparentEnergy', 'ApparentPower',
              'Area', 'BinaryUnit', 'Capacitance', 'Concentration', 'Current', 'DataRate', 'DataSize', 'DecimalUnit',
              'Density', 'Distance', 'ElectricCharge', 'Energy', 'EnergyRate', 'Force', 'Frequency', 'Humidity',
              'Illuminance', 'Inductance', 'IonizingRadiationDose', 'Irradiance', 'Latitude', 'Length', 'Longitude',
              'Luminance', 'Luminosity', 'LuminousFlux', 'LuminousIntensity', 'MagneticFlux', 'MagneticInduction',
              'Mass', 'MassFlowRate', 'Power', 'Pressure', 'QuantitativeType', 'Radioactivity', 'RatioUnit',
              'ReactiveEnergy', 'ReactivePower', 'RelativeDensity', 'RelativeHumidity', 'Resistance', 'SoundPressure',
              'SymbolicUnit', 'Temperature', 'Thrust', 'TimeSpan', 'Torque', 'UnitPrefix', 'Velocity', 'Voltage',
              'Volume', 'VolumeFlowRate',
            ]],
            ['dtmi:dtdl:extension:quantitativeTypes:v1:enum:', '', [
              'AccelerationUnit', 'AngleUnit', 'AngularAccelerationUnit', 'AngularVelocityUnit', 'ApparentEnergyUnit',
              'ApparentPowerUnit', 'AreaUnit', 'BinaryPrefix', 'CapacitanceUnit', 'ChargeUnit', 'CurrentUnit',
              'DataRateUnit', 'DataSizeUnit', 'DecimalPrefix', 'DensityUnit', 'EnergyUnit', 'ForceUnit',
              'FrequencyUnit', 'IlluminanceUnit', 'InductanceUnit', 'IonizingRadiationDoseUnit', 'IrradianceUnit',
              'LengthUnit', 'LuminanceUnit', 'LuminousFluxUnit', 'LuminousIntensityUnit', 'MagneticFluxUnit',
              'MagneticInductionUnit', 'MassFlowRateUnit', 'MassUnit', 'PowerUnit', 'PressureUnit',
              'RadioactivityUnit', 'ReactiveEnergyUnit', 'ReactivePowerUnit', 'ResistanceUnit', 'SoundPressureUnit',
              'TemperatureUnit', 'TimeUnit', 'TorqueUnit', 'Unitless', 'VelocityUnit', 'VoltageUnit',
              'VolumeFlowRateUnit', 'VolumeUnit',
            ]],
            ['dtmi:dtdl:extension:quantitativeTypes:v1:property:', '', [
              'baseUnit', 'bottomUnit', 'prefix', 'topUnit', 'unit',
            ]],
            ['dtmi:dtdl:extension:quantitativeTypes:v1:unit:', '', [
              'acre', 'ampere', 'ampereHour', 'astronomicalUnit', 'bar', 'becquerel', 'bel', 'bit', 'bitPerSecond',
              'britishThermalUnit', 'britishThermalUnitPerHour', 'byte', 'bytePerSecond', 'candela',
              'candelaPerSquareMetre', 'centimetre', 'centimetrePerSecond', 'centimetrePerSecondSquared', 'coulomb',
              'cubicCentimetre', 'cubicFoot', 'cubicFootPerMinute', 'cubicInch', 'cubicMetre', 'cubicMetrePerHour',
              'cubicMetrePerMinute', 'cubicMetrePerSecond', 'day', 'decapascal', 'decibel', 'degreeCelsius',
              'degreeFahrenheit', 'degreeOfArc', 'degreePerSecond', 'electronvolt', 'exbibit', 'exbibitPerSecond',
              'exbibyte', 'exbibytePerSecond', 'farad', 'fluidOunce', 'foot', 'footcandle', 'gallon', 'gallonPerHour',
              'gallonPerMinute', 'gauss', 'gForce', 'gibibit', 'gibibitPerSecond', 'gibibyte', 'gibibytePerSecond',
              'gigabecquerel', 'gigahertz', 'gigajoule', 'gigajoulePerHour', 'gigavoltAmpere', 'gigavoltAmpereHour',
              'gigavoltAmpereReactive', 'gigavoltAmpereReactiveHour', 'gigawatt', 'gigawattHour', 'gram',
              'gramPerCubicMetre', 'gramPerHour', 'gramPerSecond', 'gray', 'hectare', 'hectopascal', 'henry', 'hertz',
              'horsepower', 'hour', 'inch', 'inchesOfMercury', 'inchesOfWater', 'joule', 'joulePerHour',
              'joulePerSecond', 'kelvin', 'kibibit', 'kibibitPerSecond', 'kibibyte', 'kibibytePerSecond',
              'kiloampere', 'kilobecquerel', 'kiloBritishThermalUnit', 'kiloBritishThermalUnitPerHour', 'kilogram',
              'kilogramPerCubicMetre', 'kilogramPerHour', 'kilogramPerSecond', 'kilohertz', 'kilojoule',
              'kilojoulePerHour', 'kilojoulePerSecond', 'kilometre', 'kilometrePerHour', 'kilometrePerSecond',
              'kiloohm', 'kilopascal', 'kilovolt', 'kilovoltAmpere', 'kilovoltAmpereHour', 'kilovoltAmpereReactive',
              'kilovoltAmpereReactiveHour', 'kilowatt', 'kilowattHour', 'kilowattHourPerYear', 'knot', 'litre',
              'litrePerHour', 'litrePerMinute', 'litrePerSecond', 'lumen', 'lux', 'massPound', 'massPoundPerHour',
              'maxwell', 'mebibit', 'mebibitPerSecond', 'mebibyte', 'mebibytePerSecond', 'megabecquerel',
              'megaelectronvolt', 'megahertz', 'megajoule', 'megajoulePerHour', 'megaohm', 'megavolt',
              'megavoltAmpere', 'megavoltAmpereHour', 'megavoltAmpereReactive', 'megavoltAmpereReactiveHour',
              'megawatt', 'megawattHour', 'metre', 'metrePerHour', 'metrePerSecond', 'metrePerSecondSquared',
              'microampere', 'microfarad', 'microgram', 'microgramPerCubicMetre', 'microgray', 'microhenry',
              'micrometre', 'microsecond', 'microsievert', 'microvolt', 'microwatt', 'mile', 'milePerHour',
              'milePerSecond', 'milliampere', 'milliampereHour', 'millibar', 'millifarad', 'milligram',
              'milligramPerCubicMetre', 'milligray', 'millihenry', 'millihertz', 'millilitre', 'millilitrePerHour',
              'millilitrePerMinute', 'millilitrePerSecond', 'millimetre', 'millimetresOfMercury', 'milliohm',
              'millisecond', 'millisievert', 'millivolt', 'millivoltAmpere', 'millivoltAmpereReactive', 'milliwatt',
              'milliwattHour', 'minute', 'minuteOfArc', 'nanofarad', 'nanometre', 'nanosecond', 'nauticalMile',
              'newton', 'newtonMetre', 'ohm', 'ounce', 'partsPerBillion', 'partsPerMillion', 'partsPerQuadrillion',
              'partsPerTrillion', 'pascal', 'percent', 'picofarad', 'pound', 'poundPerSquareInch', 'radian',
              'radianPerSecond', 'radianPerSecondSquared', 'revolutionPerMinute', 'revolutionPerSecond', 'second',
              'secondOfArc', 'sievert', 'slug', 'squareCentimetre', 'squareFoot', 'squareInch', 'squareKilometre',
              'squareMetre', 'squareMillimetre', 'tebibit', 'tebibitPerSecond', 'tebibyte', 'tebibytePerSecond',
              'terawattHour', 'tesla', 'ton', 'tonne', 'tonOfRefrigeration', 'turn', 'unity', 'volt', 'voltAmpere',
              'voltAmpereHour', 'voltAmpereReactive', 'voltAmpereReactiveHour', 'watt', 'wattHour',
              'wattPerSquareMetre', 'weber', 'year', 'yobibit', 'yobibitPerSecond', 'yobibyte', 'yobibytePerSecond',
              'zebibit', 'zebibitPerSecond', 'zebibyte', 'zebibytePerSecond',
            ]],
            ['dtmi:dtdl:extension:quantitativeTypes:v1:unitprefix:', '', [
              'atto', 'centi', 'deca', 'deci', 'exa', 'exbi', 'femto', 'gibi', 'giga', 'hecto', 'kibi', 'kilo',
              'mebi', 'mega', 'micro', 'milli', 'nano', 'pebi', 'peta', 'pico', 'tebi', 'tera', 'yobi', 'yocto',
              'yotta', 'zebi', 'zepto', 'zetta',
            ]],
          ],
          [
            ['EnergyRateUnit', 'dtmi:dtdl:extension:quantitativeTypes:v1:enum:PowerUnit'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:historization;1',
        dtdlVersion: 3,
        terms: terms(
          [],
          [
            ['Historized', 'dtmi:dtdl:extension:historization:v1:Historized'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:historization;2',
        dtdlVersion: 3,
        terms: terms(
          [],
          [
            ['Historized', 'dtmi:dtdl:extension:historization:v2:Historized'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:annotation;1',
        dtdlVersion: 3,
        terms: terms(
          [],
          [
            ['annotates', 'dtmi:dtdl:extension:annotation:v1:ValueAnnotation:annotates'],
            ['ValueAnnotation', 'dtmi:dtdl:extension:annotation:v1:ValueAnnotation'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:annotation;2',
        dtdlVersion: 3,
        terms: terms(
          [],
          [
            ['annotates', 'dtmi:dtdl:extension:annotation:v2:ValueAnnotation:annotates'],
            ['ValueAnnotation', 'dtmi:dtdl:extension:annotation:v2:ValueAnnotation'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:overriding;1',
        dtdlVersion: 3,
        terms: terms(
          [],
          [
            ['Override', 'dtmi:dtdl:extension:overriding:v1:Override'],
            ['overrides', 'dtmi:dtdl:extension:overriding:v1:Override:overrides'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:overriding;2',
        dtdlVersion: 3,
        terms: terms(
          [],
          [
            ['Override', 'dtmi:dtdl:extension:overriding:v2:Override'],
            ['overrides', 'dtmi:dtdl:extension:overriding:v2:Override:overrides'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:mqtt;1',
        dtdlVersion: 3,
        terms: terms(
          [
            ['dtmi:dtdl:extension:mqtt:v1:', '', [
              'Cacheable', 'Idempotent', 'Indexed', 'Mqtt',
            ]],
            ['dtmi:dtdl:extension:mqtt:v1:Mqtt:', '', [
              'commandTopic', 'payloadFormat', 'telemetryTopic',
            ]],
          ],
          [
            ['index', 'dtmi:dtdl:extension:mqtt:v1:Indexed:index'],
            ['ttl', 'dtmi:dtdl:extension:mqtt:v1:Cacheable:ttl'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:mqtt;2',
        dtdlVersion: 3,
        terms: terms(
          [
            ['dtmi:dtdl:extension:mqtt:v2:', '', [
              'Cacheable', 'Idempotent', 'Indexed', 'Mqtt', 'Transparent',
            ]],
            ['dtmi:dtdl:extension:mqtt:v2:Mqtt:', '', [
              'cmdServiceGroupId', 'commandTopic', 'payloadFormat', 'telemetryTopic', 'telemServiceGroupId',
            ]],
          ],
          [
            ['index', 'dtmi:dtdl:extension:mqtt:v2:Indexed:index'],
            ['ttl', 'dtmi:dtdl:extension:mqtt:v2:Cacheable:ttl'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:mqtt;3',
        dtdlVersion: 3,
        terms: terms(
          [
            ['dtmi:dtdl:extension:mqtt:v3:', '', [
              'Cacheable', 'Error', 'ErrorMessage', 'ErrorResult', 'Idempotent', 'Indexed', 'Mqtt', 'NormalResult',
              'Result', 'Transparent',
            ]],
            ['dtmi:dtdl:extension:mqtt:v3:Mqtt:', '', [
              'cmdServiceGroupId', 'commandTopic', 'payloadFormat', 'telemetryTopic', 'telemServiceGroupId',
            ]],
          ],
          [
            ['index', 'dtmi:dtdl:extension:mqtt:v3:Indexed:index'],
            ['ttl', 'dtmi:dtdl:extension:mqtt:v3:Cacheable:ttl'],
          ],
        ),
      },
      {
        id: 'dtmi:dtdl:extension:requirement;1',
        dtdlVersion: 3,
        terms: terms(
          [],
          [
            ['Required', 'dtmi:dtdl:extension:requirement:v1:Required'],
          ],
        ),
      },
      {
        id: 'dtmi:iotcentral:context;2',
        dtdlVersion: 2,
        terms: terms(
          [
            ['dtmi:iotcentral:class:', ';2', [
              'AccelerationVector', 'Event', 'Location', 'State', 'VelocityVector',
            ]],
          ],
          [
            ['geopoint', 'dtmi:iotcentral:schema:geopoint;2'],
            ['vector', 'dtmi:iotcentral:schema:vector;2'],
          ],
        ),
      },
    ] satisfies ContextDefinition[]
  ).map((ctx) => [ctx.id, ctx]),
);

/**
 * The reserved strings of DTDL v3 (DTDL.Specification.v3.md §Reserved strings): the table's "Term" column. Its
 * "DTMI" column holds each term's IRI in dtmi:dtdl:context;3, so RESERVED_TERMS_V3 equals that context's term set.
 * DTDL v2 has no reserved-strings list, only the reserved identifier prefixes dtmi:dtdl: and dtmi:standard:.
 */
export const RESERVED_TERMS_V3: ReadonlySet<string> = new Set<string>([
  'AdjunctType', 'Alias', 'aliasFor', 'Array', 'asynchronous', 'Boolean', 'boolean', 'Command', 'CommandPayload',
  'CommandRequest', 'CommandResponse', 'CommandType', 'commandType', 'comment', 'ComplexSchema', 'Component',
  'Content', 'contents', 'Date', 'date', 'DateTime', 'dateTime', 'description', 'displayName', 'Double', 'double',
  'DtdlExtension', 'Duration', 'duration', 'elementSchema', 'Entity', 'Enum', 'EnumValue', 'enumValue', 'enumValues',
  'exponent', 'extends', 'Field', 'fields', 'Float', 'float', 'Integer', 'integer', 'Interface',
  'languageMajorVersion', 'LatentType', 'lineString', 'Long', 'long', 'Map', 'MapKey', 'mapKey', 'MapValue',
  'mapValue', 'maxMultiplicity', 'metamodel', 'minMultiplicity', 'model', 'multiLineString', 'multiPoint',
  'multiPolygon', 'name', 'NamedEntity', 'NamedLatentType', 'NumericSchema', 'Object', 'point', 'polygon',
  'PrimitiveSchema', 'properties', 'Property', 'Relationship', 'request', 'response', 'Schema', 'schema',
  'SchemaField', 'schemas', 'SemanticType', 'SemanticUnit', 'String', 'string', 'symbol', 'synchronous', 'target',
  'Telemetry', 'TemporalSchema', 'Time', 'time', 'Unit', 'UnitAttribute', 'valueSchema', 'writable',
]);
