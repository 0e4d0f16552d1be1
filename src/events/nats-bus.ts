/**
 * The commit bus over NATS (core NATS, the `@nats-io/transport-node` client): each replica publishes the
 * seq of every commit it makes on one subject, and every replica hears every seq at once, so that a change
 * reaches subscribers on other replicas in milliseconds rather than a poll interval. Nothing is stored in
 * NATS: the change log in the store stays the truth, and a message lost (NATS restarting) is made up by the
 * next poll (./log-tail.ts).
 *
 * Because the bus only makes news travel faster, a replica does not need it to start: when NATS cannot be
 * reached at first (deployed at the same moment, restarting, a network still coming up), the bus is handed
 * over unconnected and keeps dialling every RETRY_MS in the background, reporting itself disconnected (so
 * /readyz says degraded after its grace period) while the replica polls the log. Once connected, the client
 * reconnects by itself for ever.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { BusHealth, CommitBus } from './log-tail';

export const COMMITS_SUBJECT = 'twingraph.commits';

/** The pause between two attempts at the first connection, as between reconnects once connected. */
const RETRY_MS = 1000;

export interface NatsBusOptions {
  /** Lets several Twingraph deployments share one NATS (one subject per store). */
  readonly subject?: string;
  /** Told of a failed first connection (once, and again only when the reason changes) and of bus errors. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Connects to `url` (nats://host:4222, with credentials in the URL if any). Resolves after the first attempt:
 * connected, or (that attempt failed) still trying in the background.
 */
export async function connectNatsBus(url: string, options: NatsBusOptions = {}): Promise<CommitBus> {
  const { connect } = require('@nats-io/transport-node') as typeof import('@nats-io/transport-node');
  const parsed = new URL(url);
  const subject = options.subject ?? COMMITS_SUBJECT;
  const listeners = new Set<(seq: number) => void>();
  let connection: NatsConnection | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let lastFailure: string | undefined;
  let health: BusHealth = { connected: false, disconnectedSince: Date.now() };

  /** The connection made: one subscription for every listener, and the health kept from its status events. */
  const attach = (made: NatsConnection): void => {
    connection = made;
    health = { connected: true };
    made.subscribe(subject, {
      callback: (error, message) => {
        if (error) return options.onError?.(error);
        const seq = Number(message.string());
        if (Number.isSafeInteger(seq) && seq > 0) for (const heard of listeners) heard(seq);
      },
    });
    // The client's status events keep the health current, so that readiness checks read it without a round trip.
    void (async () => {
      for await (const status of made.status()) {
        if (status.type === 'disconnect' || status.type === 'staleConnection')
          health = { connected: false, disconnectedSince: health.disconnectedSince ?? Date.now() };
        else if (status.type === 'reconnect') health = { connected: true };
        else if (status.type === 'error') health = { ...health, lastError: status.error.message };
        else if (status.type === 'close') health = { connected: false, disconnectedSince: Date.now() };
      }
    })().catch(() => undefined);
  };

  const attempt = async (): Promise<void> => {
    retry = undefined;
    try {
      const made = await connect({
        servers: `${parsed.hostname}:${parsed.port || 4222}`,
        ...(parsed.username && { user: decodeURIComponent(parsed.username) }),
        ...(parsed.password && { pass: decodeURIComponent(parsed.password) }),
        name: 'twingraph',
        // Reconnect for ever: the bus is an accelerator; polling covers the gaps.
        maxReconnectAttempts: -1,
        reconnectTimeWait: RETRY_MS,
      });
      if (closed) await made.close();
      else attach(made);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      health = { ...health, lastError: reason };
      // One line in the log for an outage, not one a second.
      if (reason !== lastFailure) {
        lastFailure = reason;
        options.onError?.(
          new Error(`cannot connect to the NATS commit bus (${reason}); trying again every ${RETRY_MS / 1000} s`, {
            cause: error,
          }),
        );
      }
      if (!closed) retry = setTimeout(() => void attempt(), RETRY_MS).unref();
    }
  };
  await attempt();

  return {
    publish: (seq) => {
      // Not connected yet: the other replicas' polls find this commit.
      if (!connection) return;
      try {
        connection.publish(subject, String(seq));
      } catch (error) {
        options.onError?.(error);
      }
    },
    subscribe: (heard) => {
      listeners.add(heard);
      return () => void listeners.delete(heard);
    },
    health: () => (connection?.isClosed() && health.connected ? { connected: false } : health),
    close: async () => {
      closed = true;
      clearTimeout(retry);
      await connection?.drain().catch(() => connection?.close());
    },
  };
}
