/**
 * New ETags, in ADT's format: a weak ETag around a random (version 4) UUID, `W/"xxxxxxxx-xxxx-4xxx-yxxx-…"`.
 * Every write of a twin or a relationship makes one, so a batch of a thousand makes a thousand: the text is
 * written byte by byte into a buffer and read out as one string, from random bytes drawn for many ETags at
 * once. `W/"${randomUUID()}"` built each from some twenty joined pieces (node formats a UUID so), about
 * 600 bytes of garbage an ETag, which was a thirtieth of all a batch write allocated.
 */
import { randomFillSync } from 'node:crypto';

/** ETags made from one draw of random bytes. */
const PER_DRAW = 256;
const random = Buffer.alloc(16 * PER_DRAW);
let next = PER_DRAW;

/** `W/"` + 36 characters of UUID + `"`. */
const LENGTH = 40;
const text = Buffer.alloc(LENGTH);
text.write('W/"', 0, 'latin1');
text[LENGTH - 1] = 0x22;
/** Where each of the 16 bytes' two hex digits go in `text` (the dashes stay where they are written). */
const AT = [3, 5, 7, 9, 12, 14, 17, 19, 22, 24, 27, 29, 31, 33, 35, 37];
for (const at of [11, 16, 21, 26]) text[at] = 0x2d;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

export function newEtag(): string {
  if (next === PER_DRAW) {
    randomFillSync(random);
    next = 0;
  }
  const from = 16 * next++;
  for (let i = 0; i < 16; i++) {
    let byte = random[from + i];
    // RFC 9562: version 4 in the high nibble of byte 6, variant 10 in the high bits of byte 8.
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    text[AT[i]] = HEX[byte >> 4];
    text[AT[i] + 1] = HEX[byte & 0x0f];
  }
  return text.toString('latin1', 0, LENGTH);
}
