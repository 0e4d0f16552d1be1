/**
 * How a batch write says that it wrote nothing, and why: one error for the whole batch (all or nothing),
 * carrying one entry per refused item with the item's index in the batch, its own ADT code (ValidationFailed,
 * PreconditionFailed, DigitalTwinNotFound, …), the ids it is about and its message. The batch's own code is
 * its first refused item's, so that a client that reads only `code` still reads a real one; `items` has
 * every refused item (up to MAX_LISTED_ITEMS; `failed` counts them all), so that a client can fix them all
 * before sending the batch again. Transports see an ordinary TwingraphError: `toJSON` adds the items.
 *
 * The store's batch rules (writes.ts: patchTwins) and the services' checks (services/twin-batches.ts) gather
 * refusals the same way, with ItemErrors.
 */
import { isTwingraphError, TwingraphError, type ErrorCode, type ErrorDetail, type ErrorSubject } from '../errors';

/** Refused items an error lists (a batch of 1,000 broken items would otherwise answer with megabytes). */
const MAX_LISTED_ITEMS = 100;
/** Refused items the message itself names. */
const MAX_IN_MESSAGE = 3;

/** One refused item of a batch. */
export interface BatchItemError {
  /** Its position in the batch, from 0. */
  readonly index: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly twinId?: string;
  readonly relationshipId?: string;
  readonly modelId?: string;
  readonly path?: string;
  readonly related?: readonly string[];
  readonly details?: readonly ErrorDetail[];
}

export class BatchFailed extends TwingraphError {
  constructor(
    /** What the items are, in the plural ("twins", "patches", "relationships"). */
    what: string,
    readonly items: readonly BatchItemError[],
    /** How many items were refused (`items` may list fewer). */
    readonly failed: number,
    /** How many items the batch had. */
    readonly total: number,
  ) {
    const first = items[0];
    const named = items
      .slice(0, MAX_IN_MESSAGE)
      .map((item) => `item ${item.index}: ${item.message}`)
      .join(' | ');
    super(
      first.code,
      `Nothing was written: ${failed} of the ${total} ${what} ${failed === 1 ? 'was' : 'were'} refused. ${named}${failed > MAX_IN_MESSAGE ? ` | …and ${failed - MAX_IN_MESSAGE} more` : ''} (every refused item is in extensions.items, by index).`,
      subjectOf(first),
    );
  }

  override toJSON(): ReturnType<TwingraphError['toJSON']> & {
    items: readonly BatchItemError[];
    failed: number;
    total: number;
  } {
    return { ...super.toJSON(), items: this.items, failed: this.failed, total: this.total };
  }
}

/** The ids an item error is about (no details: the items carry those). */
function subjectOf(item: BatchItemError): ErrorSubject {
  return {
    ...(item.twinId !== undefined && { twinId: item.twinId }),
    ...(item.relationshipId !== undefined && { relationshipId: item.relationshipId }),
    ...(item.modelId !== undefined && { modelId: item.modelId }),
  };
}

/** The ids of an item, for its refusals that do not name them (a value nested too deep, a scope). */
export interface ItemIds {
  readonly twinId?: string;
  readonly relationshipId?: string;
}

/** An item's ids, where they are strings (an item may be anything a caller sent). */
export function idsOf(twinId: unknown, relationshipId?: unknown): ItemIds {
  return {
    ...(typeof twinId === 'string' && twinId !== '' && { twinId }),
    ...(typeof relationshipId === 'string' && relationshipId !== '' && { relationshipId }),
  };
}

/** The refused items of a batch being checked: each item's first refusal counts, later checks skip it. */
export class ItemErrors {
  private readonly refused = new Map<number, BatchItemError>();

  constructor(private readonly what: string) {}

  get count(): number {
    return this.refused.size;
  }

  /** Whether item `index` has been refused already. */
  has(index: number): boolean {
    return this.refused.has(index);
  }

  /** Records item `index`'s refusal; `about` names the item where the error itself names nothing. */
  add(index: number, error: TwingraphError, about: ItemIds = {}): void {
    if (this.refused.has(index)) return;
    const { code: _code, message: _message, dtdlErrors: _dtdl, ...subject } = error.toJSON();
    this.refused.set(index, { index, code: error.code, message: error.message, ...about, ...subject });
  }

  /**
   * Runs a check of item `index` (unless it is refused already) and records a TwingraphError it throws as
   * the item's refusal, named by `about` when the error names nothing; anything else is a bug, and propagates.
   * Returns what the check returned.
   */
  check<T>(index: number, run: () => T, about?: () => ItemIds): T | undefined {
    if (this.refused.has(index)) return undefined;
    try {
      return run();
    } catch (error) {
      if (!isTwingraphError(error)) throw error;
      this.add(index, error, about?.());
      return undefined;
    }
  }

  /** The batch's error when any item was refused. */
  failure(total: number): BatchFailed | undefined {
    if (this.refused.size === 0) return undefined;
    const items = [...this.refused.values()].sort((a, b) => a.index - b.index);
    return new BatchFailed(this.what, items.slice(0, MAX_LISTED_ITEMS), items.length, total);
  }

  throwIfAny(total: number): void {
    const failure = this.failure(total);
    if (failure) throw failure;
  }
}

/**
 * Refuses every later occurrence of a key already seen (a twin named twice in one batch): which of two
 * writes of one item in one transaction should win is not something to guess.
 */
export function refuseRepeats(
  keys: readonly (string | undefined)[],
  errors: ItemErrors,
  describe: (index: number, first: number) => TwingraphError,
): void {
  const seen = new Map<string, number>();
  keys.forEach((key, index) => {
    if (key === undefined || errors.has(index)) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else errors.add(index, describe(index, first));
  });
}
