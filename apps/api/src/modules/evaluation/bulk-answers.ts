import type { EvaluationResult } from "@ensign/contracts/evaluation";
import type { CompiledSnapshot } from "@ensign/evaluator";
import { detailFor, serializeResult, type Audience } from "../ofrep/ofrep.schemas";
import { bodyBuffer } from "./body-buffers";

/**
 * How every flag's answer for one context is written:
 * - `ofrep`: OFREP bulk items, `{"key":…,"value":…,"reason":…,"variant":…,"metadata":{…}}`, as
 *   `audience` may see them (client keys see no rule ids);
 * - `portal` / `portal-camel`: the portal endpoint's members, `"key":{"value":…,"variant":…,"reason":…}`,
 *   with the flag keys as they are or camel-cased.
 */
export type BulkFormat = "ofrep-server" | "ofrep-client" | "portal" | "portal-camel";

/** One answer a flag gives, already written in one format, with the fingerprint of that text. */
interface Outcome {
  /** The result it was written from: the evaluator hands out the same result object for the same answer. */
  result: EvaluationResult;
  detail: string;
  variant: string | undefined;
  reason: string;
  value: unknown;
  /**
   * Where the member's UTF-8 bytes after a comma (`,{…}`) are: `length` bytes at `offset` of
   * `chunk`. A body is these bytes copied one after the other into one buffer, never a string of
   * the whole body (a string past 128 KiB costs V8 a large-object allocation each time it is
   * flattened, which is milliseconds, not microseconds). Answers are written into shared chunks
   * in the order they are first given, so the answers of consecutive flags usually sit side by
   * side and a body is copied in a few runs, not one copy per flag.
   */
  chunk: Buffer;
  offset: number;
  length: number;
  /** The same bytes as a view of their own, for a member copied alone. */
  bytes: Buffer;
  /** Two 32-bit hashes of `json`: the outcome's identity in ETags, the same on every replica. */
  hashA: number;
  hashB: number;
}

/** Answers remembered per flag, per format; a flag serves few distinct answers (its variants under its rules). */
const OUTCOMES_PER_FLAG = 16;

/** The answers written for one snapshot in one format, and the chunk the next one goes in. */
interface Written {
  /** Slot `i`: the answers written so far for the snapshot's `i`-th active flag (the `i`-th result of every bulk evaluation). */
  slots: Outcome[][];
  chunk: Buffer;
  used: number;
}

/**
 * Chunks answers are written into: the first small (an environment of ten flags needs about a
 * kilobyte), each next one twice the last, up to the largest; an answer larger than that gets
 * a chunk of its own size.
 */
const FIRST_CHUNK_BYTES = 4 * 1024;
const LARGEST_CHUNK_BYTES = 64 * 1024;

/**
 * Per compiled snapshot, per format. Kept with the snapshot and dropped with it, so an answer of
 * an older version is never reused.
 */
const written = new WeakMap<CompiledSnapshot, Map<BulkFormat, Written>>();

/** The member's bytes (`,` and `json`) put in `into`'s chunk, a new chunk when it is full. */
function place(into: Written, json: string): { chunk: Buffer; offset: number; length: number; bytes: Buffer } {
  const length = 1 + Buffer.byteLength(json);
  if (into.used + length > into.chunk.length) {
    into.chunk = Buffer.allocUnsafeSlow(Math.max(Math.min(into.chunk.length * 2, LARGEST_CHUNK_BYTES), length));
    into.used = 0;
  }
  const { chunk } = into;
  const offset = into.used;
  chunk[offset] = 0x2c; // ","
  chunk.write(json, offset + 1);
  into.used += length;
  return { chunk, offset, length, bytes: chunk.subarray(offset, offset + length) };
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Two independent 32-bit FNV-1a hashes of a string's UTF-16 units (together, 64 bits). */
function hashPair(text: string, seedA = FNV_OFFSET, seedB = 0x9747b28c): [number, number] {
  let a = seedA;
  let b = seedB;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, FNV_PRIME);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, b >>> 0];
}

