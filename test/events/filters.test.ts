/**
 * Subscription filters over the entries the store really writes: change types and families, models, twins
 * (relationships at either end), and property paths (nested, components, removes, sourceTimes), with
 * creates, deletes and model changes passing any path.
 */
import { changeFilter, type ChangeFilterRequest } from '../../src/events';
import { openSqliteStore } from '../../src/store/sqlite/store';
import type { ChangeEntry, JsonPatch } from '../../src/store/types';
import type { TwinStore } from '../../src/store/port';
import { component, M, rel, seedModels, twinInput } from '../support/store-fixtures';

let store: TwinStore;
beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await seedModels(store);
  await store.createTwins([
    {
      id: 'room',
      twin: twinInput(M.room, {
        name: 'A',
        area: 10,
        address: { city: 'Oslo', zip: '0150' },
        thermostat: component({ setpoint: 21, mode: 'auto' }),
      }),
    },
    { id: 'hall', twin: twinInput(M.conferenceRoom, { name: 'H' }) },
    { id: 'floor', twin: twinInput(M.floor, { level: 1 }) },
  ]);
});
afterEach(async () => {
  await store.close();
});

/** The entries one write appends. */
async function logged(write: () => Promise<unknown>): Promise<ChangeEntry[]> {
  const after = await store.latestSeq();
  await write();
  return store.readChanges({ after });
}

const patchOf = async (patch: JsonPatch, id = 'room'): Promise<ChangeEntry> =>
  (await logged(() => store.patchTwin(id, patch)))[0];
const matches = (request: ChangeFilterRequest, entries: readonly ChangeEntry[]): string[] =>
  entries.filter(changeFilter(request)).map((e) => `${e.type} ${e.subject}`);

describe('by type', () => {
  it('takes exact types and families (Twin., Relationship., Model.)', async () => {
    const entries = [
      ...(await logged(() => store.putRelationship('floor', 'f-room', rel('room', 'hasRoom')))),
      await patchOf([{ op: 'replace', path: '/area', value: 11 }]),
      ...(await logged(() =>
        store.appendMetrics([{ twinId: 'room', name: 'temperature', time: '2024-05-01T10:00:00Z', value: 20 }]),
      )),
      ...(await logged(() => store.decommissionModel(M.sensor))),
      ...(await logged(() => store.deleteRelationship('floor', 'f-room'))),
    ];
    expect(matches({ types: ['Twin.Update', 'Telemetry'] }, entries)).toEqual(['Twin.Update room', 'Telemetry room']);
    expect(matches({ types: ['Relationship.'] }, entries)).toEqual([
      'Relationship.Create floor/relationships/f-room',
      'Relationship.Delete floor/relationships/f-room',
    ]);
    expect(matches({ types: ['Model.', 'Twin.'] }, entries)).toEqual([
      'Twin.Update room',
      `Model.Decommission ${M.sensor}`,
    ]);
    expect(matches({ types: [] }, entries)).toEqual([]);
  });
});

