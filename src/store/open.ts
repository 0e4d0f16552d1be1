/**
 * Opens the configured store: the embedded SQLite file by default, Neo4j when a URI is given. Which one the
 * environment asks for is read with the rest of the configuration (src/config.ts), so the store reads no
 * environment variable itself.
 */
import type { DocumentLimits } from './documents';
import type { TwinStore } from './port';
import type { PropertyPath } from './query';
import { openSqliteStore } from './sqlite/store';

interface CommonStoreConfig {
  /** Enqueue mirrored changes in the outbox (on when the ADT mirror is configured). */
  readonly outbox?: boolean;
  readonly limits?: Partial<DocumentLimits>;
  readonly indexedProperties?: readonly PropertyPath[];
  /** The clock (epoch ms); tests set it. */
  readonly now?: () => number;
}

export interface SqliteStoreConfig extends CommonStoreConfig {
  readonly kind: 'sqlite';
  /** Database file, e.g. ./data/twingraph.db, or ':memory:'. */
  readonly path: string;
  readonly synchronous?: 'NORMAL' | 'FULL';
}

export interface Neo4jStoreConfig extends CommonStoreConfig {
  readonly kind: 'neo4j';
  readonly uri: string;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
}

export type StoreConfig = SqliteStoreConfig | Neo4jStoreConfig;

export async function openStore(config: StoreConfig): Promise<TwinStore> {
  const common = {
    ...(config.outbox !== undefined && { outbox: config.outbox }),
    ...(config.limits && { limits: config.limits }),
    ...(config.indexedProperties && { indexedProperties: config.indexedProperties }),
    ...(config.now && { now: config.now }),
  };
  if (config.kind === 'neo4j') {
    // Required here, not imported above: the Neo4j driver is a sizeable share of a start on SQLite, which
    // never needs it.
    const { connectNeo4j } = require('./neo4j/driver') as typeof import('./neo4j/driver');
    const { openNeo4jStore } = require('./neo4j/store') as typeof import('./neo4j/store');
    const driver = connectNeo4j({
      uri: config.uri,
      ...(config.user !== undefined && { user: config.user }),
      ...(config.password !== undefined && { password: config.password }),
    });
    return openNeo4jStore({ driver, ...(config.database && { database: config.database }), ...common });
  }
  return openSqliteStore({
    path: config.path,
    ...(config.synchronous && { synchronous: config.synchronous }),
    ...common,
  });
}

/** The default embedded database file, relative to the working directory. */
export const DEFAULT_SQLITE_PATH = './data/twingraph.db';
