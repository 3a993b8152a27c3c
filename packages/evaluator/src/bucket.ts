import { WEIGHT_TOTAL } from "@ensign/contracts/targeting";
import murmurhash from "murmurhash";

const encoder = new TextEncoder();

/** Reused across calls so that hashing allocates nothing for ordinary keys. */
let scratch = new Uint8Array(1024);

/** Bucket values longer than this are hashed from a fresh buffer rather than growing `scratch`. */
const SCRATCH_LIMIT = 64 * 1024;

/** The UTF-8 bytes of `<flagKey>/<salt>/`, computed once per flag at compile. */
export function bucketPrefix(flagKey: string, salt: string): Uint8Array {
  return encoder.encode(`${flagKey}/${salt}/`);
}

/**
 * The bucket, in [0, WEIGHT_TOTAL), of `murmur3_32("<flagKey>/<salt>/<value>", seed 0)` over
 * the UTF-8 bytes of the input, exactly what the `murmurhash` package's `v3` computes for the
 * same string (it encodes with TextEncoder too); here the prefix is encoded once and the
 * value written into a reused buffer.
 */
export function bucketOf(prefix: Uint8Array, value: string): number {
  const start = prefix.length;
  const worst = start + value.length * 3;
  if (worst > scratch.length) {
    if (worst > SCRATCH_LIMIT) return hashBytes(concat(prefix, encoder.encode(value)));
    scratch = new Uint8Array(worst * 2);
  }
  const buffer = scratch;
  buffer.set(prefix, 0);
  let length = start;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80) {
      length += encoder.encodeInto(value.slice(i), buffer.subarray(length)).written;
      break;
    }
    buffer[length++] = code;
  }
  return hashBytes(buffer.subarray(0, length));
}

function hashBytes(bytes: Uint8Array): number {
  return murmurhash.v3(bytes, 0) % WEIGHT_TOTAL;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
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
