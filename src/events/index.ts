/** The events stage: the in-process change feed that GraphQL subscriptions consume, and subscription filters. */
export { ChangeFeed, type ChangeFeedOptions, type SubscribeOptions } from './change-feed';
export type { ChangePredicate, ChangeSubscription } from './subscription';
export { changeFilter, type ChangeFilterRequest, type ChangeTypePrefix } from './filters';
export { ChangeFeedError, type ChangeFeedErrorDetails } from './feed-errors';
