// The DTDL vocabulary: data, not project logic. Term tables from the DTDL language definition (MIT licence):
// digitaltwinconsortium/DTDLParser (dtdl/dtdl_digest.json, commit 83fb834) and Azure/opendigitaltwins-dtdl
// (DTDL v2/v3/v4 language documents, context and metamodel files). Generated, then checked by
// test/dtdl/vocabulary.test.ts against the context and metamodel files of ../shared/dtdl/spec where present.

export interface QuantitativeVocabulary {
  /** semantic type term → the unit type its `unit` must come from, e.g. 'Temperature' → 'TemperatureUnit' */
  readonly semanticTypes: ReadonlyMap<string, string>;
  /** unit type term → the unit terms in it */
  readonly unitTypes: ReadonlyMap<string, readonly string[]>;
  /** unit term → every unit type containing it */
  readonly units: ReadonlyMap<string, readonly string[]>;
  /** further context terms naming a unit type (quantitativeTypes;1: 'EnergyRateUnit' is the PowerUnit enum) */
  readonly aliases: ReadonlyMap<string, string>;
}

function vocabulary(
  semanticTypes: readonly (readonly [string, string])[],
  unitTypes: readonly (readonly [string, readonly string[]])[],
  aliases: readonly (readonly [string, string])[] = [],
): QuantitativeVocabulary {
  const units = new Map<string, string[]>();
  for (const [unitType, members] of unitTypes) {
    for (const unit of members) units.set(unit, [...(units.get(unit) ?? []), unitType]);
  }
  return { semanticTypes: new Map(semanticTypes), unitTypes: new Map(unitTypes), units, aliases: new Map(aliases) };
}

/**
 * DTDL v2's built-in semantic types and units: the table in DTDL.v2.md §Semantic Type (the unit terms are exactly the
 * dtmi:standard:unit:…;2 terms of dtmi:dtdl:context;2). 42 semantic types, 36 unit types, 172 units.
 * Unit types shared by several semantic types: AngleUnit (Angle, Latitude, Longitude); DensityUnit (Density,
 * Humidity); ForceUnit (Force, Thrust); LengthUnit (Distance, Length); PowerUnit (Luminosity, Power). Unit types
 * without a semantic type: none.
 */
