/**
 * Entries the feed hands out are shared by every subscriber that receives them, so none may change what the
 * others see: they are frozen, all the way down, once when read.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
