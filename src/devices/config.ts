/**
 * The devices feature's configuration: the TWINGRAPH_MQTT_* variables, as one valibot object (DEVICES_ENV)
 * whose entries src/config.ts merges into its own, and what they become (DevicesConfig). Without TWINGRAPH_MQTT_URL
 * the feature connects to nothing and says so in `mqttStatus`.
 *
 * Messages name the variable, as src/config.ts words them, so that a wrong value stops the start with a
 * line an operator can act on; a default is the text the variable would hold, checked as that text would be.
 *
 * The live demo's variables (TWINGRAPH_SIMULATE, TWINGRAPH_SIMULATE_RATE, TWINGRAPH_MQTT_EMBEDDED_PORT) are
 * read here too, but only `twingraph start` acts on them (see ./live-demo.ts): an embedder or a test that
 * calls startApp gets no broker and no simulator unless it asks for the live demo.
 */
import os from 'node:os';
import * as v from 'valibot';
import { integer, oneOf } from '../config-values';
import { payloadFormatOf } from './payload';
import { parseTopicPattern, twinIdMapping } from './topics';

const bytes = v.pipe(
  v.string(),
  v.regex(/^\d+\s*(b|kb|mb)?$/i, 'a size such as 256kb, 1mb or 65536'),
  v.transform((text) => {
    const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(text)!;
    return Number(m[1]) * { b: 1, kb: 1024, mb: 1024 ** 2 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  }),
);

/** A topic pattern of the MQTT extension, or `none` to turn the default off. */
const pattern = v.pipe(
  v.string(),
  v.check((text) => {
    if (text === 'none') return true;
    try {
      parseTopicPattern(text);
      return true;
    } catch {
      return false;
    }
  }, 'a topic pattern such as devices/{senderId}/telemetry (labels and {tokens}), or none'),
);

const onOff = oneOf(['on', 'off']);

const topicPrefix = v.pipe(
  v.string(),
  v.regex(/^[^$#+\s][^#+\s]*[^/#+\s]$|^[^$#+/\s]$/, 'a topic prefix without wildcards, not starting with $'),
);

export const DEVICES_ENV = v.object({
  /** The broker: mqtt://, mqtts://, ws:// or wss://. Unset: the feature connects to nothing. */
  TWINGRAPH_MQTT_URL: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/, 'an MQTT URL such as mqtt://127.0.0.1:1883 or mqtts://broker:8883'),
    ),
  ),
  TWINGRAPH_MQTT_USERNAME: v.optional(v.string()),
  TWINGRAPH_MQTT_PASSWORD: v.optional(v.string()),
  /** Files: the CA that signed the broker's certificate, and this client's certificate and key (PEM). */
  TWINGRAPH_MQTT_CA: v.optional(v.string()),
  TWINGRAPH_MQTT_CERT: v.optional(v.string()),
  TWINGRAPH_MQTT_KEY: v.optional(v.string()),
  /**
   * MQTT 5 (`5`), 3.1.1 (`3.1.1`), or 5 falling back to 3.1.1 when the broker refuses it (`auto`). The message
   * lists them in the order it always has.
   */
  TWINGRAPH_MQTT_PROTOCOL: v.optional(v.picklist(['auto', '5', '3.1.1'], 'one of "5"|"auto"|"3.1.1"'), 'auto'),
  /** Stable across restarts (the broker keeps its session and QoS 1 messages by it); unique per replica. */
  TWINGRAPH_MQTT_CLIENT_ID: v.optional(
    v.pipe(v.string(), v.regex(/^[!-~]{1,128}$/, 'printable ASCII without spaces, 1 to 128 characters')),
  ),
  /** The shared-subscription group replicas split telemetry in (`$share/<group>/…`); `none` for plain subscriptions. */
  TWINGRAPH_MQTT_SHARE_GROUP: v.optional(
    v.pipe(v.string(), v.regex(/^[!-"$-*,-.0-~]+$/, 'a group name without /, +, # or spaces, or none')),
    'twingraph',
  ),
  /** How long the broker keeps this client's session (subscriptions, unacknowledged messages) while it is away, seconds. */
  TWINGRAPH_MQTT_SESSION_EXPIRY: v.optional(integer(0, 4_294_967_295), '3600'),
  /** A template with {id} exactly once: how a device id in a topic becomes a twin id (plant1-{id}). */
  TWINGRAPH_MQTT_TWIN_ID: v.optional(
    v.pipe(
      v.string(),
      v.check((t) => t.split('{id}').length === 2, 'a template holding {id} exactly once, such as {id} or plant1-{id}'),
    ),
    '{id}',
  ),
  /** Topics for twins whose model has no Mqtt co-type of its own; `none` turns the default off. */
  TWINGRAPH_MQTT_DEFAULT_TELEMETRY_TOPIC: v.optional(pattern, 'devices/{senderId}/telemetry'),
  TWINGRAPH_MQTT_DEFAULT_COMMAND_TOPIC: v.optional(pattern, 'devices/{executorId}/commands/{commandName}'),
  TWINGRAPH_MQTT_DEFAULT_PAYLOAD_FORMAT: v.optional(
    v.pipe(
      v.string(),
      v.check((f) => payloadFormatOf(f) !== undefined, 'Json/ecma/404, Cbor/rfc/8949 or raw/0'),
    ),
    'Json/ecma/404',
  ),
  TWINGRAPH_MQTT_DEADLETTER_TOPIC: v.optional(topicPrefix, 'twingraph/deadletter'),
  /** Devices answer commands under this prefix (every replica listens, so any one may wait for an answer). */
  TWINGRAPH_MQTT_RESPONSE_TOPIC: v.optional(topicPrefix, 'twingraph/responses'),
  TWINGRAPH_MQTT_MAX_PAYLOAD: v.optional(bytes, '256kb'),
  /** Points recorded in one store write at most, and how long a batch may wait for more, ms. */
  TWINGRAPH_MQTT_BATCH_POINTS: v.optional(integer(1, 100_000), '5000'),
  TWINGRAPH_MQTT_BATCH_MS: v.optional(integer(0, 10_000), '20'),
  /** How long a command waits for the device's answer, ms; Idempotent commands are sent again meanwhile. */
  TWINGRAPH_MQTT_COMMAND_TIMEOUT_MS: v.optional(integer(100, 600_000), '10000'),
  TWINGRAPH_MQTT_COMMAND_RETRIES: v.optional(integer(0, 10), '2'),
  /**
   * Whether this process sends the commands the change log records (Command.Invoke) to devices. With several
   * replicas, turn it on in one: each replica sees every invocation.
   */
  TWINGRAPH_MQTT_COMMANDS: v.optional(onOff, 'on'),
  /** Reconnection back-off: from the first delay, doubling, up to the cap, ms. */
  TWINGRAPH_MQTT_RECONNECT_MS: v.optional(integer(100, 3_600_000), '1000'),
  TWINGRAPH_MQTT_RECONNECT_MAX_MS: v.optional(integer(100, 3_600_000), '30000'),
  /** The live demo's device simulator (`twingraph start` on the demo firm): `off` keeps the devices quiet. */
  TWINGRAPH_SIMULATE: v.optional(onOff, 'on'),
  /** Messages per second the simulator publishes, all devices together. */
  TWINGRAPH_SIMULATE_RATE: v.optional(integer(1, 100_000), '50'),
  /** The loopback port of the live demo's embedded broker, when TWINGRAPH_MQTT_URL names none (0: any free port). */
  TWINGRAPH_MQTT_EMBEDDED_PORT: v.optional(integer(0, 65535), '1883'),
});

export type DevicesEnv = v.InferOutput<typeof DEVICES_ENV>;

export interface DevicesConfig {
  readonly url: string | undefined;
  readonly username?: string;
  readonly password?: string;
  readonly tls: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  readonly protocol: 'auto' | '5' | '3.1.1';
  readonly clientId: string;
  readonly shareGroup: string | undefined;
  readonly sessionExpirySeconds: number;
  readonly twinIdTemplate: string;
  readonly defaults:
    { readonly telemetryTopic?: string; readonly commandTopic?: string; readonly payloadFormat: string } | undefined;
  readonly deadLetterTopic: string;
  readonly responseTopic: string;
  readonly maxPayloadBytes: number;
  readonly batch: { readonly points: number; readonly ms: number };
  readonly commands: { readonly dispatch: boolean; readonly timeoutMs: number; readonly retries: number };
  readonly reconnect: { readonly baseMs: number; readonly maxMs: number };
  /** What the live demo does when `twingraph start` serves the demo firm (see ./live-demo.ts). */
  readonly liveDemo: {
    /** Whether the simulator publishes the demo devices' telemetry and answers their commands. */
    readonly simulate: boolean;
    /** Messages per second, all devices together. */
    readonly rate: number;
    /** The embedded broker's loopback port (0: any free one), used when `url` is unset. */
    readonly embeddedPort: number;
  };
}

/** What the parsed variables mean. */
export function devicesConfigOf(e: DevicesEnv): DevicesConfig {
  twinIdMapping(e.TWINGRAPH_MQTT_TWIN_ID);
  const telemetryTopic = e.TWINGRAPH_MQTT_DEFAULT_TELEMETRY_TOPIC;
  const commandTopic = e.TWINGRAPH_MQTT_DEFAULT_COMMAND_TOPIC;
  const hasDefaults = telemetryTopic !== 'none' || commandTopic !== 'none';
  return {
    url: e.TWINGRAPH_MQTT_URL,
    ...(e.TWINGRAPH_MQTT_USERNAME !== undefined && { username: e.TWINGRAPH_MQTT_USERNAME }),
    ...(e.TWINGRAPH_MQTT_PASSWORD !== undefined && { password: e.TWINGRAPH_MQTT_PASSWORD }),
    tls: {
      ...(e.TWINGRAPH_MQTT_CA && { caFile: e.TWINGRAPH_MQTT_CA }),
      ...(e.TWINGRAPH_MQTT_CERT && { certFile: e.TWINGRAPH_MQTT_CERT }),
      ...(e.TWINGRAPH_MQTT_KEY && { keyFile: e.TWINGRAPH_MQTT_KEY }),
    },
    protocol: e.TWINGRAPH_MQTT_PROTOCOL,
    clientId: e.TWINGRAPH_MQTT_CLIENT_ID ?? `twingraph-${os.hostname().replace(/[^!-~]/g, '')}`.slice(0, 128),
    shareGroup: e.TWINGRAPH_MQTT_SHARE_GROUP === 'none' ? undefined : e.TWINGRAPH_MQTT_SHARE_GROUP,
    sessionExpirySeconds: e.TWINGRAPH_MQTT_SESSION_EXPIRY,
    twinIdTemplate: e.TWINGRAPH_MQTT_TWIN_ID,
    defaults: hasDefaults
      ? {
          ...(telemetryTopic !== 'none' && { telemetryTopic }),
          ...(commandTopic !== 'none' && { commandTopic }),
          payloadFormat: e.TWINGRAPH_MQTT_DEFAULT_PAYLOAD_FORMAT,
        }
      : undefined,
    deadLetterTopic: e.TWINGRAPH_MQTT_DEADLETTER_TOPIC,
    responseTopic: e.TWINGRAPH_MQTT_RESPONSE_TOPIC,
    maxPayloadBytes: e.TWINGRAPH_MQTT_MAX_PAYLOAD,
    batch: { points: e.TWINGRAPH_MQTT_BATCH_POINTS, ms: e.TWINGRAPH_MQTT_BATCH_MS },
    commands: {
      dispatch: e.TWINGRAPH_MQTT_COMMANDS === 'on',
      timeoutMs: e.TWINGRAPH_MQTT_COMMAND_TIMEOUT_MS,
      retries: e.TWINGRAPH_MQTT_COMMAND_RETRIES,
    },
    reconnect: {
      baseMs: e.TWINGRAPH_MQTT_RECONNECT_MS,
      maxMs: Math.max(e.TWINGRAPH_MQTT_RECONNECT_MS, e.TWINGRAPH_MQTT_RECONNECT_MAX_MS),
    },
    liveDemo: {
      simulate: e.TWINGRAPH_SIMULATE === 'on',
      rate: e.TWINGRAPH_SIMULATE_RATE,
      embeddedPort: e.TWINGRAPH_MQTT_EMBEDDED_PORT,
    },
  };
}

export class DevicesConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the TWINGRAPH_MQTT_* variables alone (an empty value counts as unset); throws a DevicesConfigError
 * with a line per wrong variable. Once src/config.ts merges DEVICES_ENV, its loadConfig does this.
 */
export function loadDevicesConfig(env: NodeJS.ProcessEnv): DevicesConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, value]) => k in DEVICES_ENV.entries && value !== undefined && value !== ''),
  );
  const parsed = v.safeParse(DEVICES_ENV, present);
  if (!parsed.success) {
    const lines = parsed.issues.map((issue) => {
      const variable = String(issue.path?.[0]?.key);
      return `${variable}=${JSON.stringify(env[variable])}: expected ${issue.message}`;
    });
    throw new DevicesConfigError(`Twingraph cannot start: the configuration is wrong.\n  ${lines.join('\n  ')}`);
  }
  return devicesConfigOf(parsed.output);
}
