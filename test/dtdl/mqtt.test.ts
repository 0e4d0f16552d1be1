/**
 * The MQTT extension, versions 2 and 3 (spec/v4/DTDL.mqtt.v2.md and DTDL.mqtt.v3.md), in DTDL v3 and v4: every
 * property and co-type they define is accepted, validated as the specification says, and carried by the resolved
 * model set for the devices feature: Mqtt's properties in the Interface's `supplementalProperties`, and the
 * co-types (Transparent, Result, NormalResult, ErrorResult, Error, ErrorMessage) in `supplementalTypes` of the
 * command payload, Object schema or Field they co-type. Version 1 (spec/v3/DTDL.mqtt.v1.md) knows none of them.
 */
import type { CommandContent, ObjectSchema } from '../../src/dtdl';
import { ctx, expectErrors, expectValid, parse, type Json, type JsonObject } from '../support/dtdl-expect';

const I = 'dtmi:test:I;1';
const mqtt = (version: number): string => `dtmi:dtdl:extension:mqtt;${version}`;

function device(dtdl: 3 | 4, version: number, extra: JsonObject = {}, contents: Json[] = []): JsonObject {
  return {
    '@context': [ctx(dtdl), mqtt(version)],
    '@id': I,
    '@type': ['Interface', 'Mqtt'],
    payloadFormat: 'Json/ecma/404',
    telemetryTopic: 'devices/{senderId}/telemetry',
    commandTopic: 'devices/{executorId}/command/{commandName}',
    ...extra,
    contents,
  };
}

const command = (request: JsonObject): JsonObject => ({ '@type': 'Command', name: 'display', request });
const announcement = { '@type': 'Object', fields: [{ name: 'text', schema: 'string' }] };

describe.each([
  [3, 2],
  [3, 3],
  [4, 2],
  [4, 3],
] as const)('DTDL v%i with mqtt;%i', (dtdl, version) => {
  const request = `dtmi:test:I:_contents:__display:_request;1`;

  describe('Mqtt: shared-subscription group ids for telemetry and commands', () => {
    it('are accepted and carried in the Interface’s supplemental properties', () => {
      const result = parse([device(dtdl, version, { telemServiceGroupId: 'telemetry-1', cmdServiceGroupId: 'cmd$2' })]);
      expectValid(result);
      const model = result.models.interfaces.get(I)!;
      expect(model.supplementalTypes).toContain('Mqtt');
      expect(model.supplementalProperties).toMatchObject({
        payloadFormat: 'Json/ecma/404',
        telemServiceGroupId: 'telemetry-1',
        cmdServiceGroupId: 'cmd$2',
      });
    });

    it.each(['', 'a/b', 'a+b', 'a#b', 'a b', 'a{b}', 'a"b'])(
      'are not empty, nor contain space, ", +, #, {, } or / (%j)',
      (id) => {
        expectErrors(parse([device(dtdl, version, { telemServiceGroupId: id, cmdServiceGroupId: id })]), [
          { id: 'stringInvalid', primaryId: I, property: 'telemServiceGroupId', value: id },
          { id: 'stringInvalid', primaryId: I, property: 'cmdServiceGroupId', value: id },
        ]);
      },
    );
  });

  describe('Transparent: a command payload whose Object schema is sent without its outer layer', () => {
    it('co-types a CommandRequest or CommandResponse whose schema is an Object', () => {
      const result = parse([
        device(dtdl, version, {}, [
          {
            ...command({ '@type': ['CommandRequest', 'Transparent'], name: 'announcement', schema: announcement }),
            response: { '@type': ['CommandResponse', 'Transparent'], name: 'ack', schema: announcement },
          },
        ]),
      ]);
      expectValid(result);
      const display = result.models.interfaces.get(I)!.contents.get('display') as CommandContent;
      expect(display.request?.supplementalTypes).toEqual(['Transparent']);
      expect(display.response?.supplementalTypes).toEqual(['Transparent']);
    });

    it('not one whose schema is not an Object', () => {
      const transparent = { '@type': ['CommandRequest', 'Transparent'], name: 'announcement', schema: 'string' };
      expectErrors(parse([device(dtdl, version, {}, [command(transparent)])]), [
        { id: 'notRequiredType', primaryId: request, property: 'schema' },
      ]);
    });

    it('nor any other element', () => {
      const telemetry = { '@type': ['Telemetry', 'Transparent'], name: 'speed', schema: 'double' };
      expectErrors(parse([device(dtdl, version, {}, [telemetry])]), [
        { id: 'invalidCotype', primaryId: 'dtmi:test:I:_contents:__speed;1' },
      ]);
    });
  });
});

