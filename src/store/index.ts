/**
 * The store stage: one port (TwinStore, the union of its roles: ModelStore, TwinReads, TwinWrites,
 * MetricStore, ChangeLog, Outbox and Housekeeping, all exported from ./port), two adapters. SQLite is the
 * embedded default; Neo4j is for production. Both keep the contract in test/store/contract.
 */
export * from './types';
export * from './port';
export * from './query';
export { SqliteStore, openSqliteStore, type SqliteStoreOptions } from './sqlite/store';
export {
  Neo4jStore,
  openNeo4jStore,
  SCHEMA_STATEMENTS as NEO4J_SCHEMA_STATEMENTS,
  type Neo4jStoreOptions,
} from './neo4j/store';
export { connectNeo4j, type CypherDriver, type Neo4jConnection } from './neo4j/driver';
export {
  openStore,
  DEFAULT_SQLITE_PATH,
  type StoreConfig,
  type SqliteStoreConfig,
  type Neo4jStoreConfig,
} from './open';
