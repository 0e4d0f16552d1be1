/**
 * The pure parts of the devices feature, as specifications: topic patterns of the DTDL MQTT extension
 * (parsing, filters, matching, filling, twin id templates), payload formats (JSON, CBOR, raw) against
 * hostile bytes, and the Mqtt co-type read from a model set.
 */
import { collectDocuments, parseModels } from '../../src/dtdl';
import { readBindings, commandOf, commandSemantics, durationMs } from '../../src/devices/bindings';
import { CborError, decodeCbor, encodeCbor } from '../../src/devices/cbor';
import { decodePayload, payloadFormatOf } from '../../src/devices/payload';
import { fillTopic, matchTopic, parseTopicPattern, subscriptionFilter, twinIdMapping } from '../../src/devices/topics';
import { EXAMPLES, THERMOSTAT } from './support/device-app';

describe('topic patterns', () => {
  const p = parseTopicPattern('vehicles/{modelId}/{senderId}/telemetry');

  it('subscribe with each token as one + level, and give the tokens of a matching topic', () => {
    expect(subscriptionFilter(p)).toBe('vehicles/+/+/telemetry');
    expect(matchTopic(p, 'vehicles/dtmi:x:Car;1/car-7/telemetry')).toEqual({
      modelId: 'dtmi:x:Car;1',
      senderId: 'car-7',
    });
    expect(matchTopic(p, 'vehicles/m/car-7/other')).toBeUndefined();
    expect(matchTopic(p, 'vehicles/m/car-7/telemetry/extra')).toBeUndefined();
    expect(matchTopic(p, 'vehicles//car-7/telemetry')).toBeUndefined();
  });

  it('refuse what the extension refuses: wildcards, spaces, a leading $', () => {
    for (const bad of ['a/+/b', 'a/#', 'a b', '$SYS/x', 'a//b', '', 'a/{1x}'])
      expect(() => parseTopicPattern(bad)).toThrow();
  });

  it('fill a command topic, refusing a value that is not one level', () => {
    const c = parseTopicPattern('cmd/{executorId}/{commandName}');
    expect(fillTopic(c, { executorId: 'd1', commandName: 'reboot' })).toBe('cmd/d1/reboot');
    expect(() => fillTopic(c, { executorId: 'a/b', commandName: 'x' })).toThrow(/cannot be the \{executorId\}/);
    expect(() => fillTopic(c, { executorId: 'a' })).toThrow(/has no value/);
  });

  it('map device ids to twin ids and back through a template', () => {
    const m = twinIdMapping('plant1-{id}');
    expect(m.toTwinId('pump-3')).toBe('plant1-pump-3');
    expect(m.toDeviceId('plant1-pump-3')).toBe('pump-3');
    expect(m.toDeviceId('plant2-pump-3')).toBeUndefined();
    expect(() => twinIdMapping('no-token')).toThrow();
  });
});

