/**
 * DNS rebinding: a page on evil.example, open in the browser of someone who runs Twingraph on their machine,
 * has its name re-resolved to 127.0.0.1 and then calls the API as a page of the same origin. No CORS and no
 * Origin check stops it (the browser sees one origin, evil.example, on both sides), and a server without
 * authentication (the loopback default) would run its mutations. What gives it away is the Host header: it
 * still names evil.example. So a server without authentication answers only requests whose Host is an IP
 * address (a rebinding page cannot make its browser send one), `localhost` or a name under `.localhost`, or
 * a name listed in TWINGRAPH_ALLOWED_HOSTS (`*`: any), as Vite's and webpack's dev servers do. With
 * authentication required a rebinding page has no credentials to send, and any Host is answered.
 */
import { isIP } from 'node:net';

/** The host name of a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-cased; undefined if malformed. */
export function hostNameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(host);
  if (bracketed) return bracketed[1].toLowerCase();
  const plain = /^([^:[\]]+)(?::\d{1,5})?$/.exec(host);
  return plain ? plain[1].toLowerCase().replace(/\.$/, '') : undefined;
}

/** Whether a request sent with this Host header may be answered, given the names allowed besides the built-in ones. */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  const name = hostNameOf(host);
  if (name === undefined) return false;
  if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.includes(name);
}

/** Past this many different Host headers, `hostChecker` forgets the verdicts it kept and starts over. */
const KEPT_VERDICTS = 256;

/**
 * `hostAllowed` for every request of a server, keeping its verdicts by Host header: a server is called by a
 * handful of names, and a request's check is then one lookup instead of regular expressions. The header is
 * the caller's to choose, so the verdicts kept are bounded.
 */
export function hostChecker(allowed: readonly string[]): (host: string | undefined) => boolean {
  const verdicts = new Map<string, boolean>();
  return (host) => {
    if (host === undefined) return hostAllowed(host, allowed);
    let verdict = verdicts.get(host);
    if (verdict === undefined) {
      verdict = hostAllowed(host, allowed);
      if (verdicts.size >= KEPT_VERDICTS) verdicts.clear();
      verdicts.set(host, verdict);
    }
    return verdict;
  };
}

/** The answer to a request refused for its Host, as JSON like every other error of the API. */
export function hostRefusal(host: string | undefined): { status: number; body: string } {
  const name = hostNameOf(host) ?? String(host ?? '');
  return {
    status: 403,
    body: JSON.stringify({
      errors: [
        {
          message: `This server runs without authentication and answers only to localhost and IP addresses: Host '${name}' is refused (DNS rebinding protection). Add it to TWINGRAPH_ALLOWED_HOSTS to serve it.`,
          extensions: { code: 'HOST_NOT_ALLOWED' },
        },
      ],
    }),
  };
}
