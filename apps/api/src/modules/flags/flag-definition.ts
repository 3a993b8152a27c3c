import type { FieldIssue } from "@ensign/contracts/common";
import type { FlagType, Variant } from "@ensign/contracts/targeting";

/** Largest serialized JSON variant value: variants travel in every snapshot. */
export const MAX_JSON_VARIANT_BYTES = 32_768;

export const BOOLEAN_VARIANTS: Variant[] = [
  { key: "on", value: true, name: "On" },
  { key: "off", value: false, name: "Off" },
];

function valueMatches(type: FlagType, value: unknown): boolean {
  switch (type) {
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "json":
      return value !== undefined;
  }
}

/** Why the variants do not suit a flag of this type: duplicate keys, values of another type, oversized JSON. */
export function variantIssues(type: FlagType, variants: readonly Variant[], path = "body.variants"): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  variants.forEach((variant, i) => {
    if (seen.has(variant.key)) issues.push({ path: `${path}.${i}.key`, message: `duplicate variant key '${variant.key}'` });
    seen.add(variant.key);
    if (!valueMatches(type, variant.value)) {
      issues.push({ path: `${path}.${i}.value`, message: `must be a ${type === "json" ? "JSON value" : type} for a ${type} flag` });
    } else if (type === "json" && JSON.stringify(variant.value).length > MAX_JSON_VARIANT_BYTES) {
      issues.push({ path: `${path}.${i}.value`, message: `JSON values are limited to ${MAX_JSON_VARIANT_BYTES} characters` });
    }
  });
  return issues;
}

/**
 * The off and on variants of a new or edited flag. Boolean flags default them to the first
 * variant whose value is false and true; other types must name them.
 */
export function pickOnOff(
  type: FlagType,
  variants: readonly Variant[],
  requested: { offVariant?: string | undefined; onVariant?: string | undefined },
): { offVariant?: string; onVariant?: string; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const keys = new Set(variants.map((v) => v.key));
  const pick = (field: "offVariant" | "onVariant", booleanValue: boolean): string | undefined => {
    const asked = requested[field];
    if (asked !== undefined) {
      if (!keys.has(asked)) issues.push({ path: `body.${field}`, message: `'${asked}' is not one of the flag's variants` });
      return asked;
    }
    if (type === "boolean") {
      const found = variants.find((v) => v.value === booleanValue)?.key;
      if (!found) issues.push({ path: `body.${field}`, message: `no variant has the value ${booleanValue}; name the ${field}` });
      return found;
    }
    issues.push({ path: `body.${field}`, message: `is required for ${type} flags` });
    return undefined;
  };
  const offVariant = pick("offVariant", false);
  const onVariant = pick("onVariant", true);
  return { offVariant, onVariant, issues };
}

/**
 * The first cycle through `start` in the prerequisite graph, as a path that ends where it
 * began (`["a", "b", "a"]`), or undefined when there is none.
 */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>, start: string): string[] | undefined {
  const visited = new Set<string>();
  const path: string[] = [start];
  const visit = (node: string): string[] | undefined => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) return [...path, start];
      if (visited.has(next)) continue;
      visited.add(next);
      path.push(next);
      const found = visit(next);
      if (found) return found;
      path.pop();
    }
    return undefined;
  };
  return visit(start);
}