describe('payload formats', () => {
  it('name their family by the payloadFormat string', () => {
    expect(payloadFormatOf('Json/ecma/404')).toBe('json');
    expect(payloadFormatOf('Cbor/rfc/8949')).toBe('cbor');
    expect(payloadFormatOf('raw/0')).toBe('raw');
    expect(payloadFormatOf('Avro/1.11.0')).toBeUndefined();
  });

  it('CBOR round-trips DTDL values, indefinite lengths and half floats included', () => {
    const value = { a: 1, b: -500000, c: 1.5, d: 'ünï', e: [true, false, null], f: { g: 2 ** 40 } };
    expect(decodeCbor(encodeCbor(value))).toEqual(value);
    // {_ "x": [_ 1, 2]} with a half-precision 1.5: 0xf9 0x3e00
    expect(decodeCbor(Buffer.from([0xbf, 0x61, 0x78, 0x9f, 0x01, 0xf9, 0x3e, 0x00, 0xff, 0xff]))).toEqual({
      x: [1, 1.5],
    });
  });

  it('CBOR refuses hostile bytes with a reason, never allocating what a length claims', () => {
    const bad = [
      [0x9b, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff], // an array of 4 billion items, 0 bytes of them
      [0x42, 0x01, 0x02], // a byte string
      [0xa1, 0x01, 0x01], // a number as a map key
      [0x01, 0x02], // bytes after the value
      [...Array(100).fill(0x81), 0x01], // nested 100 deep
      [0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], // NaN
    ];
    for (const bytes of bad) expect(() => decodeCbor(Buffer.from(bytes))).toThrow(CborError);
    expect(decodePayload('cbor', Buffer.from([0x9b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))).toHaveProperty('problem');
  });

  it('JSON must be UTF-8 and nest at most 32 levels; raw is text', () => {
    expect(decodePayload('json', Buffer.from([0xff, 0xfe]))).toEqual({ problem: 'the JSON payload is not UTF-8 text' });
    expect(decodePayload('json', Buffer.from('['.repeat(33) + ']'.repeat(33)))).toHaveProperty('problem');
    expect(decodePayload('raw', Buffer.from('42'))).toEqual({ raw: '42' });
  });
});

describe('the Mqtt co-type read from models', () => {
  const { models } = parseModels(collectDocuments([EXAMPLES]).map((d) => d.text));

  it('gives each co-typed interface its topics and format, and one filter per distinct pattern', () => {
    const bindings = readBindings(models, {
      telemetryTopic: 'devices/{senderId}/telemetry',
      payloadFormat: 'Json/ecma/404',
    });
    expect(bindings.byModel.get(THERMOSTAT)).toMatchObject({ payloadFormat: 'Json/ecma/404', format: 'json' });
    expect([...bindings.telemetryFilters].sort()).toEqual(
      ['devices/+/telemetry', 'gauges/+/+', 'meters/+/readings', 'sensors/+/+/telemetry'].sort(),
    );
    expect(bindings.problems).toEqual([]);
  });

  it("takes Mqtt v2/v3's telemServiceGroupId as the shared-subscription group of that model's telemetry", () => {
    const mqtt2 = (id: string, topic: string, group?: string) =>
      JSON.stringify({
        '@context': ['dtmi:dtdl:context;3', 'dtmi:dtdl:extension:mqtt;2'],
        '@id': id,
        '@type': ['Interface', 'Mqtt'],
        telemetryTopic: topic,
        payloadFormat: 'Json/ecma/404',
        ...(group && { telemServiceGroupId: group }),
      });
    const parsed = parseModels([
      mqtt2('dtmi:x:Meter;1', 'meters/{senderId}/readings', 'meter-readers'),
      mqtt2('dtmi:x:Gauge;1', 'gauges/{senderId}/readings'),
    ]);
    expect(parsed.valid).toBe(true);
    const bindings = readBindings(parsed.models, undefined);
    expect([...bindings.telemetryGroups]).toEqual([['meters/+/readings', 'meter-readers']]);
    expect(bindings.problems).toEqual([]);
  });

  it('lists what it cannot use instead of failing: a format it cannot read, a topic without {senderId}', () => {
    const { models: odd } = parseModels(
      JSON.stringify({
        '@context': ['dtmi:dtdl:context;3', 'dtmi:dtdl:extension:mqtt;1'],
        '@id': 'dtmi:x:Odd;1',
        '@type': ['Interface', 'Mqtt'],
        telemetryTopic: 'odd/telemetry',
        payloadFormat: 'Avro/1.11.0',
      }),
    );
    const problems = readBindings(odd, undefined).problems.map((p) => p.message);
    expect(problems).toEqual([
      "dtmi:x:Odd;1: payload format 'Avro/1.11.0' is not one Twingraph reads (JSON, CBOR, raw); its messages are dead letters",
      "dtmi:x:Odd;1: topic 'odd/telemetry' has no {senderId}, so no twin can be told",
    ]);
  });

  it('reads Idempotent and Cacheable (ttl) on commands', () => {
    const thermostat = models.interfaces.get(THERMOSTAT);
    expect(commandSemantics(commandOf(thermostat, 'getReading')!)).toEqual({ idempotent: true, ttlMs: 2000 });
    expect(commandSemantics(commandOf(thermostat, 'setTarget')!)).toEqual({ idempotent: false, ttlMs: undefined });
    expect(durationMs('P1DT2H0.5S')).toBe(93_600_500);
    expect(durationMs('PT')).toBeUndefined();
  });
});
