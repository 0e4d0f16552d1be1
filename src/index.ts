/**
 * Twingraph's library entry: what an embedder needs, named one by one so that the public API is chosen,
 * not whatever each stage happens to export. Parse and validate DTDL; open a store (SQLite or Neo4j) and use
 * it through its port; compile a model set into the GraphQL schema; read the configuration and start the
 * whole server, or only its API over services of one's own. Anything else is internal and may change.
 */

// DTDL: parsing, validation, the resolved model set and its errors.
export {
  collectDocuments,
  EMPTY_MODEL_SET,
  isUserDtmi,
  parseDtmi,
  parseModels,
  type ArraySchema,
  type CommandContent,
  type CommandPayload,
  type ComplexSchema,
  type ComponentContent,
  type Content,
  type Dtmi,
  type DtdlError,
  type EnumSchema,
  type EnumValue,
  type Field,
  type GeospatialSchema,
  type GeospatialSchemaName,
  type InterfaceModel,
  type LangString,
  type MapSchema,
  type ModelSet,
  type NamedDocument,
  type ObjectSchema,
  type ParseOptions,
  type ParseResult,
  type PrimitiveSchema,
  type PrimitiveSchemaName,
  type PropertyContent,
  type RelationshipContent,
  type Schema,
  type TelemetryContent,
  type UnitTypeSchema,
} from './dtdl';

// The store: opening one, its port by role, and the data it holds (Azure Digital Twins' shapes).
export {
  DEFAULT_SQLITE_PATH,
  openStore,
  type Aggregate,
  type AppendMetricsOptions,
  type AppendMetricsResult,
  type ChangeEntry,
  type ChangeLog,
  type ChangeType,
  type ClaimOptions,
  type CommitListener,
  type ComparisonOperator,
  type ComponentMetadata,
  type DeleteTwinOptions,
  type FailOptions,
  type Filter,
  type Hop,
  type Housekeeping,
  type IfMatch,
  type IfNoneMatch,
  type JsonObject,
  type JsonPatch,
  type JsonPrimitive,
  type JsonValue,
  type ListModelsOptions,
  type MetricAggregation,
  type MetricBucket,
  type MetricPoint,
  type MetricRange,
  type MetricSeriesKey,
  type MetricStore,
  type ModelInput,
  type ModelRecord,
  type ModelStore,
  type NeighborQuery,
  type Neo4jStoreConfig,
  type OrderBy,
  type Outbox,
  type OutboxEntry,
  type OutboxStats,
  type Page,
  type PageArgs,
  type PageInfo,
  type PatchOperation,
  type PropertyMetadata,
  type PropertyPath,
  type PruneOptions,
  type ReadChangesOptions,
  type RelatedFilter,
  type Relationship,
  type RelationshipInput,
  type RelationshipWrite,
  type SqliteStoreConfig,
  type StoreConfig,
  type StoreCounts,
  type Traversal,
  type Twin,
  type TwinInput,
  type TwinMetadata,
  type TwinQuery,
  type TwinReads,
  type TwinStore,
  type TwinWrite,
  type TwinWrites,
} from './store';

// Errors: one class with ADT's codes, and the usage errors of reading files.
export {
  ERROR_STATUS,
  isTwingraphError,
  TwingraphError,
  UsageError,
  type ErrorCode,
  type ErrorDetail,
  type ErrorSubject,
} from './errors';

// The GraphQL schema a model set compiles to.
export { compileSchema, type CompiledSchema, type CompileOptions, type SchemaPlugin } from './graphql';

// Configuration, and the server: the whole app, or the API alone over services assembled by the caller.
export {
  ConfigError,
  loadConfig,
  PLUGINS,
  storeConfigFromEnv,
  type Config,
  type MirrorConfig,
  type PluginName,
} from './config';
export { enabledFeatures, FEATURES, startApp, type App, type StartOptions } from './app';
// Feature modules: what one gives the app (its schema plugin, its services, its commands).
export type { Feature, FeatureHost, RunningFeature } from './feature';
export type { TwinFieldExtension } from './graphql';
export { startServer, type RunningServer } from './api/server';
export type { Services } from './api/request-context';
