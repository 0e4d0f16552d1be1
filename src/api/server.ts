/**
 * The API served: GraphQL over HTTP (./http.ts) and over WebSocket (./ws.ts) on one port and one path,
 * /graphql, and their shutdown in the order that lets running work finish. Only the assembly is here; what
 * each transport does is in its own module.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createHttpApi } from './http';
import type { Services } from './request-context';
import { attachGraphqlWs, graphqlWsOptions } from './ws';

export const GRAPHQL_PATH = '/graphql';
/** How long a stopping server lets running requests finish. */
const STOP_GRACE_MS = 10_000;

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting work, lets running requests finish, closes subscriptions with a close frame. */
  close(): Promise<void>;
}

export async function startServer(config: Config, services: Services, log: Logger): Promise<RunningServer> {
  const httpApi = await createHttpApi(config, services, log, GRAPHQL_PATH);
  const httpServer = http.createServer(httpApi.app);
  const ws = attachGraphqlWs(httpServer, GRAPHQL_PATH, graphqlWsOptions(config, services, log), {
    maxMessageBytes: config.limits.maxBodyBytes,
    origins: config.corsOrigins,
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
    await ws.dispose();
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
