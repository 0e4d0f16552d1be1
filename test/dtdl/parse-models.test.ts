/** parseModels as modelers and the rest of the pipeline use it. */
import { parseModels, type InterfaceModel } from '../../src/dtdl';

const thermostat = {
  '@context': ['dtmi:dtdl:context;3', 'dtmi:dtdl:extension:quantitativeTypes;1'],
  '@id': 'dtmi:example:Thermostat;1',
  '@type': 'Interface',
  displayName: 'Thermostat',
  extends: 'dtmi:example:Device;1',
  contents: [
    { '@type': ['Telemetry', 'Temperature'], name: 'temperature', schema: 'double', unit: 'degreeCelsius' },
    { '@type': 'Property', name: 'targetTemperature', schema: 'double', writable: true },
    {
      '@type': 'Property',
      name: 'mode',
      schema: {
        '@type': 'Enum',
        valueSchema: 'string',
        enumValues: [
          { name: 'heat', enumValue: 'heat' },
          { name: 'cool', enumValue: 'cool' },
        ],
      },
    },
    {
      '@type': 'Relationship',
      name: 'installedIn',
      target: 'dtmi:example:Room;1',
      maxMultiplicity: 1,
      properties: [{ '@type': 'Property', name: 'since', schema: 'date' }],
    },
    { '@type': 'Component', name: 'firmware', schema: 'dtmi:example:Firmware;1' },
    { '@type': 'Command', name: 'reboot', request: { name: 'delay', schema: 'duration' } },
  ],
};
const device = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:example:Device;1',
  '@type': 'Interface',
  contents: [{ '@type': 'Property', name: 'serialNumber', schema: 'string' }],
};
const firmware = {
  '@context': 'dtmi:dtdl:context;3',
  '@id': 'dtmi:example:Firmware;1',
  '@type': 'Interface',
  contents: [{ '@type': 'Property', name: 'version', schema: 'string' }],
};
const text = (o: unknown): string => JSON.stringify(o, null, 2);

