/**
 * Who is writing: the identity behind the current write (an API key's name, a token's subject, a device), so
 * that every change-log entry records its actor. The transport sets it once per operation with `asActor`,
 * around everything the operation does, and the adapters read it when they number a write's changes; the
 * layers between (resolvers, services, write rules) do not pass it along, so no write path can forget it.
 * Work outside any operation (the demo seed, the mirror, the analytics' retraining) has no actor.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const actors = new AsyncLocalStorage<string>();

/** Runs `work` (and everything it starts) as `actor`; `undefined` runs it as no one. */
export function asActor<T>(actor: string | undefined, work: () => T): T {
  return actor === undefined ? actors.exit(work) : actors.run(actor, work);
}

/** The actor of the operation this code runs for, if any. */
export function currentActor(): string | undefined {
  return actors.getStore();
}
