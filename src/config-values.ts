/**
 * Value schemas shared by the configuration's two readers, src/config.ts and the devices feature's
 * src/devices/config.ts (which src/config.ts merges, so it cannot import from there): each checks a variable's
 * text and words its message as the words after "expected" in `VAR="value": expected …`.
 */
import * as v from 'valibot';

/** A whole number from `min` to `max`, written in decimal digits. */
export const integer = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d+$/, 'a whole number'),
    v.transform(Number),
    v.check((n) => n >= min && n <= max, `a whole number from ${min} to ${max}`),
  );

/** One of `options`: `one of "a"|"b"`. */
export function oneOf<const T extends readonly string[]>(options: T) {
  return v.picklist(options, `one of ${options.map((o) => JSON.stringify(o)).join('|')}`);
}
