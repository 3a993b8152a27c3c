import type { EvaluationResult } from "@ensign/contracts/evaluation";
import type { CompiledSnapshot } from "@ensign/evaluator";
import { detailFor, serializeResult, type Audience } from "../ofrep/ofrep.schemas";

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
   * The member's UTF-8 bytes after a comma (`,{…}`): a body is these bytes copied one after the
   * other into one buffer, never a string of the whole body (a string past 128 KiB costs V8 a
   * large-object allocation each time it is flattened, which is milliseconds, not microseconds).
   */
  bytes: Buffer;
  /** Two 32-bit hashes of `json`: the outcome's identity in ETags, the same on every replica. */
  hashA: number;
  hashB: number;
}

/** Answers remembered per flag, per format; a flag serves few distinct answers (its variants under its rules). */
const OUTCOMES_PER_FLAG = 16;

/**
 * Per compiled snapshot, per format: slot `i` holds the answers written so far for the snapshot's
 * `i`-th active flag, which is the `i`-th result of every bulk evaluation of that snapshot. Kept
 * with the snapshot and dropped with it, so an answer of an older version is never reused.
 */
const written = new WeakMap<CompiledSnapshot, Map<BulkFormat, Outcome[][]>>();

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
function outcomeOf(slots: Outcome[][], index: number, result: EvaluationResult, format: BulkFormat): Outcome {
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
  const outcome: Outcome = { result, detail, variant, reason, value, bytes: Buffer.from(`,${json}`), hashA, hashB };
  if ((isPrimitive || Object.isFrozen(result)) && result.errorCode === undefined) {
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
  /** The body's UTF-8 bytes: the members, comma-separated, between `head` and `tail`. */
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
  let slots = formats.get(format);
  if (slots === undefined) formats.set(format, (slots = []));

  const outcomes: Outcome[] = new Array<Outcome>(results.length);
  let [a, b] = hashPair(tail, ...hashPair(head));
  for (let i = 0; i < results.length; i++) {
    const outcome = outcomeOf(slots, i, results[i]!, format);
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
      for (let i = 0; i < outcomes.length; i++) length += outcomes[i]!.bytes.length;
      // The first member goes without its comma.
      if (outcomes.length > 0) length -= 1;
      const body = Buffer.allocUnsafe(length);
      body.write(head, 0);
      let at = headLength;
      for (let i = 0; i < outcomes.length; i++) {
        const bytes = outcomes[i]!.bytes;
        body.set(i === 0 ? bytes.subarray(1) : bytes, at);
        at += i === 0 ? bytes.length - 1 : bytes.length;
      }
      body.write(tail, at);
      return body;
    },
  };
}
