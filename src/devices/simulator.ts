/**
 * A device simulator: devices that publish telemetry over MQTT, throttled to a total rate, and answer
 * commands, so that a demo (or a test, or a bench) has something alive on the other side of the broker.
 *
 * Each device walks on from a starting point (the demo's devices start where the seed's generator left
 * them, ./demo-devices.ts) with the seed's own noise: AR(1) around the device's load, temperature following
 * utilisation, vibration following load. Its state follows its utilisation as in the seed (above 0.35:
 * processing), with rare blockages and failures; a state change is sent as the `stateChange` telemetry and
 * the `state` property. It answers a command on its command topic (MQTT 5 response topic and correlation
 * data), once per correlation data, as a non-Idempotent command's executor must; `reboot` brings it back
 * to idle.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { JsonObject } from '../store/types';
import { encodePayload, type PayloadFormat } from './payload';
import { fillTopic, matchTopic, parseTopicPattern, subscriptionFilter } from './topics';

export type SimulatedState = 'idle' | 'processing' | 'blocked' | 'failed';

export interface DeviceStart {
  /** The device id in topics ({senderId}, {executorId}). */
  readonly id: string;
  readonly temperature: number;
  readonly vibration: number;
  readonly utilisation: number;
  readonly state: SimulatedState;
}

export interface SimulatorOptions {
  readonly url: string;
  readonly devices: readonly DeviceStart[];
  /** Messages per second, all devices together. */
  readonly rate: number;
  readonly telemetryTopic?: string;
  readonly commandTopic?: string;
  readonly format?: PayloadFormat;
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
  readonly #seen = new Set<string>();
  readonly #devices: Live[];
  readonly #byId: Map<string, Live>;
  readonly #random: () => number;

  constructor(private readonly options: SimulatorOptions) {
    this.#random = options.random ?? Math.random;
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
    const commands = parseTopicPattern(options.commandTopic ?? 'devices/{executorId}/commands/{commandName}');
    this.client.on('connect', () => {
      this.client.subscribe(subscriptionFilter(commands), { qos: 1 });
    });
    this.client.on('message', (topic, _payload, packet) => {
      const tokens = matchTopic(commands, topic);
      const device = tokens?.executorId ? this.#byId.get(tokens.executorId) : undefined;
      if (!device || !tokens?.commandName) return;
      this.#answer(device, tokens.commandName, packet.properties?.responseTopic, packet.properties?.correlationData);
    });
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
    // Ticks of 20 ms, each sending its share (timers are not precise below that).
    const perTick = this.options.rate / 50;
    let due = 0;
    this.#timer = setInterval(() => {
      if (!this.client.connected) return;
      due += perTick;
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
    const topic = fillTopic(parseTopicPattern(this.options.telemetryTopic ?? 'devices/{senderId}/telemetry'), {
      senderId: id,
    });
    this.#published++;
    this.client.publish(topic, encodePayload(this.options.format ?? 'json', message), { qos: 1 });
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
    const key = correlation ? `${device.id}\n${correlation.toString('base64')}` : undefined;
    // Run once per invocation however often QoS 1 delivers it; answer every copy.
    if (!key || !this.#seen.has(key)) {
      if (key) {
        this.#seen.add(key);
        if (this.#seen.size > 10_000) this.#seen.delete(this.#seen.values().next().value!);
      }
      this.#commands++;
      if (command === 'reboot') {
        device.state = 'idle';
        device.downFor = 0;
        this.#send(device.id, { state: 'idle', stateChange: 'idle' });
      }
    }
    if (responseTopic && correlation)
      this.client.publish(responseTopic, encodePayload(this.options.format ?? 'json', {}), {
        qos: 1,
        properties: { correlationData: correlation },
      });
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.client.endAsync();
  }
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
