/**
 * The devices feature in the GraphQL schema (a plugin): `mqttStatus` (the connection, subscriptions, message
 * rates, dead letters by reason and the newest ones, command counts, problems with the models' MQTT
 * declarations); `invokeDeviceCommand`, which records a command invocation like the generated command
 * mutations do and waits for the device's answer (as JSON: it serves any command); and the answers of the
 * generated command mutations of Commands that declare a response (`runSelfTestOnDevice`), which wait for
 * the device the same way and return its answer typed by the response schema (../graphql/plugin.ts,
 * CommandResponses). Present whether or not a broker is configured (then `enabled` is false).
 *
 * Counters since start are Long: at the rates MQTT ingestion reaches, a 32-bit Int would overflow in hours.
 */
import 'reflect-metadata';
import { GraphQLInt, GraphQLNonNull, GraphQLString, type GraphQLEnumType } from 'graphql';
import {
  Arg,
  Ctx,
  Extensions,
  Field,
  FieldResolver,
  Float,
  Int,
  Mutation,
  ObjectType,
  Query,
  registerEnumType,
  Resolver,
  Root,
} from 'type-graphql';
import { TwingraphError } from '../errors';
import type { GraphContext } from '../graphql/graph-context';
import { featureContext, type CommandAnswer, type CommandResponses, type SchemaPlugin } from '../graphql/plugin';
import { DateTimeScalar, JSONScalar, LongScalar } from '../graphql/scalars';
import type { JsonValue } from '../store/types';
import type { CommandOutcome, CommandStatus } from './command-invoker';
import type { RecordInvocation } from './gateway';
import type { DeadLetter } from './dead-letters';
import type { MqttStatus as MqttState } from './gateway';

/** The plugin's name, and its key in GraphContext.features. */
export const DEVICES = 'devices';

/** What the resolvers ask of the running feature. */
export interface DevicesAccess {
  status(): MqttState;
  deadLetters(limit: number): DeadLetter[];
  invoke(
    twinId: string,
    command: string,
    request: JsonValue | undefined,
    timeoutMs: number,
    record: RecordInvocation,
  ): Promise<CommandOutcome>;
  /** Waits for the outcome of an invocation already recorded. */
  awaitOutcome(seq: number, twinId: string, command: string, timeoutMs: number): Promise<CommandOutcome>;
  /** The configured command timeout, ms. */
  readonly defaultTimeoutMs: number;
}

function devicesOf(ctx: GraphContext): DevicesAccess {
  return featureContext<DevicesAccess>(ctx, DEVICES);
}

const STATUSES = [
  'Completed',
  'Cached',
  'Sent',
  'TimedOut',
  'Failed',
  'NotSent',
] as const satisfies readonly CommandStatus[];
export const DeviceCommandStatus = Object.fromEntries(STATUSES.map((s) => [s, s])) as Record<
  CommandStatus,
  CommandStatus
>;
registerEnumType(DeviceCommandStatus, {
  name: 'DeviceCommandStatus',
  description: 'How a command sent to a device over MQTT ended.',
  valuesConfig: {
    Completed: { description: 'The device answered.' },
    Cached: {
      description: "A Cacheable command's answer to the same request, reused within its ttl; nothing was sent.",
    },
    Sent: { description: 'The broker took the request; the command declares no response to wait for.' },
    TimedOut: { description: 'No answer within the timeout (Idempotent commands were sent again meanwhile).' },
    Failed: { description: 'The device answered with an error, or with an answer that is not the declared response.' },
    NotSent: { description: "It could not be sent: no broker, or no command topic for the twin's model." },
  },
});

@ObjectType({ description: 'The last failure the MQTT connection met.' })
export class MqttError {
  @Field(() => DateTimeScalar, { description: 'When it happened.' }) time!: string;
  @Field(() => String, { description: 'What happened.' }) message!: string;
}

@ObjectType({ description: 'Dead letters of one reason since start.' })
export class MqttDeadLetterCount {
  @Field(() => String, { description: 'Why they were not recorded (see MqttDeadLetter.reason).' }) reason!: string;
  @Field(() => LongScalar, { description: 'How many.' }) count!: number;
}