describe('by model and twin', () => {
  it('matches the model exactly (subtypes are the caller’s to list); relationships by their source’s model', async () => {
    const entries = [
      await patchOf([{ op: 'replace', path: '/name', value: 'B' }], 'room'),
      await patchOf([{ op: 'replace', path: '/name', value: 'I' }], 'hall'),
      ...(await logged(() => store.putRelationship('floor', 'f-room', rel('room', 'hasRoom')))),
      ...(await logged(() => store.decommissionModel(M.room))),
    ];
    expect(matches({ modelIds: [M.room] }, entries)).toEqual(['Twin.Update room', `Model.Decommission ${M.room}`]);
    expect(matches({ modelIds: [M.room, M.conferenceRoom] }, entries)).toEqual([
      'Twin.Update room',
      'Twin.Update hall',
      `Model.Decommission ${M.room}`,
    ]);
    expect(matches({ modelIds: [M.floor] }, entries)).toEqual(['Relationship.Create floor/relationships/f-room']);
  });

  it('matches a twin’s own changes, its telemetry, and relationships with it at either end', async () => {
    const entries = [
      await patchOf([{ op: 'replace', path: '/name', value: 'B' }], 'room'),
      await patchOf([{ op: 'replace', path: '/name', value: 'I' }], 'hall'),
      ...(await logged(() => store.putRelationship('floor', 'f-room', rel('room', 'hasRoom')))),
      ...(await logged(() => store.putRelationship('floor', 'f-hall', rel('hall', 'hasRoom')))),
      ...(await logged(() =>
        store.appendMetrics([{ twinId: 'room', name: 'temperature', time: '2024-05-01T10:00:00Z', value: 20 }]),
      )),
      ...(await logged(() => store.deleteRelationship('floor', 'f-room'))),
      ...(await logged(() =>
        store.putModels([{ id: 'dtmi:test:room;1', definition: {}, ancestors: [], dependencies: [] }]),
      )),
    ];
    expect(matches({ twinIds: ['room'] }, entries)).toEqual([
      'Twin.Update room',
      'Relationship.Create floor/relationships/f-room',
      'Telemetry room',
      'Relationship.Delete floor/relationships/f-room',
    ]);
    expect(matches({ twinIds: ['floor'] }, entries)).toEqual([
      'Relationship.Create floor/relationships/f-room',
      'Relationship.Create floor/relationships/f-hall',
      'Relationship.Delete floor/relationships/f-room',
    ]);
    expect(matches({ twinIds: [] }, entries)).toEqual([]);
  });
});

