/**
 * CBOR (RFC 8949), as far as DTDL values need it: integers, floats (half, single, double), text, arrays,
 * maps with text keys, booleans, null, and tags (the tagged value is kept, so a tag-1 epoch time is its
 * number). Byte strings, non-text map keys and integers beyond 2^53 have no DTDL value and are refused.
 * Definite and indefinite lengths are read; writing uses definite lengths and the shortest integer heads.
 *
 * A payload comes from the network: every length is checked against the bytes left before anything is
 * allocated, nesting is bounded, and a problem is a CborError with the offset, never a crash.
 */
import type { JsonValue } from '../store/types';

export class CborError extends Error {
  override readonly name = 'CborError';
}

const MAX_DEPTH = 64;
const BREAK = Symbol('break');

export function decodeCbor(bytes: Uint8Array): JsonValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const fail = (why: string): never => {
    throw new CborError(`CBOR at byte ${at}: ${why}`);
  };
  const need = (n: number): void => {
    if (n > bytes.length - at) fail(`${n} more bytes needed, ${bytes.length - at} left`);
  };
  const argument = (info: number): number => {
    if (info < 24) return info;
    switch (info) {
      case 24:
        need(1);
        return bytes[at++];
      case 25:
        need(2);
        at += 2;
        return view.getUint16(at - 2);
      case 26:
        need(4);
        at += 4;
        return view.getUint32(at - 4);
      case 27: {
        need(8);
        const big = view.getBigUint64(at);
        at += 8;
        if (big > BigInt(Number.MAX_SAFE_INTEGER)) fail('an integer beyond 2^53 has no exact JSON number');
        return Number(big);
      }
      default:
        return fail(`additional information ${info} is reserved`);
    }
  };
  const text = (length: number): string => {
    need(length);
    const s = Buffer.from(bytes.buffer, bytes.byteOffset + at, length).toString('utf8');
    at += length;
    return s;
  };
  const item = (depth: number): JsonValue | typeof BREAK => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH}`);
    need(1);
    const head = bytes[at++];
    const major = head >> 5;
    const info = head & 0x1f;
    if (info === 31) {
      // Indefinite length: a sequence of items (or chunks) closed by the break byte.
      if (major === 3) {
        let s = '';
        for (;;) {
          need(1);
          if (bytes[at] === 0xff) {
            at++;
            return s;
          }
          const chunk = bytes[at++];
          if (chunk >> 5 !== 3 || (chunk & 0x1f) === 31)
            fail('an indefinite text string holds a chunk that is not text');
          s += text(argument(chunk & 0x1f));
        }
      }
      if (major === 4) {
        const list: JsonValue[] = [];
        for (;;) {
          const v = item(depth + 1);
          if (v === BREAK) return list;
          list.push(v);
        }
      }
      if (major === 5) {
        const map: Record<string, JsonValue> = {};
        for (;;) {
          const k = item(depth + 1);
          if (k === BREAK) return map;
          if (typeof k !== 'string') fail('a map key is not text');
          const v = item(depth + 1);
          if (v === BREAK) fail('a map ends after a key');
          setMember(map, k as string, v as JsonValue);
        }
      }
      if (major === 7) return BREAK;
      return fail(`major type ${major} cannot have an indefinite length`);
    }
    switch (major) {
      case 0:
        return argument(info);
      case 1:
        return -1 - argument(info);
      case 2:
        return fail('a byte string has no DTDL value');
      case 3:
        return text(argument(info));
      case 4: {
        const n = argument(info);
        // Every item takes at least one byte: a longer count is a lie, refused before allocating.
        need(n);
        const list: JsonValue[] = [];
        for (let i = 0; i < n; i++) list.push(definite(item(depth + 1)));
        return list;
      }
      case 5: {
        const n = argument(info);
        need(n * 2);
        const map: Record<string, JsonValue> = {};
        for (let i = 0; i < n; i++) {
          const k = definite(item(depth + 1));
          if (typeof k !== 'string') fail('a map key is not text');
          setMember(map, k as string, definite(item(depth + 1)));
        }
        return map;
      }
      case 6:
        argument(info);
        return definite(item(depth + 1));
      default:
        return simple(info);
    }
  };
  const definite = (v: JsonValue | typeof BREAK): JsonValue => (v === BREAK ? fail('an unexpected break') : v);
  const simple = (info: number): JsonValue => {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
      case 23:
        return null;
      case 25:
        need(2);
        at += 2;
        return half(view.getUint16(at - 2));
      case 26:
        need(4);
        at += 4;
        return finite(view.getFloat32(at - 4));
      case 27:
        need(8);
        at += 8;
        return finite(view.getFloat64(at - 8));
      default:
        return fail(`simple value ${info} has no DTDL value`);
    }
  };
  const finite = (x: number): number => (Number.isFinite(x) ? x : fail('NaN and infinities have no JSON number'));
  const half = (h: number): number => {
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    const sign = h & 0x8000 ? -1 : 1;
    if (exponent === 31) return fail('NaN and infinities have no JSON number');
    if (exponent === 0) return sign * mantissa * 2 ** -24;
    return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  };
  const value = definite(item(0));
  if (at !== bytes.length) fail(`${bytes.length - at} bytes follow the value`);
  return value;
}

/** A member set as data, whatever its name (`__proto__` included), as JSON.parse does. */
function setMember(map: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

export function encodeCbor(value: JsonValue): Buffer {
  const chunks: Buffer[] = [];
  const head = (major: number, n: number): void => {
    if (n < 24) chunks.push(Buffer.from([(major << 5) | n]));
    else if (n < 0x100) chunks.push(Buffer.from([(major << 5) | 24, n]));
    else if (n < 0x10000) {
      const b = Buffer.alloc(3);
      b[0] = (major << 5) | 25;
      b.writeUInt16BE(n, 1);
      chunks.push(b);
    } else if (n < 0x100000000) {
      const b = Buffer.alloc(5);
      b[0] = (major << 5) | 26;
      b.writeUInt32BE(n, 1);
      chunks.push(b);
    } else {
      const b = Buffer.alloc(9);
      b[0] = (major << 5) | 27;
      b.writeBigUInt64BE(BigInt(n), 1);
      chunks.push(b);
    }
  };
  const write = (v: JsonValue): void => {
    if (v === null) chunks.push(Buffer.from([0xf6]));
    else if (v === true) chunks.push(Buffer.from([0xf5]));
    else if (v === false) chunks.push(Buffer.from([0xf4]));
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) head(v < 0 ? 1 : 0, v < 0 ? -1 - v : v);
      else {
        const b = Buffer.alloc(9);
        b[0] = 0xfb;
        b.writeDoubleBE(v, 1);
        chunks.push(b);
      }
    } else if (typeof v === 'string') {
      const b = Buffer.from(v, 'utf8');
      head(3, b.length);
      chunks.push(b);
    } else if (Array.isArray(v)) {
      head(4, v.length);
      v.forEach(write);
    } else {
      const entries = Object.entries(v);
      head(5, entries.length);
      for (const [k, x] of entries) {
        write(k);
        write(x);
      }
    }
  };
  write(value);
  return Buffer.concat(chunks);
}
