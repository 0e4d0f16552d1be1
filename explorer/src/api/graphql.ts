// GraphQL over HTTP: one POST per operation, with the credential, failing with the server's own errors
// (their extensions.code decide what the views do: PreconditionFailed, DTDLParserError, UNAUTHENTICATED…).
import { authorization, httpEndpoint } from './connection';

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown> & { code?: string };
}

export class GraphQLFailure extends Error {
  constructor(
    readonly errors: readonly GqlError[],
    readonly status: number,
  ) {
    super(errors.map((e) => e.message).join('\n') || `HTTP ${status}`);
    this.name = 'GraphQLFailure';
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }

  /** The first error with `code`, if any. */
  find(code: string): GqlError | undefined {
    return this.errors.find((e) => e.extensions?.code === code);
  }
}

export function failureCode(error: unknown): string | undefined {
  return error instanceof GraphQLFailure ? error.code : undefined;
}

/** Headers for any request to the server: the credential, when one is set. */
export function authHeaders(): Record<string, string> {
  const value = authorization();
  return value ? { authorization: value } : {};
}

/** Runs an operation; its data, or a GraphQLFailure with every error (partial data is not accepted). */
export async function gql<T>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(httpEndpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders() },
      body: JSON.stringify({ query, ...(variables && { variables }) }),
      ...(signal && { signal }),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new GraphQLFailure(
      [{ message: `Twingraph cannot be reached at ${httpEndpoint()}.`, extensions: { code: 'UNREACHABLE' } }],
      0,
    );
  }
  let body: { data?: T | null; errors?: GqlError[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new GraphQLFailure(
      [{ message: `The server answered HTTP ${response.status} without JSON.` }],
      response.status,
    );
  }
  if (body.errors?.length || !body.data) throw new GraphQLFailure(body.errors ?? [], response.status);
  return body.data;
}

/** GraphQL string literal for text put into a query (model type names are checked identifiers; values are not). */
export function literal(value: string): string {
  return JSON.stringify(value);
}
