/**
 * What a twin write (ADT's PUT) stores for a body given with a model: the body with `$metadata.$model` set,
 * and every component of the model the body leaves out present and empty, as ADT requires components to be.
 * Said once for createTwin, the per-model create mutations and batch upserts.
 */
import type { InterfaceModel, ModelSet } from '../dtdl';
import { TwingraphError } from '../errors';
import type { JsonObject, TwinInput } from '../store/types';

/**
 * The body to store. A body that already says this model and has every component is returned as it is (the
 * batch mutation's are made so, and a copy of each of a thousand was a fiftieth of a batch's time): nothing
 * downstream changes a body, the store builds the twin it writes anew from it.
 */
export function twinBody(models: ModelSet, id: string, modelId: string, body: unknown): TwinInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new TwingraphError('ValidationFailed', `The properties of twin '${id}' must be a JSON object.`, {
      twinId: id,
    });
  const given = body as JsonObject;
  const metadata =
    given.$metadata && typeof given.$metadata === 'object' && !Array.isArray(given.$metadata)
      ? (given.$metadata as JsonObject)
      : {};
  const components = componentsOf(models.interfaces.get(modelId));
  let complete = metadata.$model === modelId;
  for (let i = 0; complete && i < components.length; i++) if (given[components[i]] === undefined) complete = false;
  if (complete) return given as TwinInput;
  const twin: TwinInput = { ...given, $metadata: { ...metadata, $model: modelId } };
  for (const name of components) if (twin[name] === undefined) twin[name] = { $metadata: {} };
  return twin;
}

/** The names of a model's components, in its contents' order (kept per model: every item of a batch asks). */
const componentNames = new WeakMap<InterfaceModel, readonly string[]>();

function componentsOf(model: InterfaceModel | undefined): readonly string[] {
  if (!model) return [];
  let names = componentNames.get(model);
  if (!names) {
    names = [...model.contents.values()].filter((c) => c.kind === 'Component').map((c) => c.name);
    componentNames.set(model, names);
  }
  return names;
}