const camelCache = new Map<string, string>();
/** `knowledge_base_enabled` → `knowledgeBaseEnabled` (also after `-` and `.`). */
export function camelKey(key: string): string {
  let camel = camelCache.get(key);
  if (camel === undefined) {
    camel = key.replace(/[_.-]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (camelCache.size < 100_000) camelCache.set(key, camel);
  }
  return camel;
}

/** The portal's member for one result: `"key":{"value":…,"variant":…,"reason":…}`. */
function portalMember(result: EvaluationResult, isCamel: boolean): string {
  const key = JSON.stringify(isCamel ? camelKey(result.key) : result.key);
  const variant = result.variant === undefined ? "" : `,"variant":${JSON.stringify(result.variant)}`;
  return `${key}:{"value":${JSON.stringify(result.value ?? null)}${variant},"reason":${JSON.stringify(result.reason)}}`;
}

function write(result: EvaluationResult, format: BulkFormat): string {
  switch (format) {
    case "ofrep-server":
      return serializeResult(result, "server");
    case "ofrep-client":
      return serializeResult(result, "client");
    case "portal":
      return portalMember(result, false);
    case "portal-camel":
      return portalMember(result, true);
  }
}

const audienceOf = (format: BulkFormat): Audience => (format === "ofrep-client" ? "client" : "server");

/**
 * The written answer of `result`, the snapshot's `index`-th active flag: found among the answers
 * this flag gave before (the same result object — the evaluator shares one per answer, frozen —
 * or the same detail, variant, reason and primitive value: everything the text is made of), else
 * written now and remembered. An object value in a result that is not shared is written each time.
 */
function outcomeOf(into: Written, index: number, result: EvaluationResult, format: BulkFormat): Outcome {
  const { slots } = into;
  let slot = slots[index];
  if (slot !== undefined) {
    for (let i = 0; i < slot.length; i++) if (slot[i]!.result === result) return slot[i]!;
  }
  const { value, variant, reason } = result;
  const detail = format === "ofrep-client" || format === "ofrep-server" ? detailFor(result.detail, audienceOf(format)) : "";
  const isPrimitive = typeof value !== "object" || value === null;
  if (isPrimitive && slot !== undefined) {
    for (let i = 0; i < slot.length; i++) {
      const outcome = slot[i]!;
      if (outcome.value === value && outcome.reason === reason && outcome.variant === variant && outcome.detail === detail && result.errorCode === undefined) return outcome;
    }
  }
  const json = write(result, format);
  const [hashA, hashB] = hashPair(json);
  const isKept = (isPrimitive || Object.isFrozen(result)) && result.errorCode === undefined;
  // An answer that is not kept is written for this body alone, outside the shared chunks.
  const alone = isKept ? undefined : Buffer.from(`,${json}`);
  const bytes = alone ? { chunk: alone, offset: 0, length: alone.length, bytes: alone } : place(into, json);
  const outcome: Outcome = { result, detail, variant, reason, value, ...bytes, hashA, hashB };
  if (isKept) {
    if (slot === undefined) slots[index] = slot = [];
    if (slot.length >= OUTCOMES_PER_FLAG) slot.shift();
    slot.push(outcome);
  }
  return outcome;
}

/** A bulk answer: its ETag is known before its body is written, so a 304 writes nothing. */
export interface BulkAnswer {
  /** A strong ETag that changes exactly when the body would: the answers, in order, and `extra`. */
  etag: string;
  /**
   * The body's UTF-8 bytes: the members, comma-separated, between `head` and `tail`. A large body
   * is written into a buffer used again: send it, then `recycleWhenSent`.
   */
  body(): Buffer;
}

/**
 * Every flag's answer for one context, in `format`: `results` are the snapshot's bulk evaluation
 * (one per active flag, in order). Each distinct answer a flag gives is written once per snapshot
 * and reused; the ETag combines the fingerprints of the answers given, not a hash of the body.
 * `head` and `tail` wrap the members (their text is part of the ETag).
 */
export function bulkAnswer(compiled: CompiledSnapshot, results: readonly EvaluationResult[], format: BulkFormat, head: string, tail: string): BulkAnswer {
  let formats = written.get(compiled);
  if (formats === undefined) written.set(compiled, (formats = new Map()));
  let into = formats.get(format);
  if (into === undefined) formats.set(format, (into = { slots: [], chunk: Buffer.allocUnsafeSlow(FIRST_CHUNK_BYTES), used: 0 }));

  const outcomes: Outcome[] = new Array<Outcome>(results.length);
  let [a, b] = hashPair(tail, ...hashPair(head));
  for (let i = 0; i < results.length; i++) {
    const outcome = outcomeOf(into, i, results[i]!, format);
    outcomes[i] = outcome;
    a = Math.imul(a ^ outcome.hashA, FNV_PRIME);
    b = Math.imul((b ^ outcome.hashB) + i, 0x5bd1e995);
    b ^= b >>> 13;
  }
  const etag = `"${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}-${results.length.toString(36)}"`;
  return {
    etag,
    body() {
      const headLength = Buffer.byteLength(head);
      let length = headLength + Buffer.byteLength(tail);
      for (let i = 0; i < outcomes.length; i++) length += outcomes[i]!.length;
      // The first member goes without its comma.
      if (outcomes.length > 0) length -= 1;
      const body = bodyBuffer(length);
      body.write(head, 0);
      let at = headLength;
      // Members side by side in one chunk are copied as one run; a member alone from its own view.
      let first = -1;
      let runEnd = 0;
      const copyRun = (last: number) => {
        const outcome = outcomes[first]!;
        // The first member goes without its comma.
        const skip = first === 0 ? 1 : 0;
        if (first === last && skip === 0) {
          body.set(outcome.bytes, at);
          at += outcome.length;
          return;
        }
        const start = outcome.offset + skip;
        body.set(new Uint8Array(outcome.chunk.buffer, outcome.chunk.byteOffset + start, runEnd - start), at);
        at += runEnd - start;
      };
      for (let i = 0; i < outcomes.length; i++) {
        const outcome = outcomes[i]!;
        if (first >= 0 && outcome.chunk === outcomes[first]!.chunk && outcome.offset === runEnd) {
          runEnd += outcome.length;
          continue;
        }
        if (first >= 0) copyRun(i - 1);
        first = i;
        runEnd = outcome.offset + outcome.length;
      }
      if (first >= 0) copyRun(outcomes.length - 1);
      body.write(tail, at);
      return body;
    },
  };
}
