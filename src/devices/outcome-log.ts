/**
 * Command outcomes in the change log: after a `Command.Invoke`, the replica that carried the command records
 * how it ended as one more change of the twin, so that `changes`, `changed(types:)` subscribers and a
 * replica that was not waiting all see it, in seq order, with the invocation's seq in its body:
 *
 *   Command.Response  the device answered (Completed), its answer was reused (Cached), or the command declares
 *                     no response and the broker took it (Sent); `response` holds the answer (DTDL values)
 *   Command.Timeout   no answer within the timeout
 *   Command.Failed    the device answered with an error or not with the declared response, or the broker did
 *                     not take the request
 *
 * The store appends these with `recordCommandOutcome`, which its port does not have yet (src/store belongs to
 * another stage's owner; the change is described with the devices work). Until it does, outcomes are only
 * returned to whoever waits: `outcomeStoreOf` finds the method on the store the app opened, or says there is
 * none, and the gateway logs that once.
 */
import type { ChangeEntry, JsonValue } from '../store/types';
import type { CommandOutcome, CommandStatus } from './command-invoker';

export type CommandOutcomeType = 'Command.Response' | 'Command.Timeout' | 'Command.Failed';

/** The body of an outcome change, beside the twin it is about. */
export interface CommandOutcomeRecord {
  readonly type: CommandOutcomeType;
  /** The seq of the Command.Invoke change this ends. */
  readonly invocation: number;
  readonly command: string;
  readonly status: CommandStatus;
  /** The answer, as the device sent it (DTDL values), for Completed and Cached. */
  readonly response?: JsonValue;
  readonly message?: string;
  /** Times the request was published. */
  readonly attempts: number;
}

export interface CommandOutcomeStore {
  /** Appends the outcome as a change of the twin (its model looked up as recordCommand does), by `actor`. */
  recordCommandOutcome(
    twinId: string,
    outcome: CommandOutcomeRecord,
    options?: { readonly actor?: string },
  ): Promise<ChangeEntry>;
}

/** The store's outcome recording, when it has one. */
export function outcomeStoreOf(store: object): CommandOutcomeStore | undefined {
  const candidate = store as Partial<CommandOutcomeStore>;
  return typeof candidate.recordCommandOutcome === 'function' ? (candidate as CommandOutcomeStore) : undefined;
}

/** The change type an outcome is recorded as. */
export function outcomeType(status: CommandStatus): CommandOutcomeType {
  if (status === 'TimedOut') return 'Command.Timeout';
  if (status === 'Failed' || status === 'NotSent') return 'Command.Failed';
  return 'Command.Response';
}

export function outcomeRecord(invocation: number, outcome: CommandOutcome): CommandOutcomeRecord {
  return {
    type: outcomeType(outcome.status),
    invocation,
    command: outcome.command,
    status: outcome.status,
    ...(outcome.response !== null && { response: outcome.response }),
    ...(outcome.message !== null && { message: outcome.message }),
    attempts: outcome.attempts,
  };
}
