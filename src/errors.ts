/**
 * Errors every stage past the DTDL engine raises: one class, one stable code per failure. Codes follow
 * Azure Digital Twins where ADT has one, so that clients and the mirror see the same vocabulary on both
 * sides; the GraphQL layer puts `code` and the subject (ids, details, DTDL errors) in `extensions`, so it
 * needs to know no stage's error types. Usage errors (a missing file, a wrong option) are apart: they have
 * no ADT code, and commands answer them with exit code 2.
 */
import type { DtdlError } from './dtdl/dtdl-errors';

/** ADT's error codes that Twingraph raises, plus a few of its own where ADT has none. */
export type ErrorCode =
  // ADT
  | 'DigitalTwinNotFound'
  | 'RelationshipNotFound'
  | 'ComponentNotFound'
  | 'ModelNotFound'
  | 'DTDLParserError'
  | 'ModelAlreadyExists'
  | 'ModelDecommissioned'
  | 'ModelReferencesNotDeleted'
  | 'PreconditionFailed'
  | 'ValidationFailed'
  | 'JsonPatchInvalid'
  | 'InvalidArgument'
  | 'InvalidRelationship'
  | 'OperationNotAllowed'
  | 'RelationshipsNotDeleted'
  | 'TargetTwinNotFound'
  | 'LimitExceeded'
  // Twingraph
  | 'InvalidCursor'
  | 'StoreUnavailable'
  | 'ChangesPruned'
  | 'SlowConsumer'
  | 'InsufficientData'
  | 'KeyAlreadyExists'
  // Access and limits (GraphQL's customary codes: clients already know them)
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'QUERY_TOO_COSTLY'
  | 'RATE_LIMITED'
  | 'OPERATION_TIMEOUT'
  | 'RESPONSE_TOO_LARGE';

/** HTTP-like status for each code (ADT's, where ADT has the code), for transports that need one. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  DigitalTwinNotFound: 404,
  RelationshipNotFound: 404,
  ComponentNotFound: 404,
  ModelNotFound: 404,
  DTDLParserError: 400,
  ModelAlreadyExists: 409,
  ModelDecommissioned: 400,
  ModelReferencesNotDeleted: 409,
  PreconditionFailed: 412,
  ValidationFailed: 400,
  JsonPatchInvalid: 400,
  InvalidArgument: 400,
  InvalidRelationship: 400,
  OperationNotAllowed: 400,
  RelationshipsNotDeleted: 400,
  TargetTwinNotFound: 404,
  LimitExceeded: 400,
  InvalidCursor: 400,
  StoreUnavailable: 503,
  ChangesPruned: 410,
  SlowConsumer: 429,
  InsufficientData: 422,
  KeyAlreadyExists: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  QUERY_TOO_COSTLY: 400,
  RATE_LIMITED: 429,
  OPERATION_TIMEOUT: 503,
  RESPONSE_TOO_LARGE: 413,
};

/** What an error is about: the ids involved, so that a client can act without parsing the message. */
export interface ErrorSubject {
  readonly twinId?: string;
  readonly relationshipId?: string;
  readonly modelId?: string;
  /** Other ids involved: the models that still reference one, the relationships that still exist. */
  readonly related?: readonly string[];
  /** A JSON Pointer or property path the error is about (for several problems, the first one's). */
  readonly path?: string;
  /** One entry per problem found (`ValidationFailed`): where, which rule, and a readable message. */
  readonly details?: readonly ErrorDetail[];
  /** Every error the DTDL engine found (`DTDLParserError`), with its validation id, element, line and column. */
  readonly dtdlErrors?: readonly DtdlError[];
}

/** One problem in a payload: the JSON Pointer of the offending value, the rule it breaks, and a readable message. */
export interface ErrorDetail {
  readonly path: string;
  /** The JSON Schema keyword (`type`, `enum`, `format`, `maximum`, `required`, …) or a Twingraph rule (`unknownProperty`, `notAProperty`, `maxBytes`, …). */
  readonly rule: string;
  readonly message: string;
}

export class TwingraphError extends Error {
  override readonly name = 'TwingraphError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly subject: ErrorSubject = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toJSON(): { code: ErrorCode; message: string } & ErrorSubject {
    return { code: this.code, message: this.message, ...this.subject };
  }
}

export function isTwingraphError(error: unknown, code?: ErrorCode): error is TwingraphError {
  return error instanceof TwingraphError && (code === undefined || error.code === code);
}

// ── Factories: one wording per failure, so that every stage says it the same way ─────────────────────

export function twinNotFound(id: string): TwingraphError {
  return new TwingraphError(
    'DigitalTwinNotFound',
    `There is no digital twin with id '${id}'. Check the id, or create the twin first.`,
    {
      twinId: id,
    },
  );
}

/** `subject` adds what else the error is about (the twin whose model is missing). */
export function modelNotFound(id: string, subject: ErrorSubject = {}): TwingraphError {
  return new TwingraphError(
    'ModelNotFound',
    `There is no model '${id}'. Upload it first, or check the id (models are DTMIs such as dtmi:example:Room;1).`,
    { ...subject, modelId: id },
  );
}

export function relationshipNotFound(sourceId: string, relationshipId: string): TwingraphError {
  return new TwingraphError(
    'RelationshipNotFound',
    `Twin '${sourceId}' has no relationship with id '${relationshipId}'. Check both ids.`,
    { twinId: sourceId, relationshipId },
  );
}

/** An ETag precondition that failed: the subject changed since `expected` was read (or exists, for `*` creates). */
export function preconditionFailed(message: string, subject: ErrorSubject): TwingraphError {
  return new TwingraphError('PreconditionFailed', message, subject);
}

/** `what` (e.g. "Twin 'pump-1'") no longer has the ETag the caller read. */
export function etagMismatch(what: string, ifMatch: string, current: string, subject: ErrorSubject): TwingraphError {
  return preconditionFailed(
    `${what} has changed since ETag ${ifMatch} was read (it is now ${current}). Read it again and retry with the new ETag.`,
    subject,
  );
}

/** DTDL that does not validate: ADT's DTDLParserError, the first few errors in the message and every one in the subject. */
export function dtdlParserError(errors: readonly DtdlError[]): TwingraphError {
  const shown = errors
    .slice(0, 5)
    .map((e) =>
      `${e.source ? `${e.source}${e.line ? `:${e.line}:${e.column}` : ''} ` : ''}${e.primaryId ?? ''} ${e.validationId}: ${e.cause}`.trim(),
    );
  return new TwingraphError(
    'DTDLParserError',
    `The DTDL does not validate (${errors.length} error${errors.length === 1 ? '' : 's'}): ${shown.join(' | ')}${errors.length > 5 ? ` | …and ${errors.length - 5} more` : ''}`,
    { dtdlErrors: errors },
  );
}

/**
 * A command asked for what cannot be done: a file or folder that does not exist, an option out of range.
 * Commands print the message and exit with 2; it carries no ADT code, being about the caller, not the data.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
