/**
 * A device simulator: devices that publish telemetry over MQTT, throttled to a total rate, and answer
 * commands, so that a demo (or a test, or a bench) has something alive on the other side of the broker.
 *
 * Each device walks on from a starting point (the demo's devices start where the seed's generator left
 * them, ./demo-devices.ts) with the seed's own noise: AR(1) around the device's load, temperature following
 * utilisation, vibration following load. Its state follows its utilisation as in the seed (above 0.35:
 * processing), with rare blockages and failures; a state change is sent as the `stateChange` telemetry and
 * the `state` property. It talks on the topics and in the payload format its model declares (the caller
 * reads them from the model's Mqtt co-type, ./demo-devices.ts). It answers a command on its command topic
 * (MQTT 5 response topic and correlation data), runs it once per correlation data, as a non-Idempotent
 * command's executor must, and answers every copy: `reboot` brings it back to idle; `runSelfTest` answers
 * with its result (passed unless the device has failed) and reports it in its `diagnostics` component. A
 * command it does not know but whose model declares a response is answered 501, so that the invoker says
 * so rather than waiting.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { JsonObject, JsonValue } from '../store/types';
import { encodePayload, type PayloadFormat } from './payload';
import { fillTopic, matchTopic, parseTopicPattern, subscriptionFilter, type TopicPattern } from './topics';

export type SimulatedState = 'idle' | 'processing' | 'blocked' | 'failed';

export interface DeviceStart {
  /** The device id in topics ({senderId}, {executorId}). */
  readonly id: string;
  readonly temperature: number;
  readonly vibration: number;
  readonly utilisation: number;
  readonly state: SimulatedState;
}

/** How the simulated devices talk: their model's Mqtt co-type, read by ./demo-devices.ts. */
export interface DeviceProtocol {
  /** The model's DTMI, for a `{modelId}` in a topic. */
  readonly modelId: string;
  readonly telemetryTopic: string;
  readonly commandTopic: string;
  readonly format: PayloadFormat;
  /** The name of each Command's response (`{ "<name>": value }` is the answer), for those that declare one. */
  readonly responses: Readonly<Record<string, string>>;
}

export interface SimulatorOptions {
  readonly url: string;
  readonly devices: readonly DeviceStart[];
  /** Messages per second, all devices together. */
  readonly rate: number;
  readonly protocol: DeviceProtocol;
  readonly clientId?: string;
  /** Chance per message that a running device blocks, and that it fails (default 0.002 and 0.0005). */
  readonly blockChance?: number;
  readonly failChance?: number;
  readonly random?: () => number;
}

interface Live {
  readonly id: string;
  base: { temperature: number; vibration: number; load: number };
  temperature: number;
  vibration: number;
  utilisation: number;
  state: SimulatedState;
  noise: { u: number; t: number; v: number };
  /** Messages until a blocked or failed device recovers. */
  downFor: number;
}

export class DeviceSimulator {
  readonly client: MqttClient;
  #timer: NodeJS.Timeout | undefined;
  #next = 0;
  #published = 0;
  #commands = 0;
  #listening = false;
  /** The answers of the newest commands run, by device and correlation data. */
  readonly #seen = new Map<string, { value?: JsonValue }>();
  readonly #devices: Live[];
  readonly #byId: Map<string, Live>;
  readonly #random: () => number;
  readonly #telemetry: TopicPattern;

