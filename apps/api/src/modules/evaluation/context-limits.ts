/** Bounds on what a caller may send as an evaluation context: beyond them, 400 INVALID_CONTEXT. */
export const CONTEXT_LIMITS = {
  /** Nesting of objects and arrays below the context itself. */
  depth: 4,
  /** Properties and array items in the whole context. */
  entries: 256,
  /** Characters of all keys and string values together. */
  characters: 16_384,
  /** Characters of `targetingKey`, `tenantKey` and `role`. */
  keyLength: 256,
} as const;

interface Budget {
  entries: number;
  characters: number;
}

function check(value: unknown, depth: number, budget: Budget): string | undefined {
  if (value === null || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "numbers must be finite";
  if (typeof value === "string") {
    budget.characters -= value.length;
    return budget.characters < 0 ? `the context is larger than ${CONTEXT_LIMITS.characters} characters` : undefined;
  }
  if (typeof value !== "object") return "the context holds a value that is not JSON";
  if (depth > CONTEXT_LIMITS.depth) return `the context is nested deeper than ${CONTEXT_LIMITS.depth} levels`;
  if (Array.isArray(value)) {
    budget.entries -= value.length;
    if (budget.entries < 0) return `the context has more than ${CONTEXT_LIMITS.entries} entries`;
    for (const item of value) {
      const issue = check(item, depth + 1, budget);
      if (issue) return issue;
    }
    return undefined;
  }
  for (const key in value) {
    budget.entries -= 1;
    budget.characters -= key.length;
    if (budget.entries < 0) return `the context has more than ${CONTEXT_LIMITS.entries} entries`;
    const issue = check((value as Record<string, unknown>)[key], depth + 1, budget);
    if (issue) return issue;
  }
  return budget.characters < 0 ? `the context is larger than ${CONTEXT_LIMITS.characters} characters` : undefined;
}

const KEY_FIELDS = ["targetingKey", "tenantKey", "role"] as const;

/**
 * Why a context is not acceptable, or undefined when it is: it must be a JSON object within the
 * limits, and its `targetingKey`, `tenantKey` and `role` strings when present.
 */
export function contextIssue(context: unknown): string | undefined {
  if (typeof context !== "object" || context === null || Array.isArray(context)) return "the context must be a JSON object";
  for (const field of KEY_FIELDS) {
    const value = (context as Record<string, unknown>)[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") return `${field} must be a string`;
    if (value.length > CONTEXT_LIMITS.keyLength) return `${field} is longer than ${CONTEXT_LIMITS.keyLength} characters`;
  }
  return check(context, 0, { entries: CONTEXT_LIMITS.entries, characters: CONTEXT_LIMITS.characters });
}