@ObjectType({ description: 'A device message (or one value of it) that was not recorded, and why.' })
export class MqttDeadLetter {
  @Field(() => String, {
    description:
      'tooLarge, undecodable, unsupportedFormat, notAnObject, unknownTwin, wrongTopic, unknownName, invalidTelemetry, invalidProperty, invalidTime, notRecorded.',
  })
  reason!: string;
  @Field(() => String, { description: 'Why, in words.' }) message!: string;
  @Field(() => String, { description: 'The topic the device published on.' }) topic!: string;
  @Field(() => DateTimeScalar, { description: 'When it arrived.' }) time!: string;
  @Field(() => String, { nullable: true, description: 'The twin it was for, when known.' }) twinId!: string | null;
  @Field(() => String, { nullable: true, description: 'The telemetry or property refused.' }) name!: string | null;
  @Field(() => String, { nullable: true, description: 'The first KB of the payload (UTF-8, or base64).' })
  payload!: string | null;
}

@ObjectType({ description: 'Commands sent to devices since start.' })
export class MqttCommandCounts {
  @Field(() => LongScalar, { description: 'Requests published.' }) sent!: number;
  @Field(() => LongScalar, { description: 'Commands the device answered.' }) completed!: number;
  @Field(() => LongScalar, { description: 'Commands not answered in time.' }) timedOut!: number;
  @Field(() => LongScalar, { description: 'Commands that failed or were answered wrongly.' }) failed!: number;
  @Field(() => LongScalar, { description: 'Answers reused from a Cacheable command.' }) cached!: number;
}

@ObjectType({ description: 'Devices over MQTT: the connection to the broker and what came through it.' })
export class MqttStatus {
  @Field(() => Boolean, {
    description: "Whether it talks to a broker: TWINGRAPH_MQTT_URL's, or the live demo's embedded one.",
  })
  enabled!: boolean;
  @Field(() => Boolean, {
    description: "Whether the broker is the live demo's embedded one (npm start without TWINGRAPH_MQTT_URL).",
  })
  embedded!: boolean;
  @Field(() => Boolean, { description: 'Whether it is connected to the broker now.' }) connected!: boolean;
  @Field(() => String, { nullable: true, description: 'The broker, without its password.' }) url!: string | null;
  @Field(() => String, { description: 'The MQTT client id it connects with.' }) clientId!: string;
  @Field(() => Int, { nullable: true, description: '5, or 4 for MQTT 3.1.1.' }) protocolVersion!: number | null;
  @Field(() => [String], { description: 'Topic filters subscribed to ($share/<group>/… when shared).' })
  subscriptions!: string[];
  @Field(() => LongScalar, { description: 'Messages received since start.' }) messagesIn!: number;
  @Field(() => LongScalar, { description: 'Messages published since start.' }) messagesOut!: number;
  @Field(() => Float, { description: 'Over the last minute.' }) messagesInPerSecond!: number;
  @Field(() => Float, { description: 'Over the last minute.' }) messagesOutPerSecond!: number;
  @Field(() => LongScalar, { description: 'Telemetry points recorded since start.' }) pointsRecorded!: number;
  @Field(() => Float, { description: 'Telemetry points recorded per second, over the last minute.' })
  pointsPerSecond!: number;
  @Field(() => LongScalar, { description: 'Twin updates from properties devices reported.' })
  propertyUpdates!: number;
  @Field(() => LongScalar, { description: 'Dead letters since start.' }) deadLetters!: number;
  @Field(() => [MqttDeadLetterCount], { description: 'Dead letters since start, by reason.' })
  deadLettersByReason!: MqttDeadLetterCount[];
  @Field(() => MqttCommandCounts, { description: 'Commands sent to devices since start.' })
  commands!: MqttCommandCounts;
  @Field(() => [String], { description: "What in the models' Mqtt declarations Twingraph cannot use, and why." })
  bindingProblems!: string[];
  @Field(() => MqttError, { nullable: true, description: 'The last failure of the connection; null when none.' })
  lastError!: MqttError | null;
}

@ObjectType({ description: 'A command sent to a device and how it ended.' })
export class DeviceCommandResult {
  @Field(() => LongScalar, {
    nullable: true,
    description: 'The seq of the Command.Invoke change (cached answers are recorded too).',
  })
  seq!: number | null;
  @Field(() => String, { description: 'The twin commanded.' }) twinId!: string;
  @Field(() => String, { description: "The command's DTDL name." }) command!: string;
  @Field(() => DeviceCommandStatus, { description: 'How it ended.' }) status!: CommandStatus;
  @Field(() => JSONScalar, { nullable: true, description: "The device's answer (the Command's response value)." })
  response!: unknown;
  @Field(() => String, { nullable: true, description: 'What went wrong, for TimedOut, Failed and NotSent; else null.' })
  message!: string | null;
  @Field(() => Int, { description: 'Times the request was published.' }) attempts!: number;
}

