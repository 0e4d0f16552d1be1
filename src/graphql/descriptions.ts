/**
 * The sentences that describe the parts every list, filter and order input shares, written once: the core's
 * type-graphql classes and the types compiled from DTDL use the same words for the same thing, and every
 * part of the schema has a description (test/graphql/descriptions.test.ts counts the ones that do not).
 */
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../store/query';

/** The comparison operators of every filter input. */
export const FILTER_OPS = {
  eq: 'Equal to this value.',
  ne: 'Not equal to this value (a twin without the property does not match).',
  in: 'Equal to one of these values.',
  notIn: 'Equal to none of these values (a twin without the property does not match).',
  lt: 'Less than this value.',
  lte: 'Less than or equal to this value.',
  gt: 'Greater than this value.',
  gte: 'Greater than or equal to this value.',
  contains: 'Contains this text (case-sensitive).',
  startsWith: 'Starts with this text (case-sensitive).',
  endsWith: 'Ends with this text (case-sensitive).',
  exists: 'true: the property is set; false: it is not.',
} as const;

/** The combinators of every where input. */
export const WHERE_LOGIC = {
  AND: 'Every one of these conditions holds.',
  OR: 'At least one of these conditions holds.',
  NOT: 'This condition does not hold.',
} as const;

/** Relay paging arguments. */
export const PAGE_ARGS = {
  first: `At most this many, from the start or after \`after\` (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).`,
  after: 'The endCursor of the previous page.',
  last: `At most this many, from the end or before \`before\` (at most ${MAX_PAGE_SIZE}).`,
  before: 'The startCursor of the following page (paging backwards).',
  orderBy: 'Sort keys, most significant first; ties are broken by id.',
} as const;

/** The fields of every connection and edge. */
export const CONNECTION_FIELDS = {
  edges: 'The items of this page, each with its cursor.',
  nodes: 'The items of this page.',
  pageInfo: 'Where this page is: its cursors, and whether there are pages before and after it.',
  totalCount: 'How many match, across all pages (counted only when asked for).',
  cursor: 'Where this item is in the list: pass it as after or before to page from it.',
  node: 'The item.',
} as const;
