/**
 * What the models say about MQTT, read once per model set: for every Interface co-typed `Mqtt`, its
 * telemetry and command topic patterns and payload format, and for every Command its `Idempotent` and
 * `Cacheable` (`ttl`) co-types. A configurable default binding covers models without the co-type.
 *
 * As the extension says, the co-type applies to the Interface that carries it, not to Interfaces that
 * extend it: a twin of a subtype without its own `Mqtt` uses the default binding. Patterns that cannot be
 * used (a telemetry topic without `{senderId}`, an unreadable payload format) are listed as problems, which
 * `mqttStatus` reports, rather than failing a model upload that DTDL itself accepts.
 */
import type { CommandContent, InterfaceModel, ModelSet } from '../dtdl';
import { payloadFormatOf, type PayloadFormat } from './payload';
import { matchTopic, parseTopicPattern, subscriptionFilter, tokensOf, type TopicPattern } from './topics';

export interface MqttBinding {
  /** The Interface co-typed Mqtt; undefined for the default binding. */
  readonly modelId: string | undefined;
  readonly telemetry: TopicPattern | undefined;
  readonly commands: TopicPattern | undefined;
  /** As the model writes it (`Json/ecma/404`). */
  readonly payloadFormat: string;
  /** The format Twingraph reads it as; undefined when it cannot (Avro, Protobuf, custom). */
  readonly format: PayloadFormat | undefined;
}

export interface DefaultBinding {
  readonly telemetryTopic?: string;
  readonly commandTopic?: string;
  readonly payloadFormat: string;
}

export interface BindingProblem {
  readonly modelId: string | undefined;
  readonly message: string;
}

export interface DeviceBindings {
  /** Bindings by the DTMI of the Interface co-typed Mqtt. */
  readonly byModel: ReadonlyMap<string, MqttBinding>;
  readonly fallback: MqttBinding | undefined;
  /** The distinct subscription filters of every usable telemetry pattern. */
  readonly telemetryFilters: readonly string[];
  /**
   * The shared-subscription group a model names for its telemetry filter (Mqtt v2/v3's `telemServiceGroupId`),
   * by filter: replicas subscribe to it in that group instead of the configured one (TWINGRAPH_MQTT_SHARE_GROUP).
   */
  readonly telemetryGroups: ReadonlyMap<string, string>;
  readonly problems: readonly BindingProblem[];
}

export function readBindings(models: ModelSet, defaults: DefaultBinding | undefined): DeviceBindings {
  const problems: BindingProblem[] = [];
  const byModel = new Map<string, MqttBinding>();
  const groups = new Map<string, string>();
  for (const model of models.interfaces.values()) {
    if (!model.supplementalTypes.includes('Mqtt')) continue;
    const p = model.supplementalProperties;
    const binding = makeBinding(
      model.id,
      {
        telemetryTopic: typeof p.telemetryTopic === 'string' ? p.telemetryTopic : undefined,
        commandTopic: typeof p.commandTopic === 'string' ? p.commandTopic : undefined,
        payloadFormat: String(p.payloadFormat ?? ''),
      },
      problems,
    );
    byModel.set(model.id, binding);
    if (binding.telemetry && typeof p.telemServiceGroupId === 'string') {
      const filter = subscriptionFilter(binding.telemetry);
      const named = groups.get(filter);
      if (named === undefined) groups.set(filter, p.telemServiceGroupId);
      else if (named !== p.telemServiceGroupId)
        problems.push({
          modelId: model.id,
          message: `${model.id}: telemServiceGroupId '${p.telemServiceGroupId}' differs from '${named}', named by another model for the same topic; '${named}' is used`,
        });
    }
  }
  const fallback = defaults ? makeBinding(undefined, defaults, problems) : undefined;
  const filters = new Set<string>();
  for (const b of [...byModel.values(), ...(fallback ? [fallback] : [])])
    if (b.telemetry) filters.add(subscriptionFilter(b.telemetry));
  return { byModel, fallback, telemetryFilters: [...filters], telemetryGroups: groups, problems };
}

function makeBinding(modelId: string | undefined, spec: DefaultBinding, problems: BindingProblem[]): MqttBinding {
  const where = modelId ?? 'the default binding';
  const pattern = (text: string | undefined, needs: string): TopicPattern | undefined => {
    if (text === undefined) return undefined;
    try {
      const parsed = parseTopicPattern(text);
      if (!tokensOf(parsed).includes(needs)) {
        problems.push({ modelId, message: `${where}: topic '${text}' has no {${needs}}, so no twin can be told` });
        return undefined;
      }
      return parsed;
    } catch (error) {
      problems.push({ modelId, message: `${where}: ${(error as Error).message}` });
      return undefined;
    }
  };
  const format = payloadFormatOf(spec.payloadFormat);
  if (!format)
    problems.push({
      modelId,
      message: `${where}: payload format '${spec.payloadFormat}' is not one Twingraph reads (JSON, CBOR, raw); its messages are dead letters`,
    });
  return {
    modelId,
    telemetry: pattern(spec.telemetryTopic, 'senderId'),
    commands: pattern(spec.commandTopic, 'executorId'),
    payloadFormat: spec.payloadFormat,
    format,
  };
}

/** The binding a twin of `modelId` talks through: its model's own Mqtt co-type, or the default. */
export function bindingOf(bindings: DeviceBindings, modelId: string): MqttBinding | undefined {
  return bindings.byModel.get(modelId) ?? bindings.fallback;
}

export interface TopicMatch {
  readonly binding: MqttBinding;
  readonly tokens: Readonly<Record<string, string>>;
}

/** The bindings whose telemetry pattern `topic` is one of, with the tokens' values. */
export function telemetryMatches(bindings: DeviceBindings, topic: string): TopicMatch[] {
  const out: TopicMatch[] = [];
  for (const binding of [...bindings.byModel.values(), ...(bindings.fallback ? [bindings.fallback] : [])]) {
    if (!binding.telemetry) continue;
    const tokens = matchTopic(binding.telemetry, topic);
    if (tokens) out.push({ binding, tokens });
  }
  return out;
}

export interface CommandSemantics {
  /** The executor may run it more than once per invocation, so the invoker may send it again. */
  readonly idempotent: boolean;
  /** How long a response may be reused for an identical request (ms); undefined when not Cacheable. */
  readonly ttlMs: number | undefined;
}

export function commandSemantics(command: CommandContent): CommandSemantics {
  const ttl = command.supplementalProperties.ttl;
  return {
    idempotent: command.supplementalTypes.includes('Idempotent'),
    ttlMs: command.supplementalTypes.includes('Cacheable') && typeof ttl === 'string' ? durationMs(ttl) : undefined,
  };
}

/** The Command of a model, or undefined. */
export function commandOf(model: InterfaceModel | undefined, name: string): CommandContent | undefined {
  const content = model?.contents.get(name);
  return content?.kind === 'Command' ? content : undefined;
}

/**
 * An ISO 8601 duration (`PT15S`, `P1DT2H`, `PT0.5S`) in milliseconds; years and months count as 365 and 30
 * days, which is all a cache lifetime needs. Undefined for anything else.
 */
export function durationMs(text: string): number | undefined {
  const m =
    /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      text,
    );
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const days = y * 365 + mo * 30 + w * 7 + d;
  return Math.round(((days * 24 + h) * 60 + mi) * 60_000 + s * 1000);
}