@Resolver(() => MqttStatus)
export class MqttStatusResolver {
  @FieldResolver(() => [MqttDeadLetter], {
    description: 'The newest dead letters, newest first (at most 100 are kept).',
  })
  recentDeadLetters(
    @Root() _status: MqttStatus,
    @Ctx() ctx: GraphContext,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most this many (at most 100).' }) first: number,
  ): MqttDeadLetter[] {
    return devicesOf(ctx)
      .deadLetters(Math.max(0, Math.min(first, 100)))
      .map((d) => ({
        reason: d.reason,
        message: d.message,
        topic: d.topic,
        time: d.time,
        twinId: d.twinId ?? null,
        name: d.name ?? null,
        payload: d.payload ?? null,
      }));
  }
}

@Resolver()
export class DeviceOperations {
  // Dead letters hold what devices sent: for operators (the role the mirror's status needs too).
  @Extensions({ role: 'admin' })
  @Query(() => MqttStatus, { description: 'Devices over MQTT: connection, subscriptions, rates, dead letters.' })
  mqttStatus(@Ctx() ctx: GraphContext): MqttStatus {
    return devicesOf(ctx).status() as unknown as MqttStatus;
  }

  @Mutation(() => DeviceCommandResult, {
    description:
      "Invokes a command of a twin's model on its device over MQTT and waits for the answer: recorded as a Command.Invoke change (as the generated command mutations are), published to the model's commandTopic, and answered on the response topic. Idempotent commands are sent again while no answer comes; a Cacheable command's answer to an identical request is reused within its ttl.",
  })
  async invokeDeviceCommand(
    @Ctx() ctx: GraphContext,
    @Arg('twinId', () => String, { description: 'The twin of the device.' }) twinId: string,
    @Arg('command', () => String, { description: "The command's DTDL name in the twin's model." }) command: string,
    @Arg('request', () => JSONScalar, { nullable: true, description: "The Command's request value." }) request: unknown,
    @Arg('timeoutSeconds', () => Float, {
      nullable: true,
      description: 'How long to wait for the answer (default TWINGRAPH_MQTT_COMMAND_TIMEOUT_MS).',
    })
    timeoutSeconds: number | null,
  ): Promise<DeviceCommandResult> {
    const devices = devicesOf(ctx);
    const timeoutMs = timeoutOf(timeoutSeconds, devices);
    // Recorded through the request's own write path: its identity, its authorization, its actor.
    const record: RecordInvocation = (id, modelId, name, value) => ctx.write.invokeCommand(id, modelId, name, value);
    const outcome = await devices.invoke(
      twinId,
      command,
      (request ?? undefined) as JsonValue | undefined,
      timeoutMs,
      record,
    );
    return { ...outcome, seq: outcome.seq ?? null };
  }
}

/** A caller's timeoutSeconds in ms (the configured default when not given); refused outside (0, 600]. */
function timeoutOf(timeoutSeconds: number | null | undefined, devices: DevicesAccess): number {
  if (timeoutSeconds === null || timeoutSeconds === undefined) return devices.defaultTimeoutMs;
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 600))
    throw new TwingraphError(
      'InvalidArgument',
      `timeoutSeconds must be more than 0 and at most 600 (it is ${timeoutSeconds}).`,
    );
  return Math.round(timeoutSeconds * 1000);
}

/** The generated command mutations of Commands with a response: they wait for the device, as invokeDeviceCommand does. */
const commandResponses: CommandResponses = {
  timeoutDescription:
    "How long to wait for the device's answer, seconds (more than 0, at most 600; default TWINGRAPH_MQTT_COMMAND_TIMEOUT_MS). The invocation is recorded either way.",
  outcomeFields: (core) => ({
    status: {
      type: new GraphQLNonNull(core.named<GraphQLEnumType>('DeviceCommandStatus')),
      description: 'How it ended: Completed when the device answered (response holds it).',
    },
    message: {
      type: GraphQLString,
      description: 'What went wrong, for TimedOut, Failed and NotSent; else null.',
    },
    attempts: { type: new GraphQLNonNull(GraphQLInt), description: 'Times the request was published.' },
  }),
  waitFor: (ctx, timeoutSeconds) => {
    const devices = devicesOf(ctx);
    const timeoutMs = timeoutOf(timeoutSeconds, devices);
    return async (call): Promise<CommandAnswer> => {
      const outcome = await devices.awaitOutcome(call.seq, call.twinId, call.command, timeoutMs);
      return {
        response: outcome.response,
        status: outcome.status,
        message: outcome.message,
        attempts: outcome.attempts,
      };
    };
  },
};

export const devicesSchemaPlugin: SchemaPlugin = {
  name: DEVICES,
  resolvers: [MqttStatusResolver, DeviceOperations],
  commandResponses,
};
