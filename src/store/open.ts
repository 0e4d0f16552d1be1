/**
 * Opens the configured store: the embedded SQLite file by default, Neo4j when a URI is given.
 */
import type { DocumentLimits } from './documents';
import { connectNeo4j } from './neo4j/driver';
import { openNeo4jStore } from './neo4j/store';
import type { TwinStore } from './port';
import type { PropertyPath } from './query';
import { openSqliteStore } from './sqlite/store';

interface CommonStoreConfig {
  /** Enqueue mirrored changes in the outbox (on when the ADT mirror is configured). */
  readonly outbox?: boolean;
  readonly limits?: Partial<DocumentLimits>;
  readonly indexedProperties?: readonly PropertyPath[];
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
  };
  if (config.kind === 'neo4j') {
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

/**
 * The store the environment asks for: Neo4j when NEO4J_URI is set (with NEO4J_USER, NEO4J_PASSWORD,
 * NEO4J_DATABASE), otherwise SQLite at TWINGRAPH_DB (default ./data/twingraph.db), with
 * TWINGRAPH_SQLITE_SYNCHRONOUS=FULL for power-loss durability. Throws a message naming the variable at fault.
 */
export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const uri = env.NEO4J_URI?.trim();
  if (uri) {
    if (!/^(neo4j|neo4j\+s|neo4j\+ssc|bolt|bolt\+s|bolt\+ssc):\/\/[^\s]+$/.test(uri)) {
      throw new Error(
        `NEO4J_URI must be a neo4j:// or bolt:// URI (for example neo4j://localhost:7687); got '${uri}'.`,
      );
    }
    return {
      kind: 'neo4j',
      uri,
      ...(env.NEO4J_USER !== undefined && { user: env.NEO4J_USER }),
      ...(env.NEO4J_PASSWORD !== undefined && { password: env.NEO4J_PASSWORD }),
      ...(env.NEO4J_DATABASE && { database: env.NEO4J_DATABASE }),
    };
  }
  const synchronous = env.TWINGRAPH_SQLITE_SYNCHRONOUS?.trim().toUpperCase();
  if (synchronous !== undefined && synchronous !== 'NORMAL' && synchronous !== 'FULL') {
    throw new Error(`TWINGRAPH_SQLITE_SYNCHRONOUS must be NORMAL or FULL; got '${env.TWINGRAPH_SQLITE_SYNCHRONOUS}'.`);
  }
  return { kind: 'sqlite', path: env.TWINGRAPH_DB?.trim() || DEFAULT_SQLITE_PATH, ...(synchronous && { synchronous }) };
}
