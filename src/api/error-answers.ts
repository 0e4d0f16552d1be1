/**
 * The JSON error answers of HTTP requests that GraphQL never saw: one error with its message and stable code,
 * and the words for a body express.json() refused. Shared by the direct path (./direct-post.ts) and the Express
 * app (./express-app.ts), so that both answer a refused body the same, byte for byte.
 */
import { ApolloServerErrorCode } from '@apollo/server/errors';

/** A GraphQL-shaped error answer: one error, its message and stable code. */
export function errorAnswer(status: number, message: string, code: string): { status: number; body: unknown } {
  return { status, body: { errors: [{ message, extensions: { code } }] } };
}

/**
 * The JSON error answer for a body express.json() refused (http-errors with a `type`: body-parser's words):
 * too large, JSON that does not parse, a charset or content-encoding it cannot read, a body cut short. Any other
 * error a client caused (a 4xx not marked private) is answered with its own message; undefined for the rest.
 */
export function bodyError(error: unknown): { status: number; body: unknown } | undefined {
  const e = error as {
    type?: string;
    status?: number;
    message?: string;
    limit?: number;
    charset?: string;
    expose?: boolean;
  } | null;
  switch (e?.type) {
    case 'entity.too.large':
      return errorAnswer(
        413,
        `The request body is larger than the limit of ${e.limit} bytes (TWINGRAPH_MAX_BODY).`,
        'PAYLOAD_TOO_LARGE',
      );
    case 'entity.parse.failed':
      return errorAnswer(400, `The request body is not valid JSON: ${e.message}`, ApolloServerErrorCode.BAD_REQUEST);
    case 'charset.unsupported':
      return errorAnswer(
        415,
        `The request body's charset "${e.charset ?? ''}" is not supported: send JSON in UTF-8 (content-type: application/json).`,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    case 'encoding.unsupported':
      return errorAnswer(
        415,
        `The request body's content-encoding is not supported (${e.message}): send it as it is, or with gzip, deflate or br.`,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    case 'request.aborted':
    case 'request.size.invalid':
      return errorAnswer(
        400,
        `The request body was not received whole: ${e.message}.`,
        ApolloServerErrorCode.BAD_REQUEST,
      );
  }
  // The router's own (a path parameter that does not decode: a URIError given status 400) and http-errors'.
  if (e?.expose !== false && typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return errorAnswer(e.status, `The request was refused: ${e.message}.`, ApolloServerErrorCode.BAD_REQUEST);
  return undefined;
}
