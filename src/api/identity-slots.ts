/**
 * How many long-lived connections one identity holds on this server (TWINGRAPH_MAX_SOCKETS_PER_IDENTITY),
 * counted across transports: a graphql-ws socket and a graphql-sse event stream (or a reserved stream) each
 * take a slot, so that a caller cannot hold twice the limit by using both. Each one holds server resources
 * (change-feed subscribers, timers, a socket) for as long as the client keeps it, unlike an HTTP request.
 * With authentication off there is no one to count.
 */
import type { Identity } from '../access/identity';

export interface Slot {
  /** Gives the slot back; once, however often it is called. */
  release(): void;
}

const UNCOUNTED: Slot = Object.freeze({ release: () => undefined });

export class IdentitySlots {
  private readonly held = new Map<string, number>();

  constructor(readonly max: number) {}

  /** A slot for `identity`; undefined when it already holds `max`. */
  take(identity: Identity): Slot | undefined {
    if (identity.via === 'open') return UNCOUNTED;
    const { name } = identity;
    const held = this.count(identity);
    if (held >= this.max) return undefined;
    this.held.set(name, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.held.get(name) ?? 1) - 1;
        if (left > 0) this.held.set(name, left);
        else this.held.delete(name);
      },
    };
  }

  /** The slots `identity` holds. */
  count(identity: Identity): number {
    return this.held.get(identity.name) ?? 0;
  }
}
