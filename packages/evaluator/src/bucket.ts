import { WEIGHT_TOTAL } from "@ensign/contracts/targeting";

/**
 * Split buckets: `murmur3_32("<flagKey>/<salt>/<value>", seed 0) mod 100000` over the UTF-8
 * bytes of the input. The result is bit for bit what the `murmurhash` npm package's `v3`
 * returns for the same string (it encodes with TextEncoder; a property test holds the two
 * equal on arbitrary Unicode, lone surrogates included). It is computed here rather than by
 * calling the package because the package allocates an encoder and a byte array per call,
 * about 0.5 µs; instead the fixed `<flagKey>/<salt>/` prefix is absorbed once at compile and
 * each evaluation feeds only the value's bytes, straight from its UTF-16 code units.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** The hash state after the prefix: whole blocks mixed into `h`, up to three bytes pending in `k`. */
export interface BucketPrefix {
  readonly h: number;
  readonly k: number;
  /** Bytes pending in `k`, 0 to 3. */
  readonly n: number;
  /** Bytes absorbed so far. */
  readonly length: number;
}

/** Absorbs `<flagKey>/<salt>/` once per flag, at compile. */
export function bucketPrefix(flagKey: string, salt: string): BucketPrefix {
  const bytes = new TextEncoder().encode(`${flagKey}/${salt}/`);
  let h = 0;
  const whole = bytes.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    h = mix(h, (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
  }
  let k = 0;
  for (let i = whole; i < bytes.length; i++) k |= (bytes[i] as number) << ((i - whole) << 3);
  return { h, k, n: bytes.length - whole, length: bytes.length };
}

function mix(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, C2);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The bucket, in [0, WEIGHT_TOTAL), of a value under a flag's prefix. Allocates nothing. */
export function bucketOf(prefix: BucketPrefix, value: string): number {
  let h = prefix.h;
  let k = prefix.k;
  let n = prefix.n;
  let length = prefix.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) {
      // ASCII, nearly every key: one byte, no encoding loop.
      k |= unit << (n << 3);
      length++;
      if (++n === 4) {
        h = mix(h, k);
        k = 0;
        n = 0;
      }
      continue;
    }
    let bytes: number;
    let count: number;
    if (unit < 0x800) {
      bytes = (0xc0 | (unit >> 6)) | ((0x80 | (unit & 0x3f)) << 8);
      count = 2;
    } else {
      let point = unit;
      const next = value.charCodeAt(i + 1);
      if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        point = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else if (unit >= 0xd800 && unit <= 0xdfff) {
        point = 0xfffd; // what TextEncoder writes for a lone surrogate
      }
      if (point >= 0x10000) {
        bytes = (0xf0 | (point >> 18)) | ((0x80 | ((point >> 12) & 0x3f)) << 8) | ((0x80 | ((point >> 6) & 0x3f)) << 16) | ((0x80 | (point & 0x3f)) << 24);
        count = 4;
      } else {
        bytes = (0xe0 | (point >> 12)) | ((0x80 | ((point >> 6) & 0x3f)) << 8) | ((0x80 | (point & 0x3f)) << 16);
        count = 3;
      }
    }
    length += count;
    for (let j = 0; j < count; j++) {
      k |= ((bytes >>> (j << 3)) & 0xff) << (n << 3);
      if (++n === 4) {
        h = mix(h, k);
        k = 0;
        n = 0;
      }
    }
  }
  if (n > 0) {
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  // `%` on a uint32 above 2^31 is a floating-point fmod, a slow runtime call; this is exact
  // here because the quotient is never within rounding distance of the next integer.
  const unsigned = h >>> 0;
  return unsigned - Math.floor(unsigned / WEIGHT_TOTAL) * WEIGHT_TOTAL;
}

/**
 * The string a context value buckets by: strings as they are, numbers and booleans in their
 * JSON form; `undefined` for anything else and for the empty string, so that contexts without
 * a usable value are never lumped into one bucket.
 */
export function bucketValue(value: unknown): string | undefined {
  if (typeof value === "string") return value.length > 0 ? value : undefined;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === "boolean") return value ? "true" : "false";
  return undefined;
}