describe('by property path', () => {
  it('matches an update that touches the path, something inside it or something above it', async () => {
    const city = await patchOf([{ op: 'replace', path: '/address/city', value: 'Bergen' }]);
    const address = await patchOf([{ op: 'replace', path: '/address', value: { city: 'Oslo' } }]);
    const area = await patchOf([{ op: 'replace', path: '/area', value: 12 }]);
    const entries = [city, address, area];
    expect(matches({ paths: ['/address'] }, entries)).toEqual(['Twin.Update room', 'Twin.Update room']);
    expect(matches({ paths: ['/address/city'] }, entries).length).toBe(2);
    expect(matches({ paths: ['/address/zip'] }, entries).length).toBe(1); // only the replace of /address
    expect(matches({ paths: ['/area'] }, entries).length).toBe(1);
    expect(matches({ paths: ['/areas'] }, entries)).toEqual([]); // a prefix of the string is not a parent
    expect(matches({ paths: ['/name', '/area'] }, entries).length).toBe(1);
    expect(matches({ paths: [''] }, entries).length).toBe(3); // the whole twin
    expect(matches({ paths: [] }, entries)).toEqual([]);
  });

  it('matches component properties, added and removed ones, and sourceTime changes of a property', async () => {
    const setpoint = await patchOf([{ op: 'replace', path: '/thermostat/setpoint', value: 22 }]);
    const removed = await patchOf([{ op: 'remove', path: '/thermostat/mode' }]);
    const added = await patchOf([{ op: 'add', path: '/humidity', value: 40 }]);
    const sourceTime = await patchOf([
      { op: 'add', path: '/$metadata/area/sourceTime', value: '2024-04-30T10:00:00.000Z' },
    ]);
    const entries = [setpoint, removed, added, sourceTime];
    expect(entries.map((e) => e.type)).toEqual(['Twin.Update', 'Twin.Update', 'Twin.Update', 'Twin.Update']);
    expect(entries.filter(changeFilter({ paths: ['/thermostat/setpoint'] }))).toEqual([setpoint]);
    expect(entries.filter(changeFilter({ paths: ['/thermostat'] }))).toEqual([setpoint, removed]);
    expect(entries.filter(changeFilter({ paths: ['/thermostat/mode'] }))).toEqual([removed]);
    expect(entries.filter(changeFilter({ paths: ['/humidity'] }))).toEqual([added]);
    expect(entries.filter(changeFilter({ paths: ['/area'] }))).toEqual([sourceTime]);
    expect(entries.filter(changeFilter({ paths: ['/$metadata'] }))).toEqual([sourceTime]);
  });

  it('matches a component property’s sourceTime, and names with an escaped slash', () => {
    const update = (path: string): ChangeEntry => ({
      seq: 1,
      time: '',
      type: 'Twin.Update',
      subject: 'x',
      twinId: 'x',
      patch: [{ op: 'add', path, value: 1 }],
      body: {},
    });
    expect(changeFilter({ paths: ['/thermostat/setpoint'] })(update('/thermostat/$metadata/setpoint/sourceTime'))).toBe(
      true,
    );
    expect(changeFilter({ paths: ['/thermostat/mode'] })(update('/thermostat/$metadata/setpoint/sourceTime'))).toBe(
      false,
    );
    expect(changeFilter({ paths: ['/a~1b'] })(update('/a~1b/c'))).toBe(true);
    expect(changeFilter({ paths: ['/a'] })(update('/a~1b'))).toBe(false);
  });

  it('matches relationship updates by their properties', async () => {
    await store.putRelationship('floor', 'f-room', rel('room', 'hasRoom', { order: 1, label: 'x' }));
    const [order] = await logged(() =>
      store.patchRelationship('floor', 'f-room', [{ op: 'replace', path: '/order', value: 2 }]),
    );
    expect(changeFilter({ paths: ['/order'] })(order)).toBe(true);
    expect(changeFilter({ paths: ['/label'] })(order)).toBe(false);
  });

  it('lets creates, deletes and model changes through whatever the paths', async () => {
    const entries = [
      ...(await logged(() => store.createTwin('new', twinInput(M.room, { name: 'N' })))),
      ...(await logged(() => store.putRelationship('floor', 'f-new', rel('new', 'hasRoom')))),
      ...(await logged(() => store.deleteRelationship('floor', 'f-new'))),
      ...(await logged(() => store.deleteTwin('new'))),
      ...(await logged(() => store.decommissionModel(M.sensor))),
    ];
    expect(entries.filter(changeFilter({ paths: ['/temperature'] }))).toEqual(entries);
  });

  it('matches telemetry by the names of its points; a backfill that lists none matches any path', async () => {
    const point = (name: string) => ({ twinId: 'room', name, time: '2024-05-01T10:00:00Z', value: 1 });
    const [temperature] = await logged(() => store.appendMetrics([point('temperature'), point('co2')]));
    const [humidity] = await logged(() => store.appendMetrics([point('humidity')]));
    const [backfill] = await logged(() => store.appendMetrics([point('humidity')], { logPoints: false }));
    const entries = [temperature, humidity, backfill];
    expect(entries.filter(changeFilter({ paths: ['/co2'] }))).toEqual([temperature, backfill]);
    expect(entries.filter(changeFilter({ paths: ['/humidity'] }))).toEqual([humidity, backfill]);
  });

  it('refuses what is not a JSON Pointer: InvalidArgument', () => {
    for (const path of ['temperature', '/a~2', '/a~']) {
      expect(() => changeFilter({ paths: [path] })).toThrow(
        expect.objectContaining({ code: 'InvalidArgument', subject: { path } }),
      );
    }
  });
});

describe('combined', () => {
  it('requires every criterion given', async () => {
    const entries = [
      await patchOf([{ op: 'replace', path: '/area', value: 1 }], 'room'),
      await patchOf([{ op: 'replace', path: '/name', value: 'B' }], 'room'),
      await patchOf([{ op: 'add', path: '/area', value: 1 }], 'hall'),
      ...(await logged(() => store.deleteTwin('hall'))),
    ];
    expect(matches({ types: ['Twin.'], twinIds: ['room', 'hall'], paths: ['/area'] }, entries)).toEqual([
      'Twin.Update room',
      'Twin.Update hall',
      'Twin.Delete hall',
    ]);
    expect(matches({ modelIds: [M.room], paths: ['/area'] }, entries)).toEqual(['Twin.Update room']);
    expect(matches({}, entries).length).toBe(4);
  });
});
