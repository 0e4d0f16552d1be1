/**
 * The errors a change subscription ends with. Each says what the client does next; the seqs it needs are
 * fields too (and in toJSON), so that a server can act on them without parsing the message.
 */
import { TwingraphError, type ErrorCode, type ErrorSubject } from '../errors';

export interface ChangeFeedErrorDetails {
  /** Resubscribe with `since` set to this to continue without missing or repeating a change. */
  readonly resumeSeq?: number;
  /** The oldest seq still kept in the change log. */
  readonly oldestSeq?: number;
}

export class ChangeFeedError extends TwingraphError {
  readonly resumeSeq?: number;
  readonly oldestSeq?: number;

  constructor(code: ErrorCode, message: string, details: ChangeFeedErrorDetails, subject: ErrorSubject = {}) {
    super(code, message, subject);
    if (details.resumeSeq !== undefined) this.resumeSeq = details.resumeSeq;
    if (details.oldestSeq !== undefined) this.oldestSeq = details.oldestSeq;
  }

  override toJSON(): ReturnType<TwingraphError['toJSON']> & ChangeFeedErrorDetails {
    return {
      ...super.toJSON(),
      ...(this.resumeSeq !== undefined && { resumeSeq: this.resumeSeq }),
      ...(this.oldestSeq !== undefined && { oldestSeq: this.oldestSeq }),
    };
  }
}

export function slowConsumer(resumeSeq: number, newestSeq: number, maxLag: number): ChangeFeedError {
  return new ChangeFeedError(
    'SlowConsumer',
    `This subscription fell more than ${maxLag} changes behind (the newest is seq ${newestSeq}) and was ended. ` +
      `It has received every change up to seq ${resumeSeq}: resubscribe with since: ${resumeSeq} to continue from there.`,
    { resumeSeq },
  );
}

export function changesPruned(since: number, oldestSeq: number): ChangeFeedError {
  return new ChangeFeedError(
    'ChangesPruned',
    `The changes after seq ${since} are no longer kept: the oldest seq still available is ${oldestSeq}. ` +
      'Resubscribe without since, and re-read the current state of what you follow.',
    { oldestSeq },
  );
}

export function sinceAhead(since: number, newestSeq: number): TwingraphError {
  return new TwingraphError(
    'InvalidArgument',
    `since: ${since} is beyond the newest change (seq ${newestSeq}). Pass a seq this server delivered, or subscribe without since.`,
  );
}

export function sinceInvalid(since: unknown): TwingraphError {
  return new TwingraphError('InvalidArgument', `since must be a non-negative integer seq (got ${String(since)}).`);
}
