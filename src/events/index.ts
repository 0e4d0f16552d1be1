/**
 * The events stage: the change feed that GraphQL subscriptions consume, fed by this process's commits and, for
 * several replicas on one store, by the log tail (polling, and a NATS bus); subscription filters.
 */
export { ChangeFeed, type ChangeFeedOptions, type SubscribeOptions } from './change-feed';
export type { ChangePredicate, ChangeSubscription } from './subscription';
export { changeFilter, type ChangeFilterRequest, type ChangeTypePrefix } from './filters';
export { ChangeFeedError, type ChangeFeedErrorDetails } from './feed-errors';
export { tailChangeLog, type CommitBus, type LogTail, type LogTailOptions } from './log-tail';
export { connectNatsBus, COMMITS_SUBJECT } from './nats-bus';
