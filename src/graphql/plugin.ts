/**
 * Fields that something other than the DTDL puts on a model's types: the analytics' predictions on the demo's
 * engagements and devices. An extension names a model; its fields go on that model's interface and object
 * type and on those of every model that extends it (so a query valid on the base stays valid on subtypes).
 * Its field names are reserved in that lineage: a content with one of them, declared on the model or on any
 * subtype, gets a `_` suffix (`kpis_`), as a content named like a core twin field does. Every type of the
 * lineage then has the same field under the name (GraphQL requires it of an interface's implementations),
 * and since the rule depends only on the model and its ancestors, a later upload never renames a field.
 */
import type { GraphQLFieldConfigMap } from 'graphql';
import type { Twin } from '../store/types';
import type { GraphContext } from './graph-context';
import type { CoreTypes } from './generate/schema-types';

export interface TwinFieldExtension {
  /** The DTMI whose twins (and whose subtypes' twins) get the fields. */
  readonly modelId: string;
  readonly fields: (core: CoreTypes) => GraphQLFieldConfigMap<Twin, GraphContext>;
}
