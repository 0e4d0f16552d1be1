/**
 * A feature module as the app plugs it in: the analytics (predictions) and the mirror (to Azure Digital Twins)
 * each export one Feature. The generic server knows none of them: `app.ts` opens the features that the
 * configuration turns on (`TWINGRAPH_PLUGINS`), compiles their schema plugins into the GraphQL schema, puts
 * their per-request services into the GraphQL context, starts them once the store is seeded and stops them
 * before the store closes, and asks them for their health when readiness is checked; `cli/main.ts` adds
 * their commands.
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
  /**
   * Whether this is `twingraph start` serving the demo (StartOptions.liveDemo): a feature may then bring the
   * demo alive (the devices feature starts an embedded MQTT broker and a device simulator). Embedders and
   * tests get a quiet app unless they ask for it.
   */
  readonly liveDemo: boolean;
}

/** What a feature says about itself when readiness is checked (`/readyz`). */
export interface FeatureHealth {
  /** Whether it does its work now; false makes the replica not ready. */
  readonly ready: boolean;
  /** What an operator needs to see why (JSON). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A feature once open. */
export interface RunningFeature {
  /** Its per-request services, put in `GraphContext.features[name]` (one object for every request). */
  readonly context?: unknown;
  /**
   * Starts its background work (after the store is seeded, so that the demo's own writes are no news); the
   * server starts serving once it resolves. A failure stops the start.
   */
  start?(): void | Promise<void>;
  /** Stops its background work; called before the store closes. */
  stop(): Promise<void>;
  /** Its health for readiness checks; a feature without one is always ready. */
  health?(): FeatureHealth;
}

/** The running features' health together, as readiness checks report it. */
export interface FeaturesHealth {
  readonly ready: boolean;
  /** Each running feature that reports its health, by name. */
  readonly features: Readonly<Record<string, FeatureHealth>>;
}

/** The features' health: one not ready makes the whole not ready; a check that throws counts as not ready. */
export function healthOf(running: ReadonlyMap<string, RunningFeature>): FeaturesHealth {
  const features: Record<string, FeatureHealth> = {};
  for (const [name, feature] of running) {
    if (!feature.health) continue;
    try {
      features[name] = feature.health();
    } catch (error) {
      features[name] = { ready: false, detail: { error: (error as Error).message } };
    }
  }
  return { ready: Object.values(features).every((h) => h.ready), features };
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
