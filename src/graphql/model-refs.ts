/**
 * Arguments that name a model (`twins(where: { isOf })`, a relationship target's `isOf`, the subscriptions'
 * `models`) take either the model's full DTMI, version included, or its GraphQL type name (`Client`,
 * `ClientTwin`), and an unknown name is an error (ModelNotFound, naming the string), never a filter that
 * silently matches nothing: `"Device"` for `dtmi:twingraph:demo:Device;1` or a DTMI without its version
 * once returned an empty list. The error says what was meant where it can tell (the versions of a
 * versionless DTMI, a type name in another case).
 *
 * Filters are translated where no request context is at hand (generated where inputs, relationship targets),
 * so a `ModelRef` is made from what the caller has: the schema's info at run time, or the compile run's
 * model set and types.
 */
import type { ModelSet } from '../dtdl';
import { parseDtmi } from '../dtdl/dtmi';
import { TwingraphError } from '../errors';

/** Turns a model reference (DTMI or GraphQL type name) into the model's DTMI, or throws ModelNotFound. */
export type ModelRef = (ref: string) => string;

/** The GraphQL type names of a model, as far as the caller knows them. */
export interface ModelTypeNames {
  readonly id: string;
  readonly interfaceType: string;
  readonly objectType: string;
}

/**
 * A ModelRef over a model set and its types' names. `names` is read on first use: while a schema is compiled,
 * the names are handed out after the filters that use them are built.
 */
export function modelRef(models: ModelSet, names: () => Iterable<ModelTypeNames>): ModelRef {
  let byName: Map<string, string> | undefined;
  const typeNames = (): Map<string, string> => {
    if (!byName) {
      byName = new Map();
      for (const n of names()) {
        byName.set(n.interfaceType, n.id);
        byName.set(n.objectType, n.id);
      }
    }
    return byName;
  };
  return (ref: string): string => {
    if (models.interfaces.has(ref)) return ref;
    const named = typeNames().get(ref);
    if (named) return named;
    throw unknownModel(ref, models, typeNames());
  };
}

function unknownModel(ref: string, models: ModelSet, typeNames: ReadonlyMap<string, string>): TwingraphError {
  const hints: string[] = [];
  const dtmi = parseDtmi(ref);
  if (dtmi) {
    const versions = [...models.interfaces.keys()].filter((id) => parseDtmi(id)?.versionless === dtmi.versionless);
    if (versions.length) hints.push(`did you mean ${versions.join(' or ')}?`);
  } else {
    const lower = ref.toLowerCase();
    const alike = [...typeNames.keys()].filter((n) => n.toLowerCase() === lower);
    if (alike.length) hints.push(`did you mean ${alike.join(' or ')}?`);
  }
  return new TwingraphError(
    'ModelNotFound',
    `No model '${ref}': name a model by its GraphQL type (e.g. Client) or its full DTMI with version (e.g. dtmi:example:Client;1)${hints.length ? `; ${hints.join(' ')}` : '.'}`,
    { modelId: ref },
  );
}
