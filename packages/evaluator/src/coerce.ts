/**
 * Equality compares canonical strings, so `"5"` equals `5` and `"true"` equals `true`:
 * rule values typed into a form and context values sent as JSON meet halfway.
 */
export function canonical(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === "boolean") return value ? "true" : "false";
  return undefined;
}

/** Numbers, and strings that spell a number, compare; anything else is unusable (`NaN`). */
export function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim().length > 0) return Number(value);
  return Number.NaN;
}
