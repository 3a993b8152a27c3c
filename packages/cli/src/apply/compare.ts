import type { Rule, RuleBody, Serve, Variant } from "@ensign/contracts/targeting";
import { canonicalServe, describeServe } from "../serve";

/** JSON with object keys sorted: equal values give equal text. */
export function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

export const same = (a: unknown, b: unknown) => stable(a) === stable(b);

/** A rule as it means: no id, no empty name, `negate` only when true, the serve canonical. */
export function canonicalRule(rule: RuleBody | Rule) {
  return {
    ...(rule.name ? { name: rule.name } : {}),
    conditions: rule.conditions.map((c) => ({ attribute: c.attribute, operator: c.operator, values: c.values, ...(c.negate ? { negate: true } : {}) })),
    serve: canonicalServe(rule.serve),
  };
}

export function canonicalVariant(v: Variant) {
  return { key: v.key, value: v.value, ...(v.name ? { name: v.name } : {}), ...(v.description ? { description: v.description } : {}) };
}

export const sortedList = (list: readonly string[]) => [...list].sort();

/** How a value reads in a diff. */
export function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  if (value === null) return "none";
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[${value.map((v) => (typeof v === "string" ? v : stable(v))).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  return stable(value);
}

export const showServe = (serve: Serve | undefined) => (serve ? describeServe(serve) : "(unset)");

export function showRules(rules: (RuleBody | Rule)[]): string {
  if (rules.length === 0) return "no rules";
  return rules
    .map((r) => {
      const conditions = r.conditions.map((c) => `${c.negate ? "not " : ""}${c.attribute} ${c.operator} ${c.values.join("|")}`).join(" and ") || "everyone";
      return `${r.name ? `${r.name}: ` : ""}${conditions} -> ${describeServe(r.serve)}`;
    })
    .join("; ");
}
