/**
 * The ADT client for an endpoint: Azure's default credential chain for an `https://` instance (environment,
 * workload or managed identity, Azure CLI, …), and for an `http://` endpoint — a local stand-in such as the
 * test server — no Azure credential at all. The SDK refuses bearer tokens over plain HTTP (ADT.md §5.3), so
 * it is given the https form of the URL and an HTTP client that sends each request to the http one.
 *
 * Every request gets a deadline (the SDK sets none: a request ADT never answers would hold its twin's changes
 * for good) and can be cancelled all at once when the mirror stops. With `maySend`, every request asks it at the
 * last moment before it leaves, so that a replica whose term as the active mirror ended meanwhile sends nothing.
 */
import {
  DefaultHttpClient,
  type HttpClient,
  type HttpOperationResponse,
  type TokenCredential,
  type WebResourceLike,
} from '@azure/core-http';
import { DigitalTwinsClient } from '@azure/digital-twins-core';
import { DefaultAzureCredential } from '@azure/identity';
import { sdkAdt, type Adt } from './adt';
import { NoAnswer } from './no-answer';
import { MirrorStopping } from './stopping';

/** A credential for endpoints that check none (local servers): a fixed token. */
export const localCredential: TokenCredential = {
  getToken: async () => ({ token: 'twingraph-local', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** Sends every request to `target` (scheme, host and port), keeping path and query. */
export class LoopbackHttpClient implements HttpClient {
  private readonly inner = new DefaultHttpClient();
  constructor(private readonly target: string) {}

  sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    const url = new URL(request.url);
    const to = new URL(this.target);
    url.protocol = to.protocol;
    url.host = to.host;
    request.url = url.toString();
    return this.inner.sendRequest(request);
  }
}

/**
 * Gives each request a deadline, and cancels those in flight on demand. (core-http's own `timeout` leaves a
 * timer running after the answer, which would keep a command-line process alive for as long.)
 */
export class BoundedHttpClient implements HttpClient {
  private readonly inFlight = new Set<AbortController>();
  constructor(
    private readonly inner: HttpClient,
    readonly timeoutMs: number,
    /**
     * Asked as the request is handed to the network, after the SDK's pipeline (which may wait, e.g. for a token):
     * false, and it is not sent (MirrorStopping). The worker asks too, but earlier: between its question and the
     * send lay the pipeline's every await, and in them a token refresh or a stalled event loop could outlast the
     * replica's term, so that a request went out after another replica had taken over and sent later writes of
     * the same twin (which this one's would then have overwritten).
     */
    private readonly maySend?: () => boolean,
  ) {}

  async sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    if (this.maySend && !this.maySend())
      throw new MirrorStopping(
        `not sent (${request.method} ${new URL(request.url).pathname}): this replica is no longer the active mirror`,
      );
    const controller = new AbortController();
    const outer = request.abortSignal;
    const onAbort = (): void => controller.abort();
    if (outer?.aborted) controller.abort();
    outer?.addEventListener('abort', onAbort);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    this.inFlight.add(controller);
    request.abortSignal = controller.signal;
    try {
      return await this.inner.sendRequest(request);
    } catch (error) {
      if (!timedOut) throw error;
      const { pathname } = new URL(request.url);
      const message = `ADT did not answer ${request.method} ${pathname} within ${this.timeoutMs} ms`;
      // A read left unanswered changes nothing, whenever ADT gets to it; a write may still land.
      const read = request.method === 'GET' || (request.method === 'POST' && pathname.endsWith('/query'));
      throw read ? new Error(message) : new NoAnswer(message);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
      this.inFlight.delete(controller);
      // The pipeline may send the same request again (a redirect, an auth challenge): with its own signal.
      request.abortSignal = outer;
    }
  }

  /** Cancels every request in flight (they fail as network errors). */
  cancelAll(): void {
    for (const c of this.inFlight) c.abort();
  }
}

export interface ClientOptions {
  readonly credential?: TokenCredential;
  /** A request's deadline (default 30 s). */
  readonly timeoutMs?: number;
  /** Whether a request may leave now (the active mirror's term: ./leadership.ts); asked by each request. */
  readonly maySend?: () => boolean;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The SDK client for an endpoint (https: Azure credentials; http: a local server, no credentials), and its HTTP client. */
export function createSdkClient(
  endpoint: string,
  options: ClientOptions = {},
): { client: DigitalTwinsClient; http: BoundedHttpClient } {
  const url = new URL(endpoint);
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (url.protocol === 'https:') {
    const http = new BoundedHttpClient(new DefaultHttpClient(), timeoutMs, options.maySend);
    return {
      client: new DigitalTwinsClient(endpoint, options.credential ?? new DefaultAzureCredential(), {
        httpClient: http,
      }),
      http,
    };
  }
  if (url.protocol !== 'http:')
    throw new Error(`ADT_ENDPOINT must be an https:// URL (or http:// for a local test server); got '${endpoint}'.`);
  const https = new URL(endpoint);
  https.protocol = 'https:';
  const http = new BoundedHttpClient(new LoopbackHttpClient(url.origin), timeoutMs, options.maySend);
  return {
    client: new DigitalTwinsClient(https.toString().replace(/\/$/, ''), options.credential ?? localCredential, {
      httpClient: http,
    }),
    http,
  };
}

export function createAdt(endpoint: string, options: ClientOptions = {}): Adt {
  const { client, http } = createSdkClient(endpoint, options);
  return sdkAdt(client, () => http.cancelAll());
}
