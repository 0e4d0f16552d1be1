/** Twingraph's library entry: each pipeline stage's public API. */
export * from './dtdl';