describe('parseModels', () => {
  it('resolves a set of documents that reference each other into interfaces with inherited contents', () => {
    const result = parseModels([text(thermostat), text(device), text(firmware)]);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    const model = result.models.interfaces.get('dtmi:example:Thermostat;1') as InterfaceModel;
    expect(model.ancestors).toEqual(['dtmi:example:Device;1']);
    expect([...model.contents.keys()].sort()).toEqual([
      'firmware',
      'installedIn',
      'mode',
      'reboot',
      'serialNumber',
      'targetTemperature',
      'temperature',
    ]);
    expect(model.contents.get('serialNumber')).toMatchObject({
      kind: 'Property',
      definedIn: 'dtmi:example:Device;1',
      schema: { kind: 'primitive', name: 'string' },
    });
    expect(model.contents.get('temperature')).toMatchObject({
      kind: 'Telemetry',
      supplementalTypes: ['Temperature'],
      supplementalProperties: { unit: 'degreeCelsius' },
    });
    expect(model.contents.get('mode')).toMatchObject({
      schema: { kind: 'Enum', valueSchema: 'string', enumValues: [{ name: 'heat' }, { name: 'cool' }] },
    });
    expect(model.contents.get('installedIn')).toMatchObject({
      kind: 'Relationship',
      target: 'dtmi:example:Room;1',
      maxMultiplicity: 1,
      properties: [{ name: 'since' }],
    });
    expect(model.contents.get('firmware')).toMatchObject({ kind: 'Component', schema: 'dtmi:example:Firmware;1' });
    expect(model.contents.get('reboot')).toMatchObject({
      kind: 'Command',
      request: { name: 'delay', schema: { kind: 'primitive', name: 'duration' } },
    });
    expect(result.models.descendantsOf('dtmi:example:Device;1')).toEqual(['dtmi:example:Thermostat;1']);
    expect([...result.defined].sort()).toEqual([
      'dtmi:example:Device;1',
      'dtmi:example:Firmware;1',
      'dtmi:example:Thermostat;1',
    ]);
  });

  it('returns a frozen model set', () => {
    const model = parseModels([text(device)]).models.interfaces.get('dtmi:example:Device;1')!;
    expect(Object.isFrozen(model)).toBe(true);
    expect(() => {
      (model as { id: string }).id = 'x';
    }).toThrow();
  });

  it('names every DTMI that is referenced but defined nowhere', () => {
    const result = parseModels([text(thermostat)]);
    expect(result.valid).toBe(false);
    const undefinedIds = result.errors
      .filter((e) => e.validationId.endsWith(':undefinedReference'))
      .map((e) => e.value);
    expect(undefinedIds.sort()).toEqual(['dtmi:example:Device;1', 'dtmi:example:Firmware;1']);
    // A relationship target need not be defined (DTDL calls it a non-dependent reference).
    expect(undefinedIds).not.toContain('dtmi:example:Room;1');
  });

  it('links an upload against models that are already known', () => {
    const known = parseModels([text(device), text(firmware)]).models;
    const result = parseModels([text(thermostat)], { known });
    expect(result.errors).toEqual([]);
    expect(result.defined).toEqual(['dtmi:example:Thermostat;1']);
    expect(result.models.interfaces.get('dtmi:example:Thermostat;1')!.contents.get('serialNumber')).toBeDefined();
  });

  it('asks a resolver for undefined models', () => {
    const asked: string[][] = [];
    const result = parseModels([text(thermostat)], {
      resolve: (ids) => {
        asked.push([...ids].sort());
        return [text(device), text(firmware)];
      },
    });
    expect(result.valid).toBe(true);
    expect(asked).toEqual([['dtmi:example:Device;1', 'dtmi:example:Firmware;1']]);
  });

  it('accepts a UTF-8 byte-order mark', () => {
    expect(parseModels(['\uFEFF' + text(device)]).valid).toBe(true);
  });

  it('reports bad JSON with its line and column', () => {
    const result = parseModels([
      { name: 'broken.json', text: '{\n  "@context": "dtmi:dtdl:context;3",\n  "@id": oops\n}' },
    ]);
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatchObject({
      validationId: 'dtmi:twingraph:parsingError:invalidJson',
      source: 'broken.json',
    });
    expect(result.errors[0].value).toMatch(/line 3, column 10/);
  });

  it('locates model errors in the source document', () => {
    const doc = text({
      '@context': 'dtmi:dtdl:context;3',
      '@id': 'dtmi:example:Bad;1',
      '@type': 'Interface',
      contents: [{ '@type': 'Telemetry', name: 'x', schema: 'dubble' }],
    });
    const [error] = parseModels([{ name: 'bad.json', text: doc }]).errors;
    expect(error).toMatchObject({
      validationId: 'dtmi:dtdl:parsingError:badDtmiOrTerm',
      primaryId: 'dtmi:example:Bad:_contents:__x;1',
      property: 'schema',
      value: 'dubble',
      source: 'bad.json',
      line: 9,
    });
    expect(error.cause).toContain('dubble');
  });

  it('rejects undefined extension contexts by default and tolerates them when asked', () => {
    const doc = text({
      '@context': ['dtmi:dtdl:context;3', 'dtmi:com:example:myExtension;1'],
      '@id': 'dtmi:example:E;1',
      '@type': 'Interface',
    });
    expect(parseModels([doc]).errors.map((e) => e.validationId)).toEqual([
      'dtmi:dtdl:parsingError:unresolvableContextSpecifier',
    ]);
    expect(parseModels([doc], { allowUndefinedExtensions: true }).valid).toBe(true);
  });

  it('reports duplicate names across extends', () => {
    const child = { ...device, '@id': 'dtmi:example:Child;1', extends: 'dtmi:example:Device;1' };
    const result = parseModels([text(device), text(child)]);
    expect(result.errors.map((e) => [e.validationId, e.primaryId, e.value])).toEqual([
      ['dtmi:dtdl:parsingError:nonUniqueImportedPropertyValue', 'dtmi:example:Child;1', 'serialNumber'],
    ]);
  });

  it('reports a cycle in extends', () => {
    const a = { ...device, '@id': 'dtmi:example:A;1', contents: [], extends: 'dtmi:example:B;1' };
    const b = { ...device, '@id': 'dtmi:example:B;1', contents: [], extends: 'dtmi:example:A;1' };
    const ids = parseModels([text(a), text(b)]).errors.map((e) => e.validationId);
    expect(ids).toContain('dtmi:dtdl:parsingError:recursiveStructureNarrow');
  });
});
