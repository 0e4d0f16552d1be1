// What to tell a person whose request the server refused for who they are: no key, a key it does not know, or
// a role too low for the operation (a reader editing). The server's own message names the field and the role
// it needs (and its FORBIDDEN error lists them in extensions.refused); this adds what to do about it.
import { GraphQLFailure } from './graphql';

export type Refusal = 'unauthenticated' | 'forbidden';

export function refusalOf(error: unknown): Refusal | undefined {
  if (!(error instanceof GraphQLFailure)) return undefined;
  if (error.find('UNAUTHENTICATED')) return 'unauthenticated';
  if (error.find('FORBIDDEN')) return 'forbidden';
  return undefined;
}

/** The highest role a FORBIDDEN error says the operation needs, if it says. */
function neededRole(error: GraphQLFailure): string | undefined {
  const refused = error.find('FORBIDDEN')?.extensions?.refused;
  if (!Array.isArray(refused)) return undefined;
  const roles = refused.map((r) => (r as { role?: unknown }).role).filter((r): r is string => typeof r === 'string');
  const order = ['reader', 'writer', 'modeler', 'admin'];
  return roles.sort((a, b) => order.indexOf(b) - order.indexOf(a))[0];
}

/** The message for a refused operation, with what to do; undefined when `error` is no refusal. */
export function refusalMessage(error: unknown, what: string): string | undefined {
  const kind = refusalOf(error);
  if (!kind) return undefined;
  const failure = error as GraphQLFailure;
  const said = failure.message.replace(/\.?$/, '.');
  if (kind === 'unauthenticated')
    return `${what} needs a key this server accepts: ${said} Set one with the Key button at the top.`;
  const role = neededRole(failure);
  return `Your key may not do this: ${said} ${what} needs a key with ${role ? `the ${role} role` : 'a higher role'}; set one with the Key button at the top.`;
}
