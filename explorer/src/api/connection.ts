// Where the Explorer's Twingraph is and who the Explorer is to it. The endpoint is this server's /graphql, or
// another Twingraph's given as ?endpoint= (one whose TWINGRAPH_CORS_ORIGINS lists this origin). The API key
// or token lives in sessionStorage: it goes with the tab, never into localStorage or the URL.

const STORAGE_KEY = 'twingraph.explorer.credential';

export function httpEndpoint(): string {
  const given = new URLSearchParams(location.search).get('endpoint');
  return new URL(given ?? '/graphql', location.href).href;
}

export function wsEndpoint(): string {
  return httpEndpoint().replace(/^http/, 'ws');
}

type Listener = () => void;
const listeners = new Set<Listener>();

export function credential(): string {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Stores the key or token for this tab and tells the transports to reconnect with it. */
export function setCredential(value: string): void {
  try {
    if (value.trim()) sessionStorage.setItem(STORAGE_KEY, value.trim());
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage may be off (private mode): the value is then lost with the page, which is still correct.
  }
  for (const listener of listeners) listener();
}

export function onCredentialChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The Authorization value: the key or token as given, with "Bearer " put in front unless it has it. */
export function authorization(): string | undefined {
  const value = credential();
  if (!value) return undefined;
  return /^bearer\s/i.test(value) ? value : `Bearer ${value}`;
}
