import type { PortalFlag, PortalFlagsResponse } from "@ensign/contracts/portal";
import type { FlagType } from "@ensign/contracts/targeting";
import { EnsignError, type FlagDetails, type FlagErrorCode, type FlagValue } from "./types";

const REASONS = new Set(["STATIC", "TARGETING_MATCH", "SPLIT", "DEFAULT", "DISABLED", "ERROR"]);

/** The type a getter asks for; `json` accepts any value. */
export type ExpectedType = FlagType;

/** Whether `value` is of the type a getter asked for. */
export function isOfType(value: unknown, expected: ExpectedType | undefined): boolean {
  if (expected === undefined || expected === "json") return value !== undefined;
  return typeof value === expected && (expected !== "number" || Number.isFinite(value));
}

/** The flag type a default value implies, for getters that take any type. */
export function typeOfDefault(value: unknown): ExpectedType | undefined {
  if (typeof value === "boolean" || typeof value === "string" || typeof value === "number") return typeof value as ExpectedType;
  return undefined;
}

/** The caller's default with reason `ERROR`, and the error to report. */
export function failure<T>(key: string, defaultValue: T, errorCode: FlagErrorCode, errorMessage: string): FlagDetails<T> {
  return { key, value: defaultValue, reason: "ERROR", errorCode, errorMessage };
}

/**
 * A stored remote answer as a getter's result: the value when it has the asked type, the
 * default otherwise (unknown flag, type mismatch, a server-side error).
 */
export function detailsOf<T>(key: string, stored: PortalFlag | undefined, defaultValue: T, expected: ExpectedType | undefined): FlagDetails<T> {
  if (stored === undefined) return failure(key, defaultValue, "FLAG_NOT_FOUND", `No flag '${key}' for this context`);
  if (stored.reason === "ERROR" || stored.value === null) return failure(key, defaultValue, "GENERAL", `Flag '${key}' could not be evaluated by the server`);
  if (!isOfType(stored.value, expected)) {
    return failure(key, defaultValue, "TYPE_MISMATCH", `Flag '${key}' is a ${typeof stored.value}, not a ${expected}`);
  }
  const details: FlagDetails<T> = { key, value: stored.value as T, reason: stored.reason };
  if (stored.variant !== undefined) details.variant = stored.variant;
  return details;
}

/** The SDK error to emit for a getter that fell back to its default. */
export function errorOf(details: FlagDetails<unknown>): EnsignError | undefined {
  if (!details.errorCode) return undefined;
  const code = details.errorCode === "FLAG_NOT_FOUND" ? "FLAG_NOT_FOUND" : details.errorCode === "TYPE_MISMATCH" ? "TYPE_MISMATCH" : details.errorCode === "INVALID_CONTEXT" ? "INVALID_CONTEXT" : "EVALUATION";
  return new EnsignError(code, details.errorMessage ?? details.errorCode, { key: details.key });
}

/** Checks a `GET /v1/flags` body without pulling a schema library into browsers. */
export function parsePortalFlags(body: unknown): PortalFlagsResponse | undefined {
  if (!isRecord(body) || typeof body.environment !== "string" || !Number.isInteger(body.version) || !isRecord(body.flags)) return undefined;
  const flags: Record<string, PortalFlag> = {};
  for (const [key, flag] of Object.entries(body.flags)) {
    if (!isRecord(flag) || !("value" in flag) || typeof flag.reason !== "string" || !REASONS.has(flag.reason)) return undefined;
    if (flag.variant !== undefined && typeof flag.variant !== "string") return undefined;
    flags[key] = flag as PortalFlag;
  }
  return { environment: body.environment, version: body.version as number, flags };
}

/** Bootstrap values: a whole `/v1/flags` answer (as the server rendered with), or plain values. */
export function bootstrapOf(bootstrap: PortalFlagsResponse | Record<string, FlagValue>): PortalFlagsResponse {
  const parsed = parsePortalFlags(bootstrap);
  if (parsed) return parsed;
  const flags: Record<string, PortalFlag> = {};
  for (const [key, value] of Object.entries(bootstrap)) flags[key] = { value, reason: "STATIC" };
  return { environment: "", version: -1, flags };
}

/** Keys whose value or variant differ between two answers (added and removed included). */
export function changedKeys(before: Record<string, PortalFlag>, after: Record<string, PortalFlag>): string[] {
  const keys: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key];
    const b = after[key];
    if (!a || !b || a.variant !== b.variant || a.reason !== b.reason || !sameJson(a.value, b.value)) keys.push(key);
  }
  return keys;
}

/** Structural equality of JSON values. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A stable string for a context, to compare and cache by it. */
export function contextId(context: object | undefined): string {
  return context ? JSON.stringify(sorted(context)) : "";
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key])]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
