// Subscriptions over graphql-ws, resumable: each subscription remembers the seq of the last change it got
// and, when the socket drops (server restart, network), subscribes again with `since: seq` after a backoff,
// so that the change log replays exactly what was missed. graphql-ws's own retry would resubscribe with the
// original payload and lose those changes; it is off. A new credential reconnects everything with it; a socket
// the server closed for want of a (valid) credential is not retried until then, since it would be refused again.
import { createClient, type Client } from 'graphql-ws';
import { authorization, onCredentialChange, wsEndpoint } from './connection';

export type LiveState = 'connecting' | 'live' | 'retrying' | 'unauthorized';

/** graphql-ws's close code for a missing, wrong or expired credential (src/api/ws.ts). */
const UNAUTHORIZED = 4401;

function closeCode(event: unknown): number | undefined {
  const code = (event as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

let client: Client | undefined;
const stateListeners = new Set<(state: LiveState) => void>();
let state: LiveState = 'connecting';
const active = new Set<LiveSubscription>();

function setState(next: LiveState): void {
  if (state === next) return;
  state = next;
  for (const listener of stateListeners) listener(state);
}

export function onLiveState(listener: (state: LiveState) => void): () => void {
  stateListeners.add(listener);
  listener(state);
  return () => stateListeners.delete(listener);
}

function currentClient(): Client {
  client ??= createClient({
    url: wsEndpoint(),
    lazy: true,
    retryAttempts: 0,
    connectionParams: () => {
      const value = authorization();
      return value ? { authorization: value } : {};
    },
    on: {
      connected: () => setState('live'),
      closed: (event) =>
        setState(closeCode(event) === UNAUTHORIZED ? 'unauthorized' : active.size ? 'retrying' : 'connecting'),
    },
  });
  return client;
}

onCredentialChange(() => {
  const old = client;
  client = undefined;
  void old?.dispose();
  for (const sub of active) sub.restart(0);
});

interface Change {
  seq?: string | number;
}

/** One live subscription; `stop()` ends it for good. */
export class LiveSubscription {
  private unsubscribe: (() => void) | undefined;
  private since: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly query: string,
    private readonly variables: Record<string, unknown>,
    private readonly onEvent: (event: Record<string, unknown>) => void,
    private readonly onError: (message: string) => void = () => undefined,
    since?: string,
  ) {
    this.since = since;
    active.add(this);
    this.subscribe();
  }

  private subscribe(): void {
    if (this.stopped) return;
    const variables = { ...this.variables, ...(this.since !== undefined && { since: this.since }) };
    this.unsubscribe = currentClient().subscribe<Record<string, unknown>>(
      { query: this.query, variables },
      {
        next: (result) => {
          if (result.errors?.length) {
            this.onError(result.errors.map((e) => e.message).join('; '));
            return;
          }
          const event = result.data && (Object.values(result.data)[0] as Record<string, unknown> & Change);
          if (!event) return;
          this.failures = 0;
          if (event.seq !== undefined && event.seq !== null) this.since = String(event.seq);
          this.onEvent(event);
        },
        error: (error: unknown) => {
          // A refused subscription (GraphQL errors) is final; a dropped socket is retried; a socket refused for
          // its credential waits for a new one (onCredentialChange restarts every subscription).
          if (Array.isArray(error)) {
            this.onError(error.map((e: { message: string }) => e.message).join('; '));
            return;
          }
          if (closeCode(error) === UNAUTHORIZED) {
            this.unsubscribe = undefined;
            return;
          }
          this.restart(Math.min(30_000, 500 * 2 ** this.failures++));
        },
        complete: () => undefined,
      },
    );
  }

  restart(delayMs: number): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    if (this.stopped) return;
    setState('retrying');
    this.timer = setTimeout(() => this.subscribe(), delayMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    active.delete(this);
  }
}
