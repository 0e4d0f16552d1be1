/**
 * Fields that something other than the DTDL puts on a model's types: the analytics' predictions on the demo's
 * engagements and devices. An extension names a model; its fields go on that model's interface and object
 * type and on those of every model that extends it (so a query valid on the base stays valid on subtypes).
 * A content of the model with the same name wins: the DTDL is what a modeler controls.
 */
import type { GraphQLFieldConfigMap } from 'graphql';
import type { Twin } from '../store/types';
import type { GraphContext } from './context';
import type { CoreTypes } from './schema-types';

export interface TwinFieldExtension {
  /** The DTMI whose twins (and whose subtypes' twins) get the fields. */
  readonly modelId: string;
  readonly fields: (core: CoreTypes) => GraphQLFieldConfigMap<Twin, GraphContext>;
}
