/**
 * Which browser origins may open a streaming connection (a WebSocket upgrade, a Server-Sent Events request).
 * Browsers send the page's Origin with both, and neither is kept from acting by CORS the way an HTTP answer is
 * kept from being read: the upgrade has no CORS at all, and an event-stream GET (or a POST dressed as a CORS
 * "simple" request) runs on the server before the browser decides whether the page may read the answer. A page
 * on any site could otherwise act with its visitor's access, or with everyone's on an open (demo) server. The
 * server's own origin and the listed ones (TWINGRAPH_CORS_ORIGINS) are let in; a client that sends no Origin
 * (not a browser) is not concerned.
 */

/** Whether a request with this Origin, sent to this Host, may go on. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: ReadonlySet<string>,
): boolean {
  if (!origin || allowed.has(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
