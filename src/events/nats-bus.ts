/**
 * The commit bus over NATS (core NATS, the `@nats-io/transport-node` client): each replica publishes the
 * seq of every commit it makes on one subject, and every replica hears every seq at once, so that a change
 * reaches subscribers on other replicas in milliseconds rather than a poll interval. Nothing is stored in
 * NATS: the change log in the store stays the truth, and a message lost (NATS restarting) is made up by the
 * next poll (./log-tail.ts).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { BusHealth, CommitBus } from './log-tail';

export const COMMITS_SUBJECT = 'twingraph.commits';

/**
 * Connects to `url` (nats://host:4222, with credentials in the URL if any). `subject` lets several Twingraph
 * deployments share one NATS (one subject per store).
 */
export async function connectNatsBus(
  url: string,
  options: { subject?: string; onError?: (error: unknown) => void } = {},
): Promise<CommitBus> {
  const { connect } = require('@nats-io/transport-node') as typeof import('@nats-io/transport-node');
  const parsed = new URL(url);
  const connection: NatsConnection = await connect({
    servers: `${parsed.hostname}:${parsed.port || 4222}`,
    ...(parsed.username && { user: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { pass: decodeURIComponent(parsed.password) }),
    name: 'twingraph',
    // Reconnect for ever: the bus is an accelerator; polling covers the gaps.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  });
  const subject = options.subject ?? COMMITS_SUBJECT;
  // The client's status events keep the health current, so that readiness checks read it without a round trip.
  let health: BusHealth = { connected: true };
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect' || status.type === 'staleConnection')
        health = { connected: false, disconnectedSince: health.disconnectedSince ?? Date.now() };
      else if (status.type === 'reconnect') health = { connected: true };
      else if (status.type === 'error') health = { ...health, lastError: status.error.message };
      else if (status.type === 'close') health = { connected: false, disconnectedSince: Date.now() };
    }
  })().catch(() => undefined);
  return {
    publish: (seq) => {
      try {
        connection.publish(subject, String(seq));
      } catch (error) {
        options.onError?.(error);
      }
    },
    subscribe: (heard) => {
      const subscription = connection.subscribe(subject, {
        callback: (error, message) => {
          if (error) return options.onError?.(error);
          const seq = Number(message.string());
          if (Number.isSafeInteger(seq) && seq > 0) heard(seq);
        },
      });
      return () => subscription.unsubscribe();
    },
    health: () => (connection.isClosed() && health.connected ? { connected: false } : health),
    close: async () => {
      await connection.drain().catch(() => connection.close());
    },
  };
}
