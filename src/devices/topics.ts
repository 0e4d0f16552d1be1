/**
 * MQTT topic patterns of the DTDL MQTT extension (`vehicles/{modelId}/{senderId}/telemetry`): parsed once
 * into labels, turned into the subscription filter a receiver needs (each token a `+` wildcard), matched
 * against the topics messages arrive on (giving each token's value), and filled in to publish a command.
 * Pure functions: the tokens' meanings (which one is the twin, which the model) are the callers'.
 *
 * The extension leaves tokens implementation-defined. Twingraph understands `{modelId}`, `{senderId}`,
 * `{executorId}`, `{commandName}`, `{telemetryName}` and `{invokerClientId}`; any other token (`{ex:line}`)
 * matches any one label on the way in and cannot be filled on the way out.
 */

export type TopicLabel = { readonly literal: string } | { readonly token: string };

export interface TopicPattern {
  readonly text: string;
  readonly labels: readonly TopicLabel[];
}

/** A token's value is one topic level: never empty, never a wildcard or a separator. */
const TOKEN_VALUE = /^[^/+#]+$/;
const TOKEN = /^\{((?:[A-Za-z]+:)?[A-Za-z]+)\}$/;
/** Printable ASCII without space, `"`, `+`, `#`, `{`, `}` and `/` (the extension's rule for a literal label). */
const LITERAL = /^[!$-*,-.0-z|~][!$-*,-.0-z|~]*$/;

export class TopicPatternError extends Error {
  override readonly name = 'TopicPatternError';
}

/** Parses a pattern as the extension defines it; throws a TopicPatternError saying what is wrong. */
export function parseTopicPattern(text: string): TopicPattern {
  if (typeof text !== 'string' || text === '') throw new TopicPatternError('a topic pattern cannot be empty');
  const labels = text.split('/').map((label, i): TopicLabel => {
    const token = TOKEN.exec(label);
    if (token) return { token: token[1] };
    if (!LITERAL.test(label))
      throw new TopicPatternError(
        `label ${i + 1} of topic pattern '${text}' ('${label}') is neither printable ASCII without space, ", +, #, {, } nor a {token}`,
      );
    if (i === 0 && label.startsWith('$'))
      throw new TopicPatternError(`topic pattern '${text}' starts with '$', which MQTT keeps for the broker`);
    return { literal: label };
  });
  return { text, labels };
}

/** The tokens a pattern holds, in order. */
export function tokensOf(pattern: TopicPattern): string[] {
  return pattern.labels.flatMap((l) => ('token' in l ? [l.token] : []));
}

/** The filter that receives every topic of the pattern: each token one `+` level. */
export function subscriptionFilter(pattern: TopicPattern): string {
  return pattern.labels.map((l) => ('token' in l ? '+' : l.literal)).join('/');
}

/** A filter as a shared subscription of `group` (MQTT 5 `$share/<group>/<filter>`), or as it is without a group. */
export function sharedFilter(filter: string, group: string | undefined): string {
  return group ? `$share/${group}/${filter}` : filter;
}

/**
 * The tokens' values when `topic` is one of the pattern's topics; undefined when it is not. A token that
 * appears twice must have one value.
 */
export function matchTopic(pattern: TopicPattern, topic: string): Record<string, string> | undefined {
  const levels = topic.split('/');
  if (levels.length !== pattern.labels.length) return undefined;
  const values: Record<string, string> = {};
  for (let i = 0; i < levels.length; i++) {
    const label = pattern.labels[i];
    const level = levels[i];
    if ('literal' in label) {
      if (label.literal !== level) return undefined;
      continue;
    }
    if (!TOKEN_VALUE.test(level)) return undefined;
    const seen = values[label.token];
    if (seen !== undefined && seen !== level) return undefined;
    values[label.token] = level;
  }
  return values;
}

/**
 * The topic for these token values; throws a TopicPatternError naming a token with no value, or a value that
 * cannot be one topic level (it holds `/`, `+`, `#` or is empty): a twin id such as `a/b` has no topic.
 */
export function fillTopic(pattern: TopicPattern, values: Readonly<Record<string, string | undefined>>): string {
  return pattern.labels
    .map((label) => {
      if ('literal' in label) return label.literal;
      const value = values[label.token];
      if (value === undefined)
        throw new TopicPatternError(
          `topic pattern '${pattern.text}' has token {${label.token}}, which has no value here`,
        );
      if (!TOKEN_VALUE.test(value))
        throw new TopicPatternError(
          `'${value}' cannot be the {${label.token}} level of topic '${pattern.text}' (it is empty or holds /, + or #)`,
        );
      return value;
    })
    .join('/');
}

/**
 * How a device's id in a topic (`{senderId}`, `{executorId}`) maps to a twin id and back: a template with
 * one `{id}` (default `{id}`: the same), such as `plant1-{id}`. Undefined for an id the template cannot give.
 */
export interface TwinIdMapping {
  toTwinId(deviceId: string): string;
  toDeviceId(twinId: string): string | undefined;
}

export function twinIdMapping(template: string): TwinIdMapping {
  const at = template.indexOf('{id}');
  if (at < 0 || template.indexOf('{id}', at + 1) >= 0)
    throw new TopicPatternError(`twin id template '${template}' must hold {id} exactly once`);
  const prefix = template.slice(0, at);
  const suffix = template.slice(at + 4);
  return {
    toTwinId: (deviceId) => `${prefix}${deviceId}${suffix}`,
    toDeviceId: (twinId) =>
      twinId.length > prefix.length + suffix.length && twinId.startsWith(prefix) && twinId.endsWith(suffix)
        ? twinId.slice(prefix.length, twinId.length - suffix.length)
        : undefined,
  };
}
