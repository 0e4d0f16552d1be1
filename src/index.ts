/** Twingraph's library entry: each pipeline stage's public API. */
export * from './dtdl';
export * from './store';
export * from './errors';
export * from './events';
