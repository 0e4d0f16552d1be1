/**
 * Freezes a value all the way down (Maps' values included). Values shared between callers — the model set,
 * change-log entries handed to every subscriber, cached twins — are frozen so that none can change what the
 * others see. A frozen object is not entered again: everything below it was frozen with it, so a twin
 * written from a cached one freezes only what the write made.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) freezeObject(value);
  return value;
}

const hasOwn = Object.prototype.hasOwnProperty;

function freezeObject(value: object): void {
  Object.freeze(value);
  if (value instanceof Map) {
    for (const v of value.values()) deepFreeze(v);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) freezeObject(v);
    }
  } else {
    // Own keys by for…in: the same properties as Object.keys, and no array made for each object.
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (!hasOwn.call(record, key)) continue;
      const v = record[key];
      if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) freezeObject(v);
    }
  }
}
