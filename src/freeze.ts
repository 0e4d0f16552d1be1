/**
 * Freezes a value all the way down (Maps' values included). Values shared between callers — the model set,
 * change-log entries handed to every subscriber, cached twins — are frozen so that none can change what the
 * others see.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) for (const v of value.values()) deepFreeze(v);
    else for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
