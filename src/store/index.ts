/**
 * The store stage: one port (TwinStore), two adapters. SQLite is the embedded default; Neo4j is for
 * production. Both keep the contract in test/store/contract.
 */
export * from './types';
export * from './port';
export * from './query';
export { SqliteStore, openSqliteStore, type SqliteStoreOptions } from './sqlite/store';