describe.each([3, 4] as const)('DTDL v%i with mqtt;3: results that may carry a user-level error', (dtdl) => {
  const response = (schema: Json): JsonObject => ({
    '@type': 'Command',
    name: 'increment',
    response: { name: 'result', schema },
  });
  const error: JsonObject = {
    '@type': ['Object', 'Error'],
    fields: [
      { '@type': ['Field', 'ErrorMessage'], name: 'explanation', schema: 'string' },
      { name: 'code', schema: 'integer' },
    ],
  };
  const result = (fields: Json[]): JsonObject => ({
    '@id': 'dtmi:test:result;1',
    '@type': ['Object', 'Result'],
    fields,
  });
  const normal = (extra: JsonObject = {}): JsonObject => ({
    '@id': 'dtmi:test:normal;1',
    '@type': ['Field', 'NormalResult'],
    name: 'value',
    schema: 'integer',
    ...extra,
  });
  const failure = (schema: Json = error): JsonObject => ({
    '@id': 'dtmi:test:failure;1',
    '@type': ['Field', 'ErrorResult'],
    name: 'failure',
    schema,
  });
  const parseResponse = (schema: Json, context: Json[] = []): ReturnType<typeof parse> => {
    const doc = device(dtdl, 3, {}, [response(schema)]);
    doc['@context'] = [...(doc['@context'] as Json[]), ...context];
    return parse([doc]);
  };

  it('a Result Object of a NormalResult and an ErrorResult whose schema is an Error Object', () => {
    const parsed = parseResponse(result([normal(), failure()]));
    expectValid(parsed);
    const increment = parsed.models.interfaces.get(I)!.contents.get('increment') as CommandContent;
    const schema = increment.response!.schema as ObjectSchema;
    expect(schema.supplementalTypes).toEqual(['Result']);
    expect(schema.fields.map((f) => f.supplementalTypes)).toEqual([['NormalResult'], ['ErrorResult']]);
    const errorSchema = schema.fields[1].schema as ObjectSchema;
    expect(errorSchema.supplementalTypes).toEqual(['Error']);
    expect(errorSchema.fields[0].supplementalTypes).toEqual(['ErrorMessage']);
  });

  it('every field of a Result is its NormalResult or its ErrorResult', () => {
    const other = { '@id': 'dtmi:test:other;1', name: 'other', schema: 'string' };
    expectErrors(parseResponse(result([normal(), other])), [
      { id: 'notRequiredType', primaryId: 'dtmi:test:result;1', secondaryId: 'dtmi:test:other;1' },
    ]);
  });

  it('a Result has one NormalResult at most', () => {
    const second = normal({ '@id': 'dtmi:test:second;1', name: 'second' });
    expectErrors(parseResponse(result([normal(), second])), [
      { id: 'siblingDuplicatesCotype', primaryId: 'dtmi:test:second;1', secondaryId: 'dtmi:test:normal;1' },
    ]);
  });

  it('an ErrorResult stands only among the fields of a Result', () => {
    expectErrors(parseResponse({ '@type': 'Object', fields: [failure()] }), [
      { id: 'parentMissingCotype', primaryId: 'dtmi:test:failure;1', property: 'fields' },
    ]);
  });

  it('the schema of an ErrorResult is an Object co-typed Error', () => {
    expectErrors(parseResponse(result([failure({ '@type': 'Object', fields: [] })])), [
      { id: 'notRequiredType', primaryId: 'dtmi:test:failure;1', property: 'schema' },
    ]);
  });

  it('an ErrorMessage is a string field of an Error Object', () => {
    const message = {
      '@id': 'dtmi:test:message;1',
      '@type': ['Field', 'ErrorMessage'],
      name: 'message',
      schema: 'integer',
    };
    expectErrors(parseResponse({ '@type': ['Object', 'Error'], fields: [message] }), [
      { id: 'notRequiredType', primaryId: 'dtmi:test:message;1', property: 'schema' },
    ]);
    expectErrors(parseResponse({ '@type': 'Object', fields: [{ ...message, schema: 'string' }] }), [
      { id: 'parentMissingCotype', primaryId: 'dtmi:test:message;1', property: 'fields' },
    ]);
  });

  it('a result that is there by definition cannot be Required', () => {
    const required = normal({ '@type': ['Field', 'NormalResult', 'Required'] });
    expectErrors(parseResponse(result([required]), ['dtmi:dtdl:extension:requirement;1']), [
      { id: 'disallowedCocotype', primaryId: 'dtmi:test:normal;1' },
    ]);
  });

  it('Result co-types an Object only', () => {
    const array = { '@id': 'dtmi:test:array;1', '@type': ['Array', 'Result'], elementSchema: 'string' };
    expectErrors(parseResponse(array), [{ id: 'invalidCotype', primaryId: 'dtmi:test:array;1' }]);
  });
});

describe('earlier versions of the extension do not define what later ones add', () => {
  it('mqtt;1 has no group ids', () => {
    expectErrors(parse([device(3, 1, { telemServiceGroupId: 'g' })]), [
      { id: 'noTypeThatAllows', primaryId: I, property: 'telemServiceGroupId' },
      { id: 'propertyUndefinedTerm', primaryId: I, property: 'telemServiceGroupId' },
    ]);
  });

  it('mqtt;1 has no Transparent', () => {
    const transparent = { '@type': ['CommandRequest', 'Transparent'], name: 'r', schema: announcement };
    expectErrors(parse([device(3, 1, {}, [command(transparent)])]), [
      { id: 'typeUndefinedTerm', primaryId: 'dtmi:test:I:_contents:__display:_request;1', value: 'Transparent' },
    ]);
  });

  it('mqtt;2 has no Result', () => {
    const doc = device(3, 2, {}, [
      { '@type': 'Command', name: 'c', response: { name: 'r', schema: { '@type': ['Object', 'Result'], fields: [] } } },
    ]);
    expectErrors(parse([doc]), [
      { id: 'typeUndefinedTerm', primaryId: 'dtmi:test:I:_contents:__c:_response:_schema;1', value: 'Result' },
    ]);
  });
});
