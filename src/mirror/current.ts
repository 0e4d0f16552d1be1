/** Twingraph's current state of a twin, relationship or model, for the mirror's repairs: undefined when it is gone. */
import { TwingraphError } from '../errors';
import type { ModelStore, TwinReads } from '../store/port';
import type { JsonObject, ModelRecord } from '../store/types';

export async function twingraphTwin(store: TwinReads, id: string): Promise<JsonObject | undefined> {
  try {
    return (await store.getTwin(id)) as unknown as JsonObject;
  } catch (error) {
    if (error instanceof TwingraphError && error.code === 'DigitalTwinNotFound') return undefined;
    throw error;
  }
}

export async function twingraphRelationship(
  store: TwinReads,
  sourceId: string,
  relationshipId: string,
): Promise<JsonObject | undefined> {
  try {
    return (await store.getRelationship(sourceId, relationshipId)) as unknown as JsonObject;
  } catch (error) {
    if (
      error instanceof TwingraphError &&
      (error.code === 'RelationshipNotFound' || error.code === 'DigitalTwinNotFound')
    )
      return undefined;
    throw error;
  }
}

export async function twingraphModel(store: ModelStore, id: string): Promise<ModelRecord | undefined> {
  try {
    return await store.getModel(id, { includeDefinition: true });
  } catch (error) {
    if (error instanceof TwingraphError && error.code === 'ModelNotFound') return undefined;
    throw error;
  }
}
