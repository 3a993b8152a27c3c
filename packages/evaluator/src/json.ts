import type { FlagType, JsonValue } from "@ensign/contracts/targeting";

/** Deeper than this, stored data is not something a flag or trait legitimately holds. */
const MAX_DEPTH = 64;

/**
 * A frozen deep copy of `value` when it is JSON, else `undefined`. Copying isolates the
 * compiled form from later changes to the caller's snapshot; freezing lets results share it.
 * Own enumerable string keys only, so getters on prototypes and symbols are never copied.
 */
export function frozenJson(value: unknown, depth = 0): JsonValue | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "object" || depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const items: JsonValue[] = [];
    for (const item of value as unknown[]) {
      const copy = frozenJson(item, depth + 1);
      if (copy === undefined) return undefined;
      items.push(copy);
    }
    return Object.freeze(items) as JsonValue[];
  }
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) {
    const copy = frozenJson((value as Record<string, unknown>)[key], depth + 1);
    if (copy === undefined) return undefined;
    defineOwn(out, key, copy);
  }
  return Object.freeze(out);
}

/**
 * Copies the JSON-representable own attributes of a record (a tenant's attributes, an
 * identity's traits); attributes that are not JSON are dropped rather than failing the record.
 */
export function jsonRecord(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return out;
  for (const key of Object.keys(value)) {
    const copy = frozenJson((value as Record<string, unknown>)[key], 1);
    if (copy !== undefined) defineOwn(out, key, copy);
  }
  return Object.freeze(out);
}

/** Assignment would treat a `__proto__` key as the prototype; a data property keeps it data. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Whether a value has the given flag type. `json` takes any JSON value, `null` included. */
export function hasFlagType(value: JsonValue, type: FlagType): boolean {
  switch (type) {
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number";
    default:
      return true;
  }
}

/** Prerequisite truthiness: `true`, a non-empty string, a non-zero number, any non-null JSON. */
export function isTruthy(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") return value.length > 0;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  return value !== null && value !== undefined;
}

/** Structural equality of two JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  for (const key of aKeys) {
    if (!Object.hasOwn(b, key)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** A short, never-throwing rendering of a value for trace messages. */
export function show(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) text = typeof value;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The message of anything thrown, without ever throwing itself. */
export function errorText(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return "an unreadable error";
  }
}