export const QUANTITATIVE_V2: QuantitativeVocabulary = vocabulary(
  [
    ['Acceleration', 'AccelerationUnit'],
    ['Angle', 'AngleUnit'],
    ['AngularAcceleration', 'AngularAccelerationUnit'],
    ['AngularVelocity', 'AngularVelocityUnit'],
    ['Area', 'AreaUnit'],
    ['Capacitance', 'CapacitanceUnit'],
    ['Current', 'CurrentUnit'],
    ['DataRate', 'DataRateUnit'],
    ['DataSize', 'DataSizeUnit'],
    ['Density', 'DensityUnit'],
    ['Distance', 'LengthUnit'],
    ['ElectricCharge', 'ChargeUnit'],
    ['Energy', 'EnergyUnit'],
    ['Force', 'ForceUnit'],
    ['Frequency', 'FrequencyUnit'],
    ['Humidity', 'DensityUnit'],
    ['Illuminance', 'IlluminanceUnit'],
    ['Inductance', 'InductanceUnit'],
    ['Latitude', 'AngleUnit'],
    ['Length', 'LengthUnit'],
    ['Longitude', 'AngleUnit'],
    ['Luminance', 'LuminanceUnit'],
    ['Luminosity', 'PowerUnit'],
    ['LuminousFlux', 'LuminousFluxUnit'],
    ['LuminousIntensity', 'LuminousIntensityUnit'],
    ['MagneticFlux', 'MagneticFluxUnit'],
    ['MagneticInduction', 'MagneticInductionUnit'],
    ['Mass', 'MassUnit'],
    ['MassFlowRate', 'MassFlowRateUnit'],
    ['Power', 'PowerUnit'],
    ['Pressure', 'PressureUnit'],
    ['RelativeHumidity', 'Unitless'],
    ['Resistance', 'ResistanceUnit'],
    ['SoundPressure', 'SoundPressureUnit'],
    ['Temperature', 'TemperatureUnit'],
    ['Thrust', 'ForceUnit'],
    ['TimeSpan', 'TimeUnit'],
    ['Torque', 'TorqueUnit'],
    ['Velocity', 'VelocityUnit'],
    ['Voltage', 'VoltageUnit'],
    ['Volume', 'VolumeUnit'],
    ['VolumeFlowRate', 'VolumeFlowRateUnit'],
  ],
  [
    ['AccelerationUnit', [
      'centimetrePerSecondSquared', 'gForce', 'metrePerSecondSquared',
    ]],
    ['AngleUnit', [
      'degreeOfArc', 'minuteOfArc', 'radian', 'secondOfArc', 'turn',
    ]],
    ['AngularAccelerationUnit', [
      'radianPerSecondSquared',
    ]],
    ['AngularVelocityUnit', [
      'degreePerSecond', 'radianPerSecond', 'revolutionPerMinute', 'revolutionPerSecond',
    ]],
    ['AreaUnit', [
      'acre', 'hectare', 'squareCentimetre', 'squareFoot', 'squareInch', 'squareKilometre', 'squareMetre',
      'squareMillimetre',
    ]],
    ['CapacitanceUnit', [
      'farad', 'microfarad', 'millifarad', 'nanofarad', 'picofarad',
    ]],
    ['ChargeUnit', [
      'coulomb',
    ]],
    ['CurrentUnit', [
      'ampere', 'microampere', 'milliampere',
    ]],
    ['DataRateUnit', [
      'bitPerSecond', 'bytePerSecond', 'exbibitPerSecond', 'exbibytePerSecond', 'gibibitPerSecond',
      'gibibytePerSecond', 'kibibitPerSecond', 'kibibytePerSecond', 'mebibitPerSecond', 'mebibytePerSecond',
      'tebibitPerSecond', 'tebibytePerSecond', 'yobibitPerSecond', 'yobibytePerSecond', 'zebibitPerSecond',
      'zebibytePerSecond',
    ]],
    ['DataSizeUnit', [
      'bit', 'byte', 'exbibit', 'exbibyte', 'gibibit', 'gibibyte', 'kibibit', 'kibibyte', 'mebibit', 'mebibyte',
      'tebibit', 'tebibyte', 'yobibit', 'yobibyte', 'zebibit', 'zebibyte',
    ]],
    ['DensityUnit', [
      'gramPerCubicMetre', 'kilogramPerCubicMetre',
    ]],
    ['EnergyUnit', [
      'electronvolt', 'gigajoule', 'joule', 'kilojoule', 'kilowattHour', 'megaelectronvolt', 'megajoule',
    ]],
    ['ForceUnit', [
      'newton', 'ounce', 'pound', 'ton',
    ]],
    ['FrequencyUnit', [
      'gigahertz', 'hertz', 'kilohertz', 'megahertz',
    ]],
    ['IlluminanceUnit', [
      'footcandle', 'lux',
    ]],
    ['InductanceUnit', [
      'henry', 'microhenry', 'millihenry',
    ]],
    ['LengthUnit', [
      'astronomicalUnit', 'centimetre', 'foot', 'inch', 'kilometre', 'metre', 'micrometre', 'mile', 'millimetre',
      'nanometre', 'nauticalMile',
    ]],
    ['LuminanceUnit', [
      'candelaPerSquareMetre',
    ]],
    ['LuminousFluxUnit', [
      'lumen',
    ]],
    ['LuminousIntensityUnit', [
      'candela',
    ]],
    ['MagneticFluxUnit', [
      'maxwell', 'weber',
    ]],
    ['MagneticInductionUnit', [
      'tesla',
    ]],
    ['MassFlowRateUnit', [
      'gramPerHour', 'gramPerSecond', 'kilogramPerHour', 'kilogramPerSecond',
    ]],
    ['MassUnit', [
      'gram', 'kilogram', 'microgram', 'milligram', 'slug', 'tonne',
    ]],
    ['PowerUnit', [
      'gigawatt', 'horsepower', 'kilowatt', 'kilowattHourPerYear', 'megawatt', 'microwatt', 'milliwatt', 'watt',
    ]],
    ['PressureUnit', [
      'bar', 'inchesOfMercury', 'inchesOfWater', 'kilopascal', 'millibar', 'millimetresOfMercury', 'pascal',
      'poundPerSquareInch',
    ]],
    ['ResistanceUnit', [
      'kiloohm', 'megaohm', 'milliohm', 'ohm',
    ]],
    ['SoundPressureUnit', [
      'bel', 'decibel',
    ]],
    ['TemperatureUnit', [
      'degreeCelsius', 'degreeFahrenheit', 'kelvin',
    ]],
    ['TimeUnit', [
      'day', 'hour', 'microsecond', 'millisecond', 'minute', 'nanosecond', 'second', 'year',
    ]],
    ['TorqueUnit', [
      'newtonMetre',
    ]],
    ['Unitless', [
      'percent', 'unity',
    ]],
    ['VelocityUnit', [
      'centimetrePerSecond', 'kilometrePerHour', 'kilometrePerSecond', 'knot', 'metrePerHour', 'metrePerSecond',
      'milePerHour', 'milePerSecond',
    ]],
    ['VoltageUnit', [
      'kilovolt', 'megavolt', 'microvolt', 'millivolt', 'volt',
    ]],
    ['VolumeFlowRateUnit', [
      'litrePerHour', 'litrePerSecond', 'millilitrePerHour', 'millilitrePerSecond',
    ]],
    ['VolumeUnit', [
      'cubicCentimetre', 'cubicFoot', 'cubicInch', 'cubicMetre', 'fluidOunce', 'gallon', 'litre', 'millilitre',
    ]],
  ],
);

