/**
 * Predicates for what a subscription asks for: change types, models, twins, property paths. Pure functions
 * of the request, built once per subscription and run on every change it passes, so the matching avoids
 * parsing: JSON Pointers are compared as strings, which is exact because a `/` inside a name is escaped.
 */
import { TwingraphError } from '../errors';
import type { ChangeEntry, ChangeType, JsonValue } from '../store/types';
import type { ChangePredicate } from './subscription';

/** A family of change types: `'Twin.'` is Twin.Create, Twin.Update and Twin.Delete. */
export type ChangeTypePrefix = 'Twin.' | 'Relationship.' | 'Model.';

export interface ChangeFilterRequest {
  /** Change types, or families of them. */
  readonly types?: readonly (ChangeType | ChangeTypePrefix)[];
  /**
   * The twin's model (for relationships, the source twin's; for model changes, the model itself), exactly:
   * the caller expands a model to its subtypes.
   */
  readonly modelIds?: readonly string[];
  /** Changes of these twins: their own, their telemetry, and relationships with them at either end. */
  readonly twinIds?: readonly string[];
  /**
   * JSON Pointers to properties (`/temperature`, `/thermostat/setPoint`). An update (Twin.Update,
   * Relationship.Update) matches when one of its patch operations touches the path, something inside it or
   * something above it; a sourceTime change (`/$metadata/temperature/sourceTime`) touches its property.
   * Telemetry matches when one of its points is named by the path (or when it carries no points to tell).
   * Every other change (creates, deletes, model changes) matches any path.
   */
  readonly paths?: readonly string[];
}

/**
 * A predicate over changes for a subscription request: each criterion given must hold (an empty list
 * matches nothing), any value within one criterion will do.
 */
export function changeFilter(request: ChangeFilterRequest): ChangePredicate {
  const tests: ChangePredicate[] = [];
  if (request.types) tests.push(typeTest(request.types));
  if (request.modelIds) {
    const models = new Set(request.modelIds);
    tests.push((change) => change.modelId !== undefined && models.has(change.modelId));
  }
  if (request.twinIds) {
    const twins = new Set(request.twinIds);
    tests.push((change) => twinsOf(change).some((id) => twins.has(id)));
  }
  if (request.paths) tests.push(pathTest(request.paths.map(checkPointer)));
  return tests.length === 1 ? tests[0] : (change) => tests.every((test) => test(change));
}

function typeTest(types: readonly string[]): ChangePredicate {
  const exact = new Set(types.filter((type) => !type.endsWith('.')));
  const prefixes = types.filter((type) => type.endsWith('.'));
  return (change) => exact.has(change.type) || prefixes.some((prefix) => change.type.startsWith(prefix));
}

function twinsOf(change: ChangeEntry): string[] {
  if (change.type.startsWith('Model.')) return [];
  const target = change.type.startsWith('Relationship.')
    ? (change.body as { $targetId?: unknown } | null)?.$targetId
    : undefined;
  return [change.twinId ?? change.subject, ...(typeof target === 'string' ? [target] : [])];
}

function pathTest(paths: readonly string[]): ChangePredicate {
  const touchesAny = (pointer: string): boolean => paths.some((path) => touches(pointer, path));
  return (change) => {
    switch (change.type) {
      case 'Twin.Update':
      case 'Relationship.Update':
        return (change.patch ?? []).some(
          (operation) => touchesAny(operation.path) || touchesProperty(operation.path, touchesAny),
        );
      case 'Telemetry': {
        const points = (change.body as { points?: unknown } | null)?.points;
        if (!Array.isArray(points)) return true;
        return points.some(
          (point: JsonValue) =>
            typeof (point as { name?: unknown })?.name === 'string' &&
            touchesAny(`/${escapeName((point as { name: string }).name)}`),
        );
      }
      default:
        return true;
    }
  };
}

/** Whether one pointer is the other, or lies inside it. */
function touches(a: string, b: string): boolean {
  if (a.length === b.length) return a === b;
  const [outer, inner] = a.length < b.length ? [a, b] : [b, a];
  return inner.startsWith(outer) && inner[outer.length] === '/';
}

/** `/$metadata/p/sourceTime` (or `/component/$metadata/p/…`) is about property `p` (of the component). */
function touchesProperty(pointer: string, touchesAny: (pointer: string) => boolean): boolean {
  const at = pointer.indexOf('/$metadata/');
  if (at < 0) return false;
  const rest = pointer.slice(at + '/$metadata/'.length);
  const end = rest.indexOf('/');
  const property = end < 0 ? rest : rest.slice(0, end);
  return property !== '' && touchesAny(`${pointer.slice(0, at)}/${property}`);
}

function escapeName(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function checkPointer(path: string): string {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/')) || /~(?![01])/.test(path)) {
    throw new TwingraphError(
      'InvalidArgument',
      `'${String(path)}' is not a JSON Pointer: write a property path like '/temperature' or '/thermostat/setPoint' (with '~1' for a '/' in a name).`,
      {
        path: String(path),
      },
    );
  }
  return path;
}
