/**
 * Twingraph assembled: the store, the change feed, the services, the features the configuration turns on
 * (TWINGRAPH_PLUGINS: the analytics, the mirror) and the API, started in that order and stopped in the
 * reverse one. On an empty store it first loads the models in dtdl/ and the demo data; `twingraph start` asks
 * for the live demo too (StartOptions.liveDemo), which the features bring alive.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Services } from './api/request-context';
import { startServer, type RunningServer } from './api/server';
import { collectDocuments } from './dtdl';
import type { Config } from './config';
import { ChangeFeed, connectNatsBus, tailChangeLog, type CommitBus, type LogTail } from './events';
import { analyticsFeature } from './analytics/feature';
import { healthOf, type Feature, type FeaturesHealth, type RunningFeature } from './feature';
import { devicesFeature } from './devices/feature';
import { mirrorFeature } from './mirror/feature';
import { ModelService } from './services/models';
import { TwinService } from './services/twins';
import { openStore, type StoreConfig } from './store/open';
import type { TwinStore } from './store/port';

/** Every feature the app can plug in, by its name in TWINGRAPH_PLUGINS. */
export const FEATURES: Readonly<Record<Config['plugins'][number], Feature>> = {
  analytics: analyticsFeature,
  mirror: mirrorFeature,
  devices: devicesFeature,
};

/**
 * The features the configuration turns on, in TWINGRAPH_PLUGINS order, then `extra` ones. A feature's schema
 * plugin carries its name (its resolvers find their services under it), and names are unique.
 */
export function enabledFeatures(config: Pick<Config, 'plugins'>, extra: readonly Feature[] = []): Feature[] {
  const features = [...config.plugins.map((name) => FEATURES[name]), ...extra];
  const names = new Set<string>();
  for (const feature of features) {
    if (feature.schema && feature.schema.name !== feature.name)
      throw new Error(`feature '${feature.name}' has a schema plugin named '${feature.schema.name}': they must agree`);
    if (names.has(feature.name)) throw new Error(`two features are named '${feature.name}'`);
    names.add(feature.name);
  }
  return features;
}

export interface App {
  readonly server: RunningServer;
  readonly services: Services;
  /** The running features, by name. */
  readonly features: ReadonlyMap<string, RunningFeature>;
  readonly log: Logger;
  /**
   * The features' health, for readiness checks: ready when every running feature is (one without a health
   * check always is), with each one's own report by name.
   */
  featureHealth(): FeaturesHealth;
  /** Stops the server (running requests finish, subscriptions get a close frame), then the feed and the store. */
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * Opens the store from `config.store` (default: openStore). Lets an embedder or a test wrap the store, e.g.
   * to instrument it; the app closes whatever it returns.
   */
  readonly openStore?: (config: StoreConfig) => Promise<TwinStore>;
  /** An embedder's own features, opened after the configured ones (see src/feature.ts). */
  readonly features?: readonly Feature[];
  /**
   * Bring the demo alive (`twingraph start` sets it): the features may start what makes it move, such as the
   * devices feature's embedded MQTT broker and device simulator. Off by default, so that embedders and tests
   * get only what they configure.
   */
  readonly liveDemo?: boolean;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Fills an empty store so that `npm start` serves the demo: the models of dtdl/ and, unless only models are
 * asked for, the demo firm of seeds/ with its telemetry (with a progress line on the terminal).
 */
async function seedEmptyStore(services: Services, config: Config, log: Logger): Promise<void> {
  if (config.seed === 'none') return;
  // The models are loaded by now: a store with any is not empty, and is not counted (counting every twin,
  // relationship and metric point took the demo's store 120 ms of each start).
  if (services.models.current.records.length > 0) return;
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
  // The demo's generator is required only to fill an empty store: a start on a store with data goes without it.
  const { readCatalogue } = require('./demo/catalogue') as typeof import('./demo/catalogue');
  const { loadDemo } = require('./demo/load') as typeof import('./demo/load');
  const { progressReporter } = require('./demo/progress') as typeof import('./demo/progress');
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
  const features = enabledFeatures(config, options.features);
  const store = await (options.openStore ?? openStore)(config.store);
  const feed = new ChangeFeed(store, { maxLag: config.limits.maxSubscriberLag });
  const models = new ModelService(store, { plugins: features.flatMap((f) => (f.schema ? [f.schema] : [])) });
  const running = new Map<string, RunningFeature>();
  let tail: LogTail | undefined;
  let bus: CommitBus | undefined;
  let stopFollowingModels: (() => Promise<void>) | undefined;
  // Stopped in the reverse order of their start, then the feed and the store.
  // Each step runs whatever the one before it did: a feature that fails to stop leaves no store open.
  const stopAll = async (): Promise<void> => {
    const step = (what: string, stop: () => Promise<void>): Promise<void> =>
      stop().catch((error: unknown) => log.warn({ err: error }, `could not stop ${what}`));
    for (const [name, feature] of [...running].reverse()) await step(`the ${name} feature`, () => feature.stop());
    if (stopFollowingModels) await step('following model changes', stopFollowingModels);
    if (tail) await step('the change-log tail', tail.stop);
    if (bus) await step('the NATS bus', bus.close);
    await step('the change feed', () => feed.close());
    await step('the store', () => store.close());
  };
  try {
    await models.load();
    // Other replicas of this store: their commits reach this feed through the log tail, their model changes
    // this schema through the feed.
    const { replication } = config;
    if (replication.natsUrl)
      bus = await connectNatsBus(replication.natsUrl, {
        subject: replication.natsSubject,
        onError: (error) => log.warn({ err: error }, 'the NATS commit bus failed'),
      });
    tail = tailChangeLog(store, feed, {
      pollMs: replication.pollMs,
      ...(bus && { bus }),
      onError: (error) => log.warn({ err: error }, 'could not read the newest seq of the change log'),
    });
    stopFollowingModels = models.follow(feed, (error) =>
      log.warn({ err: error }, 'following model changes failed; rebuilt the schema from the store'),
    );
    const twins = new TwinService(store, () => models.current);
    for (const feature of features)
      running.set(
        feature.name,
        feature.open({ config, log, store, models, twins, feed, liveDemo: options.liveDemo === true }),
      );
    const contexts = Object.fromEntries([...running].map(([name, feature]) => [name, feature.context]));
    const services: Services = {
      store,
      models,
      twins,
      feed,
      features: contexts,
      featureHealth: () => healthOf(running),
      ...(bus && { busHealth: bus.health }),
    };
    await seedEmptyStore(services, config, log);
    for (const feature of running.values()) await feature.start?.();
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
      features: running,
      log,
      featureHealth: () => healthOf(running),
      close: () =>
        (closing ??= (async () => {
          clearInterval(prune);
          try {
            await server.close();
          } finally {
            await stopAll();
          }
        })()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
