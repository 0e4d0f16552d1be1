/**
 * `twingraph seed`: loads the demo firm into the configured store (TWINGRAPH_DB or NEO4J_URI) on demand,
 * with the models of dtdl/ if the store lacks them. The store must have no twins.
 */
import path from 'node:path';
import { loadConfig } from '../config';
import { collectDocuments } from '../dtdl';
import { TwingraphError, UsageError } from '../errors';
import { readCatalogue, scaled } from '../demo/catalogue';
import { loadDemo } from '../demo/load';
import { progressReporter } from '../demo/progress';
import { ModelService } from '../services/models';
import { openStore } from '../store/open';

export interface SeedCommandOptions {
  readonly asOf?: string;
  readonly catalogue?: string;
  readonly scale?: string;
}

export async function seedCommand(options: SeedCommandOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = loadConfig(env);
  let asOf = config.seedAsOf;
  if (options.asOf !== undefined) {
    asOf = Date.parse(options.asOf);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(options.asOf) || !Number.isFinite(asOf) || asOf % 3_600_000 !== 0) {
      throw new UsageError(
        `--as-of must be an ISO 8601 date and time on a whole hour, such as 2026-11-25T00:00:00Z; got '${options.asOf}'`,
      );
    }
  }
  const scale = options.scale === undefined ? 1 : Number(options.scale);
  if (!(scale > 0 && scale <= 10))
    throw new UsageError(`--scale must be a number above 0 and at most 10; got '${options.scale}'`);
  let catalogue;
  try {
    catalogue = scaled(readCatalogue(options.catalogue ?? path.join(config.seedsDir, 'firm.json')), scale);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const documents = collectDocuments([config.dtdlDir]);

  const store = await openStore(config.store);
  try {
    const models = new ModelService(store);
    await models.load();
    const progress = progressReporter();
    const summary = await loadDemo(store, models, {
      catalogue,
      documents,
      ...(asOf !== undefined && { asOf }),
      progress: progress.report,
    });
    progress.finish();
    process.stdout.write(
      `Loaded the demo firm as of ${summary.asOf} into ${config.store.kind === 'sqlite' ? config.store.path : config.store.uri}: ` +
        `${summary.models} models, ${summary.twins} twins, ${summary.relationships} relationships, ${summary.metricPoints} telemetry points in ${(summary.ms / 1000).toFixed(1)} s.\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof TwingraphError) {
      process.stderr.write(`twingraph seed: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}