  constructor(private readonly options: SimulatorOptions) {
    this.#random = options.random ?? Math.random;
    this.#telemetry = parseTopicPattern(options.protocol.telemetryTopic);
    this.#devices = options.devices.map((d) => ({
      id: d.id,
      base: { temperature: d.temperature - 10 * d.utilisation, vibration: d.vibration, load: d.utilisation },
      temperature: d.temperature,
      vibration: d.vibration,
      utilisation: d.utilisation,
      state: d.state,
      noise: { u: 0, t: 0, v: 0 },
      downFor: 0,
    }));
    this.#byId = new Map(this.#devices.map((d) => [d.id, d]));
    this.client = mqtt.connect(options.url, {
      clientId: options.clientId ?? `twingraph-simulator-${process.pid}`,
      protocolVersion: 5,
      reconnectPeriod: 1000,
    });
    const commands = parseTopicPattern(options.protocol.commandTopic);
    const filter = subscriptionFilter(commands);
    this.client.on('connect', () => {
      this.#listening = false;
      this.client.subscribe(filter, { qos: 1 }, (error) => {
        this.#listening = !error;
      });
    });
    this.client.on('message', (topic, _payload, packet) => {
      const tokens = matchTopic(commands, topic);
      const device = tokens?.executorId ? this.#byId.get(tokens.executorId) : undefined;
      if (!device || !tokens?.commandName) return;
      this.#answer(device, tokens.commandName, packet.properties?.responseTopic, packet.properties?.correlationData);
    });
  }

  /** Whether the broker has acknowledged its subscription to the command topic (commands reach it). */
  get listening(): boolean {
    return this.#listening;
  }

  get published(): number {
    return this.#published;
  }

  get commandsExecuted(): number {
    return this.#commands;
  }

  /** Publishes at the configured rate until stopped, one device after another. */
  start(): void {
    if (this.#devices.length === 0 || this.options.rate <= 0) return;
    // Ticks of 20 ms (timers are not precise below that), each sending what the clock says is due since the
    // last: a busy event loop fires timers late and seldom, and counting ticks would then fall short of the
    // rate. At most one second is made up at once, and nothing is owed for a time without a connection.
    const perMs = this.options.rate / 1000;
    let last = performance.now();
    let due = 0;
    this.#timer = setInterval(() => {
      const now = performance.now();
      const elapsed = now - last;
      last = now;
      if (!this.client.connected) return;
      due = Math.min(due + elapsed * perMs, Math.max(this.options.rate, 1));
      for (; due >= 1; due--) this.#publishNext();
    }, 20);
  }

  #publishNext(): void {
    const device = this.#devices[this.#next];
    this.#next = (this.#next + 1) % this.#devices.length;
    const before = device.state;
    this.#step(device);
    const message: JsonObject = {
      temperature: round(device.temperature, 2),
      vibration: round(device.vibration, 3),
      utilisation: round(device.utilisation, 3),
    };
    if (device.state !== before) {
      message.stateChange = device.state;
      message.state = device.state;
    }
    this.#send(device.id, message);
  }

  #send(id: string, message: JsonObject): void {
    const topic = fillTopic(this.#telemetry, { senderId: id, modelId: this.options.protocol.modelId });
    this.#published++;
    this.client.publish(topic, encodePayload(this.options.protocol.format, message), { qos: 1 });
  }

  /** One step of the seed's generator: AR(1) noise around the device's load, then the state it implies. */
  #step(d: Live): void {
    const normal = (sd: number): number => {
      const u = 1 - this.#random();
      const v = this.#random();
      return sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    };
    d.noise.u = 0.7 * d.noise.u + normal(0.05);
    d.noise.t = 0.8 * d.noise.t + normal(0.35);
    d.noise.v = 0.5 * d.noise.v + normal(0.06 * d.base.vibration);
    if (d.downFor > 0) d.downFor--;
    else if (d.state === 'blocked' || d.state === 'failed') d.state = 'idle';
    else if (this.#random() < (this.options.failChance ?? 0.0005)) {
      d.state = 'failed';
      d.downFor = 20 + Math.floor(this.#random() * 100);
    } else if (this.#random() < (this.options.blockChance ?? 0.002)) {
      d.state = 'blocked';
      d.downFor = 5 + Math.floor(this.#random() * 30);
    }
    const failed = d.state === 'failed';
    d.utilisation = failed ? 0 : Math.min(1, Math.max(0, d.base.load + d.noise.u));
    d.vibration = failed
      ? 0.02 + Math.abs(d.noise.v) * 0.2
      : Math.max(0.01, d.base.vibration * (1 + 0.4 * d.utilisation) + d.noise.v);
    d.temperature = d.base.temperature - (failed ? 8 : 0) + 10 * d.utilisation + d.noise.t;
    if (d.state !== 'blocked' && d.state !== 'failed') d.state = d.utilisation > 0.35 ? 'processing' : 'idle';
  }

  #answer(device: Live, command: string, responseTopic: string | undefined, correlation: Buffer | undefined): void {
    const key = correlation ? `${device.id}\n${command}\n${correlation.toString('base64')}` : undefined;
    // Run once per invocation however often QoS 1 delivers it; answer every copy with the first run's answer.
    let answer = key ? this.#seen.get(key) : undefined;
    if (!answer) {
      answer = this.#execute(device, command);
      if (key) {
        this.#seen.set(key, answer);
        if (this.#seen.size > 10_000) this.#seen.delete(this.#seen.keys().next().value!);
      }
    }
    if (!responseTopic || !correlation) return;
    const responseName = this.options.protocol.responses[command];
    const known = answer.value !== undefined || responseName === undefined;
    const payload: JsonObject =
      responseName !== undefined && answer.value !== undefined ? { [responseName]: answer.value } : {};
    this.client.publish(responseTopic, encodePayload(this.options.protocol.format, payload), {
      qos: 1,
      properties: {
        correlationData: correlation,
        ...(!known && {
          userProperties: { __stat: '501', __stMsg: `the simulated device does not implement '${command}'` },
        }),
      },
    });
  }

  /** Runs a command on a device: what it does, and its answer (undefined when it has none to give). */
  #execute(device: Live, command: string): { value?: JsonValue } {
    this.#commands++;
    if (command === 'reboot') {
      device.state = 'idle';
      device.downFor = 0;
      this.#send(device.id, { state: 'idle', stateChange: 'idle' });
      return {};
    }
    if (command === 'runSelfTest') {
      const passed = device.state !== 'failed';
      const errorCount = passed ? 0 : 1 + Math.floor(this.#random() * 3);
      const durationSeconds = round(2 + this.#random() * 3, 2);
      this.#send(device.id, { diagnostics: { selfTestPassed: passed } });
      return { value: { passed, errorCount, durationSeconds } };
    }
    return {};
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.client.endAsync();
  }
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
