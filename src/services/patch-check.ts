/**
 * How the services validate a patched twin: inside the store's transaction, on the very state the patch
 * produces (the store's `check` option of patchTwin and patchTwins), so that what is validated is what is
 * stored, with no other writer in between and the patch applied once. Said once for the single patch and the
 * batch.
 */
import type { PayloadValidators } from '../graphql/generate/validators';
import { isComponent } from '../store/documents';
import type { Twin } from '../store/types';

/** The check to hand the store: validates the patched twin against its (possibly new) model. */
export function patchedTwinCheck(validators: PayloadValidators): (twin: Twin) => void {
  return (twin) => validators.validateTwin(twin.$metadata.$model, asWritten(twin), twin.$dtId);
}

/**
 * A patched twin as a writer could have written it, for its validation: its values, and of its metadata only
 * what a writer sets (the model, each property's sourceTime). The store stamps every lastUpdateTime itself,
 * and only for properties the twin has, so checking each again (a date-time format apiece) checked nothing a
 * writer could get wrong, and was most of what validating a patched twin cost.
 */
function asWritten(twin: Twin): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(twin)) {
    if (key === '$metadata') view.$metadata = writtenMetadata(value as Record<string, unknown>, true);
    else if (isComponent(value))
      view[key] = { ...value, $metadata: writtenMetadata(value.$metadata as Record<string, unknown>, false) };
    else view[key] = value;
  }
  return view;
}

function writtenMetadata(metadata: Record<string, unknown>, twin: boolean): Record<string, unknown> {
  const written: Record<string, unknown> = twin ? { $model: metadata.$model } : {};
  for (const [name, entry] of Object.entries(metadata)) {
    if (name.startsWith('$')) continue;
    const sourceTime = (entry as { sourceTime?: unknown } | null)?.sourceTime;
    if (sourceTime !== undefined) written[name] = { sourceTime };
  }
  return written;
}
