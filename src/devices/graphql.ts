/**
 * The devices feature in the GraphQL schema (a plugin): `mqttStatus` (the connection, subscriptions, message
 * rates, dead letters by reason and the newest ones, command counts, problems with the models' MQTT
 * declarations) and `invokeDeviceCommand`, which records a command invocation like the generated command
 * mutations do and waits for the device's answer. Present whether or not a broker is configured (then
 * `enabled` is false).
 */
import 'reflect-metadata';
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
import { featureContext, type SchemaPlugin } from '../graphql/plugin';
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
  @Field(() => Float, { description: 'How many.' }) count!: number;
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
  @Field(() => Float, { description: 'Requests published.' }) sent!: number;
  @Field(() => Float, { description: 'Commands the device answered.' }) completed!: number;
  @Field(() => Float, { description: 'Commands not answered in time.' }) timedOut!: number;
  @Field(() => Float, { description: 'Commands that failed or were answered wrongly.' }) failed!: number;
  @Field(() => Float, { description: 'Answers reused from a Cacheable command.' }) cached!: number;
}

@ObjectType({ description: 'Devices over MQTT: the connection to the broker and what came through it.' })
export class MqttStatus {
  @Field(() => Boolean, { description: 'Whether a broker is configured (TWINGRAPH_MQTT_URL).' }) enabled!: boolean;
  @Field(() => Boolean, { description: 'Whether it is connected to the broker now.' }) connected!: boolean;
  @Field(() => String, { nullable: true, description: 'The broker, without its password.' }) url!: string | null;
  @Field(() => String, { description: 'The MQTT client id it connects with.' }) clientId!: string;
  @Field(() => Int, { nullable: true, description: '5, or 4 for MQTT 3.1.1.' }) protocolVersion!: number | null;
  @Field(() => [String], { description: 'Topic filters subscribed to ($share/<group>/… when shared).' })
  subscriptions!: string[];
  @Field(() => Float, { description: 'Messages received since start.' }) messagesIn!: number;
  @Field(() => Float, { description: 'Messages published since start.' }) messagesOut!: number;
  @Field(() => Float, { description: 'Over the last minute.' }) messagesInPerSecond!: number;
  @Field(() => Float, { description: 'Over the last minute.' }) messagesOutPerSecond!: number;
  @Field(() => Float, { description: 'Telemetry points recorded since start.' }) pointsRecorded!: number;
  @Field(() => Float, { description: 'Telemetry points recorded per second, over the last minute.' })
  pointsPerSecond!: number;
  @Field(() => Float, { description: 'Twin updates from properties devices reported.' }) propertyUpdates!: number;
  @Field(() => Float, { description: 'Dead letters since start.' }) deadLetters!: number;
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
    description: 'The Command.Invoke change; null when the answer was cached.',
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
    return devicesOf(ctx).status() as MqttStatus;
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
    if (timeoutSeconds !== null && timeoutSeconds !== undefined && !(timeoutSeconds > 0 && timeoutSeconds <= 600))
      throw new TwingraphError(
        'InvalidArgument',
        `timeoutSeconds must be more than 0 and at most 600 (it is ${timeoutSeconds}).`,
      );
    const timeoutMs = timeoutSeconds ? Math.round(timeoutSeconds * 1000) : devices.defaultTimeoutMs;
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

export const devicesSchemaPlugin: SchemaPlugin = {
  name: DEVICES,
  resolvers: [MqttStatusResolver, DeviceOperations],
};
