/**
 * The ADT client for an endpoint: Azure's default credential chain for an `https://` instance (environment,
 * workload or managed identity, Azure CLI, …), and for an `http://` endpoint — a local stand-in such as the
 * test server — no Azure credential at all. The SDK refuses bearer tokens over plain HTTP (ADT.md §5.3), so
 * it is given the https form of the URL and an HTTP client that sends each request to the http one.
 */
import { DefaultHttpClient, type HttpClient, type HttpOperationResponse, type TokenCredential, type WebResourceLike } from '@azure/core-http';
import { DigitalTwinsClient } from '@azure/digital-twins-core';
import { DefaultAzureCredential } from '@azure/identity';
import { sdkAdt, type Adt } from './adt';

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

/** The SDK client for an endpoint (https: Azure credentials; http: a local server, no credentials). */
export function createSdkClient(endpoint: string, credential?: TokenCredential): DigitalTwinsClient {
  const url = new URL(endpoint);
  if (url.protocol === 'https:') return new DigitalTwinsClient(endpoint, credential ?? new DefaultAzureCredential());
  if (url.protocol !== 'http:') throw new Error(`ADT_ENDPOINT must be an https:// URL (or http:// for a local test server); got '${endpoint}'.`);
  const https = new URL(endpoint);
  https.protocol = 'https:';
  return new DigitalTwinsClient(https.toString().replace(/\/$/, ''), credential ?? localCredential, { httpClient: new LoopbackHttpClient(url.origin) });
}

export function createAdt(endpoint: string, credential?: TokenCredential): Adt {
  return sdkAdt(createSdkClient(endpoint, credential));
}
