/**
 * Twingraph assembled: the store, the change feed, the services and the API, started in that order and
 * stopped in the reverse one. On an empty store it first loads the models in dtdl/ and the demo data.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createContext, type Services } from './api/request-context';
import { startServer, type RunningServer } from './api/server';
import { collectDocuments } from './cli/dtdl-validate';
import type { Config } from './config';
import { ChangeFeed } from './events';
import { readCatalogue } from './demo/catalogue';
import { loadDemo } from './demo/load';
import { progressReporter } from './demo/progress';
import { Mirror } from './mirror/mirror';
import { AnalyticsService } from './analytics/service';
import { ModelService } from './services/models';
import { TwinService } from './services/twins';
import { openStore, type StoreConfig } from './store/open';
import type { TwinStore } from './store/port';

export interface App {
  readonly server: RunningServer;
  readonly services: Services;
  readonly log: Logger;
  /** Stops the server (running requests finish, subscriptions get a close frame), then the feed and the store. */
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * Opens the store from `config.store` (default: openStore). Lets an embedder or a test wrap the store, e.g.
   * to instrument it; the app closes whatever it returns.
   */
  readonly openStore?: (config: StoreConfig) => Promise<TwinStore>;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Fills an empty store so that `npm start` serves the demo: the models of dtdl/ and, unless only models are
 * asked for, the demo firm of seeds/ with its telemetry (with a progress line on the terminal).
 */
async function seedEmptyStore(services: Services, config: Config, log: Logger): Promise<void> {
  if (config.seed === 'none') return;
  const counts = await services.store.counts();
  if (counts.models > 0 || counts.twins > 0) return;
  let documents: { name: string; text: string }[] = [];
  try {
    documents = collectDocuments([config.dtdlDir]);
  } catch {
    log.info({ dir: config.dtdlDir }, 'no DTDL folder to load models from');
    return;
  }
  if (documents.length === 0) return;
  const catalogueFile = path.join(config.seedsDir, 'firm.json');
  if (config.seed === 'models' || !fs.existsSync(catalogueFile)) {
    const stored = await services.models.upload(documents.map((d) => d.text));
    log.info({ models: stored.length, dir: config.dtdlDir }, 'loaded the DTDL models into the empty store');
    return;
  }
  const progress = log.isLevelEnabled('info') ? progressReporter() : undefined;
  const summary = await loadDemo(services.store, services.models, {
    catalogue: readCatalogue(catalogueFile),
    documents,
    ...(config.seedAsOf !== undefined && { asOf: config.seedAsOf }),
    ...(progress && { progress: progress.report }),
  });
  progress?.finish();
  log.info(
    {
      models: summary.models,
      twins: summary.twins,
      relationships: summary.relationships,
      metricPoints: summary.metricPoints,
      asOf: summary.asOf,
      ms: Math.round(summary.ms),
    },
    `loaded the demo firm into the empty store in ${(summary.ms / 1000).toFixed(1)} s`,
  );
}

export async function startApp(
  config: Config,
  log: Logger = pino({ level: config.logLevel }),
  options: StartOptions = {},
): Promise<App> {
  const store = await (options.openStore ?? openStore)(config.store);
  const feed = new ChangeFeed(store, { maxLag: config.limits.maxSubscriberLag });
  const models = new ModelService(store);
  let analytics: AnalyticsService | undefined;
  let mirror: Mirror | undefined;
  try {
    await models.load();
    const twins = new TwinService(store, () => models.current);
    analytics = new AnalyticsService(store, () => models.current);
    mirror = new Mirror(store, config.mirror, log);
    const services: Services = { store, models, twins, feed, analytics, mirror };
    await seedEmptyStore(services, config, log);
    // Followed from after the seed: the demo's own writes are not news to the analytics.
    analytics.follow(feed);
    mirror.start();
    if (config.mirror) log.info({ endpoint: config.mirror.endpoint }, 'mirroring every change to Azure Digital Twins');
    const server = await startServer(config, services, log);
    const prune = setInterval(() => {
      store
        .pruneChanges({
          before: new Date(Date.now() - config.changeRetention.olderThanMs).toISOString(),
          keepLast: config.changeRetention.keepLast,
        })
        .then((n) => n > 0 && log.info({ pruned: n }, 'pruned the change log'))
        .catch((error: unknown) => log.warn({ err: error }, 'could not prune the change log'));
    }, PRUNE_EVERY_MS);
    prune.unref();
    let closing: Promise<void> | undefined;
    return {
      server,
      services,
      log,
      close: () =>
        (closing ??= (async () => {
          clearInterval(prune);
          await server.close();
          await services.mirror.stop();
          await services.analytics.close();
          await feed.close();
          await store.close();
        })()),
    };
  } catch (error) {
    await mirror?.stop().catch(() => undefined);
    await analytics?.close().catch(() => undefined);
    await feed.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}

export { createContext };
