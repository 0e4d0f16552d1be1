/**
 * The API served: GraphQL over HTTP (./http.ts) and over WebSocket (./ws.ts) on one port and one path,
 * /graphql, over Server-Sent Events (./sse.ts) beside it at /graphql/stream, and their shutdown in the order
 * that lets running work finish. Only the assembly is here; what each transport does is in its own module, and
 * what the two streaming ones share in ./transport-core.ts (an operation's checks and wording) and
 * ./identity-slots.ts (the connections an identity holds, counted across both).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createAuthenticator } from '../access/authenticate';
import { ConfigError, isLoopback, type Config } from '../config';
import { hostChecker, hostRefusal } from './host-check';
import { createHttpApi } from './http';
import { IdentitySlots } from './identity-slots';
import { OperationLimits } from './operation-limits';
import type { Services } from './request-context';
import { createSseEndpoint } from './sse';
import { createTransportCore } from './transport-core';
import { attachGraphqlWs, graphqlWsOptions } from './ws';

export const GRAPHQL_PATH = '/graphql';
/** Where subscriptions are served over Server-Sent Events (graphql-sse's protocol). */
export const SSE_PATH = `${GRAPHQL_PATH}/stream`;

/**
 * The secure default: a server reachable from other machines requires identities (config.ts turns
 * authentication on off loopback), and one that could verify none (no token issuer, no API key) would
 * refuse everyone — or, worse, invite switching authentication off in a hurry. It does not start, and says
 * what to do, unless TWINGRAPH_AUTH was set explicitly.
 */
async function checkAccessDefault(config: Config, services: Services, log: Logger): Promise<void> {
  const { access } = config;
  if (access.auth === 'off') {
    if (!isLoopback(config.host))
      log.warn(
        `Authentication is off (TWINGRAPH_AUTH=off) on ${config.host}: anyone who can reach it may do anything.`,
      );
    return;
  }
  if (access.authExplicit || access.jwt) return;
  const now = Date.now();
  const usable = (await services.store.listKeys()).some(
    (k) => !k.revoked && (k.expires === undefined || Date.parse(k.expires) > now),
  );
  if (!usable)
    throw new ConfigError(
      `Twingraph will not listen on ${config.host} without identities: set TWINGRAPH_JWT_JWKS_URL (or TWINGRAPH_JWT_PUBLIC_KEY), or create a key with \`twingraph keys create --name admin --role admin\`, or set TWINGRAPH_AUTH=off to let anyone in.`,
    );
}
/** How long a stopping server lets running requests finish. */
const STOP_GRACE_MS = 10_000;

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting work, lets running requests finish, ends subscriptions (a close frame, the stream's end). */
  close(): Promise<void>;
}

export async function startServer(config: Config, services: Services, log: Logger): Promise<RunningServer> {
  const guards = {
    auth: createAuthenticator(config.access, services.store),
    limits: new OperationLimits(config.access),
  };
  await checkAccessDefault(config, services, log);
  const httpApi = await createHttpApi(config, services, guards, log, GRAPHQL_PATH);
  const core = createTransportCore(config, services, guards, log);
  const slots = new IdentitySlots(config.access.maxSocketsPerIdentity);
  const sse = createSseEndpoint({ path: SSE_PATH, core, auth: guards.auth, slots, config, log });
  // Without authentication, only requests naming this machine (or a listed host) are answered, on every door:
  // DNS rebinding (./host-check.ts).
  const hostVerdict = hostChecker(config.allowedHosts);
  const hostOk = (host: string | undefined): boolean => guards.auth.required || hostVerdict(host);
  // Event streams bypass Express: its compression would hold events back, and its GraphQL route takes the path.
  const httpServer = http.createServer((req, res) => {
    if (!hostOk(req.headers.host)) {
      const { status, body } = hostRefusal(req.headers.host);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    } else if (sse.handles(req)) sse.handle(req, res);
    else httpApi.handle(req, res);
  });
  const ws = attachGraphqlWs(httpServer, GRAPHQL_PATH, graphqlWsOptions(core, guards.auth, slots, config), {
    maxMessageBytes: config.limits.maxBodyBytes,
    origins: config.corsOrigins,
    hostAllowed: hostOk,
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${port}${GRAPHQL_PATH}`;
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    httpApi.stopFollowingModels();
    // No new connections; idle keep-alive ones go now, busy ones when their request ends.
    httpServer.close();
    httpServer.closeIdleConnections();
    await Promise.all([ws.dispose(), sse.dispose()]);
    await httpApi.drain(STOP_GRACE_MS);
    httpServer.closeAllConnections();
    await httpApi.close();
  };
  return {
    url,
    port,
    close: () => (closing ??= close()),
  };
}
