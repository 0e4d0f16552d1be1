/** Synchronous code that must fail with a TwingraphError of one code (and, optionally, a message). */
import { isTwingraphError, type ErrorCode } from '../../src/errors';

/** Runs `run`, expects a TwingraphError with `code` (and a message matching `message`), and returns the message. */
export function expectThrowsCode(run: () => unknown, code: ErrorCode, message?: RegExp): string {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect({
    code: isTwingraphError(thrown) ? thrown.code : thrown === undefined ? 'nothing thrown' : String(thrown),
  }).toEqual({ code });
  if (message) expect((thrown as Error).message).toMatch(message);
  return (thrown as Error).message;
}
