import type { FieldIssue } from "@ensign/contracts/common";
import type { Condition, Serve } from "@ensign/contracts/targeting";

/** The variant keys a serve refers to. */
export function servedVariants(serve: Serve): string[] {
  return "variant" in serve ? [serve.variant] : serve.split.allocations.map((a) => a.variant);
}

/** Issues of a serve: unknown variants, a variant allocated twice in one split. */
export function serveIssues(serve: Serve, variants: ReadonlySet<string>, path: string): FieldIssue[] {
  if ("variant" in serve) {
    return variants.has(serve.variant) ? [] : [{ path: `${path}.variant`, message: `'${serve.variant}' is not one of the flag's variants` }];
  }
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  serve.split.allocations.forEach((allocation, i) => {
    const at = `${path}.split.allocations.${i}.variant`;
    if (!variants.has(allocation.variant)) issues.push({ path: at, message: `'${allocation.variant}' is not one of the flag's variants` });
    else if (seen.has(allocation.variant)) issues.push({ path: at, message: `'${allocation.variant}' is allocated twice` });
    seen.add(allocation.variant);
  });
  return issues;
}

/**
 * The segment keys a rule's conditions name (`in_segment`), each with the path of its first
 * mention, for the caller to check against the workspace. (Operator values, regex safety
 * included, are the contract's `Condition` to check.)
 */
export function segmentReferences(conditions: readonly Condition[], path: string): Map<string, string> {
  const segments = new Map<string, string>();
  conditions.forEach((condition, i) => {
    if (condition.operator !== "in_segment") return;
    condition.values.forEach((value, j) => {
      if (typeof value === "string" && !segments.has(value)) segments.set(value, `${path}.${i}.values.${j}`);
    });
  });
  return segments;
}
