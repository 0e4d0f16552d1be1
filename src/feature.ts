/**
 * A feature module as the app plugs it in: the analytics (predictions) and the mirror (to Azure Digital Twins)
 * each export one Feature. The generic server knows none of them: `app.ts` opens the features that the
 * configuration turns on (`TWINGRAPH_PLUGINS`), compiles their schema plugins into the GraphQL schema, puts
 * their per-request services into the GraphQL context, starts them once the store is seeded and stops them
 * before the store closes; `cli/main.ts` adds their commands.
 *
 * Features import the stages (store, events, graphql, services), never each other, and nothing imports them
 * but the app and the command line.
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { ChangeFeed } from './events';
import type { SchemaPlugin } from './graphql/plugin';
import type { ModelService } from './services/models';
import type { TwinService } from './services/twins';
import type { TwinStore } from './store/port';

/** What a feature gets from the app when it opens. */
export interface FeatureHost {
  readonly config: Config;
  readonly log: Logger;
  readonly store: TwinStore;
  readonly models: ModelService;
  readonly twins: TwinService;
  readonly feed: ChangeFeed;
}

/** A feature once open. */
export interface RunningFeature {
  /** Its per-request services, put in `GraphContext.features[name]` (one object for every request). */
  readonly context?: unknown;
  /** Starts its background work (after the store is seeded, so that the demo's own writes are no news). */
  start?(): void;
  /** Stops its background work; called before the store closes. */
  stop(): Promise<void>;
}

export interface Feature {
  /** Its name in TWINGRAPH_PLUGINS, and its key in GraphContext.features. */
  readonly name: string;
  /** What it adds to the GraphQL schema. */
  readonly schema?: SchemaPlugin;
  open(host: FeatureHost): RunningFeature;
  /**
   * Adds its commands to the `twingraph` command line. An action reports its exit code through `exit`; a
   * thrown UsageError or ConfigError is printed as one line with exit code 2.
   */
  commands?(program: Command, exit: (code: number) => void): void;
}