/**
 * dtmi:dtdl:extension:quantitativeTypes;1 (DTDL v3): unit types are the extension's Enums of units
 * (DTDL.FeatureExtension.quantitativeTypes.v1.Elements.json, without the DecimalPrefix/BinaryPrefix enums of unit
 * prefixes), semantic types the QuantitativeType subclasses of its RDF-SHACL file (both agree with the table in
 * DTDL.quantitativeTypes.v1.md). 52 semantic types, 43 unit types, 240 units.
 * Unit types shared by several semantic types: AngleUnit (Angle, Latitude, Longitude); DensityUnit (Density,
 * Humidity); ForceUnit (Force, Thrust); LengthUnit (Distance, Length); PowerUnit (EnergyRate, Luminosity, Power);
 * Unitless (Concentration, RelativeDensity, RelativeHumidity). Unit types without a semantic type: none. The term
 * EnergyRateUnit names the PowerUnit enum (see aliases). Unit lists keep the order of the Elements file.
 */
export const QUANTITATIVE_TYPES_V1: QuantitativeVocabulary = vocabulary(
  [
    ['Acceleration', 'AccelerationUnit'],
    ['Angle', 'AngleUnit'],
    ['AngularAcceleration', 'AngularAccelerationUnit'],
    ['AngularVelocity', 'AngularVelocityUnit'],
    ['ApparentEnergy', 'ApparentEnergyUnit'],
    ['ApparentPower', 'ApparentPowerUnit'],
    ['Area', 'AreaUnit'],
    ['Capacitance', 'CapacitanceUnit'],
    ['Concentration', 'Unitless'],
    ['Current', 'CurrentUnit'],
    ['DataRate', 'DataRateUnit'],
    ['DataSize', 'DataSizeUnit'],
    ['Density', 'DensityUnit'],
    ['Distance', 'LengthUnit'],
    ['ElectricCharge', 'ChargeUnit'],
    ['Energy', 'EnergyUnit'],
    ['EnergyRate', 'PowerUnit'],
    ['Force', 'ForceUnit'],
    ['Frequency', 'FrequencyUnit'],
    ['Humidity', 'DensityUnit'],
    ['Illuminance', 'IlluminanceUnit'],
    ['Inductance', 'InductanceUnit'],
    ['IonizingRadiationDose', 'IonizingRadiationDoseUnit'],
    ['Irradiance', 'IrradianceUnit'],
    ['Latitude', 'AngleUnit'],
    ['Length', 'LengthUnit'],
    ['Longitude', 'AngleUnit'],
    ['Luminance', 'LuminanceUnit'],
    ['Luminosity', 'PowerUnit'],
    ['LuminousFlux', 'LuminousFluxUnit'],
    ['LuminousIntensity', 'LuminousIntensityUnit'],
    ['MagneticFlux', 'MagneticFluxUnit'],
    ['MagneticInduction', 'MagneticInductionUnit'],
    ['Mass', 'MassUnit'],
    ['MassFlowRate', 'MassFlowRateUnit'],
    ['Power', 'PowerUnit'],
    ['Pressure', 'PressureUnit'],
    ['Radioactivity', 'RadioactivityUnit'],
    ['ReactiveEnergy', 'ReactiveEnergyUnit'],
    ['ReactivePower', 'ReactivePowerUnit'],
    ['RelativeDensity', 'Unitless'],
    ['RelativeHumidity', 'Unitless'],
    ['Resistance', 'ResistanceUnit'],
    ['SoundPressure', 'SoundPressureUnit'],
    ['Temperature', 'TemperatureUnit'],
    ['Thrust', 'ForceUnit'],
    ['TimeSpan', 'TimeUnit'],
    ['Torque', 'TorqueUnit'],
    ['Velocity', 'VelocityUnit'],
    ['Voltage', 'VoltageUnit'],
    ['Volume', 'VolumeUnit'],
    ['VolumeFlowRate', 'VolumeFlowRateUnit'],
  ],
  [
    ['AccelerationUnit', [
      'metrePerSecondSquared', 'centimetrePerSecondSquared', 'gForce',
    ]],
    ['AngleUnit', [
      'radian', 'degreeOfArc', 'minuteOfArc', 'secondOfArc', 'turn',
    ]],
    ['AngularAccelerationUnit', [
      'radianPerSecondSquared',
    ]],
    ['AngularVelocityUnit', [
      'radianPerSecond', 'degreePerSecond', 'revolutionPerSecond', 'revolutionPerMinute',
    ]],
    ['ApparentEnergyUnit', [
      'voltAmpereHour', 'kilovoltAmpereHour', 'megavoltAmpereHour', 'gigavoltAmpereHour',
    ]],
    ['ApparentPowerUnit', [
      'voltAmpere', 'millivoltAmpere', 'kilovoltAmpere', 'megavoltAmpere', 'gigavoltAmpere',
    ]],
    ['AreaUnit', [
      'squareMetre', 'squareCentimetre', 'squareMillimetre', 'squareKilometre', 'hectare', 'squareFoot', 'squareInch',
      'acre',
    ]],
    ['CapacitanceUnit', [
      'farad', 'millifarad', 'microfarad', 'nanofarad', 'picofarad',
    ]],
    ['ChargeUnit', [
      'coulomb', 'ampereHour', 'milliampereHour',
    ]],
    ['CurrentUnit', [
      'ampere', 'microampere', 'milliampere', 'kiloampere',
    ]],
    ['DataRateUnit', [
      'bitPerSecond', 'kibibitPerSecond', 'mebibitPerSecond', 'gibibitPerSecond', 'tebibitPerSecond',
      'exbibitPerSecond', 'zebibitPerSecond', 'yobibitPerSecond', 'bytePerSecond', 'kibibytePerSecond',
      'mebibytePerSecond', 'gibibytePerSecond', 'tebibytePerSecond', 'exbibytePerSecond', 'zebibytePerSecond',
      'yobibytePerSecond',
    ]],
    ['DataSizeUnit', [
      'bit', 'kibibit', 'mebibit', 'gibibit', 'tebibit', 'exbibit', 'zebibit', 'yobibit', 'byte', 'kibibyte',
      'mebibyte', 'gibibyte', 'tebibyte', 'exbibyte', 'zebibyte', 'yobibyte',
    ]],
    ['DensityUnit', [
      'kilogramPerCubicMetre', 'gramPerCubicMetre', 'milligramPerCubicMetre', 'microgramPerCubicMetre',
    ]],
    ['EnergyUnit', [
      'joule', 'kilojoule', 'megajoule', 'gigajoule', 'electronvolt', 'megaelectronvolt', 'wattHour', 'milliwattHour',
      'kilowattHour', 'megawattHour', 'gigawattHour', 'terawattHour', 'britishThermalUnit', 'kiloBritishThermalUnit',
    ]],
    ['ForceUnit', [
      'newton', 'pound', 'ounce', 'ton',
    ]],
    ['FrequencyUnit', [
      'hertz', 'millihertz', 'kilohertz', 'megahertz', 'gigahertz',
    ]],
    ['IlluminanceUnit', [
      'lux', 'footcandle',
    ]],
    ['InductanceUnit', [
      'henry', 'millihenry', 'microhenry',
    ]],
    ['IonizingRadiationDoseUnit', [
      'gray', 'milligray', 'microgray', 'sievert', 'millisievert', 'microsievert',
    ]],
    ['IrradianceUnit', [
      'wattPerSquareMetre',
    ]],
    ['LengthUnit', [
      'metre', 'centimetre', 'millimetre', 'micrometre', 'nanometre', 'kilometre', 'foot', 'inch', 'mile',
      'nauticalMile', 'astronomicalUnit',
    ]],
    ['LuminanceUnit', [
      'candelaPerSquareMetre',
    ]],
    ['LuminousFluxUnit', [
      'lumen',
    ]],
    ['LuminousIntensityUnit', [
      'candela',
    ]],
    ['MagneticFluxUnit', [
      'weber', 'maxwell',
    ]],
    ['MagneticInductionUnit', [
      'tesla', 'gauss',
    ]],
    ['MassFlowRateUnit', [
      'gramPerSecond', 'kilogramPerSecond', 'gramPerHour', 'kilogramPerHour', 'massPoundPerHour',
    ]],
    ['MassUnit', [
      'kilogram', 'gram', 'milligram', 'microgram', 'tonne', 'slug', 'massPound',
    ]],
    ['PowerUnit', [
      'watt', 'microwatt', 'milliwatt', 'kilowatt', 'megawatt', 'gigawatt', 'horsepower', 'joulePerSecond',
      'kilojoulePerSecond', 'joulePerHour', 'kilojoulePerHour', 'megajoulePerHour', 'gigajoulePerHour',
      'britishThermalUnitPerHour', 'kiloBritishThermalUnitPerHour', 'kilowattHourPerYear', 'tonOfRefrigeration',
    ]],
    ['PressureUnit', [
      'pascal', 'decapascal', 'hectopascal', 'kilopascal', 'bar', 'millibar', 'millimetresOfMercury',
      'poundPerSquareInch', 'inchesOfMercury', 'inchesOfWater',
    ]],
    ['RadioactivityUnit', [
      'becquerel', 'kilobecquerel', 'megabecquerel', 'gigabecquerel',
    ]],
    ['ReactiveEnergyUnit', [
      'voltAmpereReactiveHour', 'kilovoltAmpereReactiveHour', 'megavoltAmpereReactiveHour',
      'gigavoltAmpereReactiveHour',
    ]],
    ['ReactivePowerUnit', [
      'voltAmpereReactive', 'millivoltAmpereReactive', 'kilovoltAmpereReactive', 'megavoltAmpereReactive',
      'gigavoltAmpereReactive',
    ]],
    ['ResistanceUnit', [
      'ohm', 'milliohm', 'kiloohm', 'megaohm',
    ]],
    ['SoundPressureUnit', [
      'decibel', 'bel',
    ]],
    ['TemperatureUnit', [
      'kelvin', 'degreeCelsius', 'degreeFahrenheit',
    ]],
    ['TimeUnit', [
      'second', 'millisecond', 'microsecond', 'nanosecond', 'minute', 'hour', 'day', 'year',
    ]],
    ['TorqueUnit', [
      'newtonMetre',
    ]],
    ['Unitless', [
      'unity', 'percent', 'partsPerMillion', 'partsPerBillion', 'partsPerTrillion', 'partsPerQuadrillion',
    ]],
    ['VelocityUnit', [
      'metrePerSecond', 'centimetrePerSecond', 'kilometrePerSecond', 'metrePerHour', 'kilometrePerHour',
      'milePerHour', 'milePerSecond', 'knot',
    ]],
    ['VoltageUnit', [
      'volt', 'millivolt', 'microvolt', 'kilovolt', 'megavolt',
    ]],
    ['VolumeFlowRateUnit', [
      'litrePerSecond', 'millilitrePerSecond', 'litrePerMinute', 'millilitrePerMinute', 'litrePerHour',
      'millilitrePerHour', 'gallonPerMinute', 'gallonPerHour', 'cubicFootPerMinute', 'cubicMetrePerHour',
      'cubicMetrePerMinute', 'cubicMetrePerSecond',
    ]],
    ['VolumeUnit', [
      'cubicMetre', 'cubicCentimetre', 'litre', 'millilitre', 'cubicFoot', 'cubicInch', 'fluidOunce', 'gallon',
    ]],
  ],
  [
    ['EnergyRateUnit', 'PowerUnit'],
  ],
);
