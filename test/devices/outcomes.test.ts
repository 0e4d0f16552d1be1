/**
 * Each command invocation and its outcome in the change log, against a real broker: after the Command.Invoke
 * that a mutation records, the replica that carried the command records how it ended — Command.Response
 * (answered, answered from the cache, or sent when no answer is declared), Command.Timeout, Command.Failed —
 * with the invocation's seq, so that `changes`, `changed(types:)` subscribers and other replicas see it.
 * Nothing is recorded for a command the devices feature does not carry (no command topic for the model).
 *
 * The store appends outcomes with `recordCommandOutcome` (see src/devices/outcome-log.ts); a store without it
 * skips this suite, saying so.
 */
import type { MqttClient } from 'mqtt';
import { SqliteStore } from '../../src/store/sqlite/store';
import type { ChangeEntry } from '../../src/store/types';
import { describeWhen } from '../support/shared';
import { BROKERS } from './support/brokers';
import { DeviceApp, THERMOSTAT, waitUntil } from './support/device-app';

const RECORDS_OUTCOMES =
  typeof (SqliteStore.prototype as { recordCommandOutcome?: unknown }).recordCommandOutcome === 'function';
const kind = BROKERS.find((b) => b.available)!;

describeWhen(
  RECORDS_OUTCOMES,
  `devices: command outcomes in the change log, through ${kind.name}`,
  'the store has no recordCommandOutcome yet (the store change the devices work describes)',
  () => {
    const broker = kind.create();
    let t: DeviceApp;
    let device: MqttClient;
    let answer: (topic: string) => { payload: unknown; stat?: string } | undefined = () => undefined;

    beforeAll(async () => {
      await broker.start();
      t = await new DeviceApp(broker.url, kind.env).start();
      await t.twin('th-1', THERMOSTAT);
      await t.app.services.models.upload([
        // Talks MQTT, but declares no command topic: its commands are not the gateway's to carry.
        JSON.stringify({
          '@context': ['dtmi:dtdl:context;3', 'dtmi:dtdl:extension:mqtt;1'],
          '@id': 'dtmi:twingraph:example:Silent;1',
          '@type': ['Interface', 'Mqtt'],
          telemetryTopic: 'silent/{senderId}',
          payloadFormat: 'Json/ecma/404',
          contents: [{ '@type': 'Command', name: 'hush' }],
        }),
      ]);
      device = await t.client();
      device.on('message', (topic, _payload, packet) => {
        const reply = answer(topic);
        const { responseTopic, correlationData } = packet.properties ?? {};
        if (!reply || !responseTopic) return;
        device.publish(responseTopic, JSON.stringify(reply.payload), {
          qos: 1,
          properties: {
            correlationData,
            ...(reply.stat && { userProperties: { __stat: reply.stat, __stMsg: 'busy' } }),
          },
        });
      });
      await device.subscribeAsync('sensors/+/command/+', { qos: 1 });
    });
    beforeEach(() => {
      answer = () => undefined;
    });
    afterAll(async () => {
      await t?.close();
      await broker.close();
    });

    /** The outcome change of invocation `seq`, once it is in the log. */
    const outcomeOf = async (seq: number): Promise<ChangeEntry> => {
      let found: ChangeEntry | undefined;
      await waitUntil(async () => {
        const changes = await t.app.services.store.readChanges({ after: seq });
        found = changes.find((c) => (c.body as { invocation?: number }).invocation === seq);
        return found !== undefined;
      }, `the outcome of invocation ${seq} is recorded`);
      return found!;
    };

    it('records Command.Response after the Command.Invoke, with the answer, by the gateway', async () => {
      answer = () => ({ payload: { previous: 19 } });
      const { setTargetOnThermostat } = await t.ok(
        'mutation { setTargetOnThermostat(id: "th-1", target: 21) { seq status } }',
      );
      expect(setTargetOnThermostat.status).toBe('Completed');
      const outcome = await outcomeOf(setTargetOnThermostat.seq);
      expect(outcome).toMatchObject({
        type: 'Command.Response',
        twinId: 'th-1',
        modelId: THERMOSTAT,
        subject: 'th-1',
        body: {
          invocation: setTargetOnThermostat.seq,
          command: 'setTarget',
          status: 'Completed',
          response: 19,
          attempts: 1,
        },
      });
      expect(outcome.seq).toBeGreaterThan(setTargetOnThermostat.seq);
      expect(outcome.actor).toMatch(/^mqtt:/);
    });

    it('records Command.Timeout when no answer comes, and Command.Failed when the device refuses', async () => {
      const timedOut = await t.ok('mutation { setTargetOnThermostat(id: "th-1", target: 22) { seq } }');
      expect(await outcomeOf(timedOut.setTargetOnThermostat.seq)).toMatchObject({
        type: 'Command.Timeout',
        body: { status: 'TimedOut', attempts: 1 },
      });
      answer = () => ({ payload: {}, stat: '503' });
      const failed = await t.ok('mutation { setTargetOnThermostat(id: "th-1", target: 23) { seq } }');
      expect(await outcomeOf(failed.setTargetOnThermostat.seq)).toMatchObject({
        type: 'Command.Failed',
        body: { status: 'Failed', message: 'the device answered 503: busy' },
      });
    });

    it('delivers invocations and outcomes to a changed(types:) subscriber, in order', async () => {
      const events: Record<string, any>[] = [];
      const ws = t.app.server.url.replace(/^http/, 'ws');
      const { createClient } = await import('graphql-ws');
      const WebSocket = (await import('ws')).default;
      const client = createClient({ url: ws, webSocketImpl: WebSocket, retryAttempts: 0 });
      const before = t.app.services.feed.subscriptionsStarted;
      client.subscribe(
        {
          query:
            'subscription { changed(types: [COMMAND_INVOKE, COMMAND_RESPONSE], twinIds: ["th-1"]) { seq type body } }',
        },
        {
          next: (v) => void events.push(v.data!.changed as Record<string, any>),
          error: () => undefined,
          complete: () => undefined,
        },
      );
      await waitUntil(() => t.app.services.feed.subscriptionsStarted > before, 'subscribed');
      answer = () => ({ payload: { previous: 23 } });
      await t.ok('mutation { setTargetOnThermostat(id: "th-1", target: 24) { seq } }');
      await waitUntil(() => events.length === 2, 'both changes arrive');
      expect(events.map((e) => e.type)).toEqual(['COMMAND_INVOKE', 'COMMAND_RESPONSE']);
      expect(events[1].body).toMatchObject({ invocation: events[0].seq, status: 'Completed', response: 23 });
      await client.dispose();
    });

    it('records nothing for a command it does not carry (a model without a command topic)', async () => {
      await t.twin('quiet-1', 'dtmi:twingraph:example:Silent;1');
      const { hushOnSilent } = await t.ok('mutation { hushOnSilent(id: "quiet-1") { seq } }');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await t.app.services.store.readChanges({ after: hushOnSilent.seq });
      expect(after.filter((c) => c.twinId === 'quiet-1')).toEqual([]);
    });
  },
);
