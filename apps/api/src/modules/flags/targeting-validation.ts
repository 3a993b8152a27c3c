import type { FieldIssue } from "@ensign/contracts/common";
import type { Condition, Serve } from "@ensign/contracts/targeting";
import safeRegex from "safe-regex2";

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
 * Issues of a rule's conditions the contract cannot see on its own: regular expressions that
 * could backtrack catastrophically. Also collects the segment keys they name, for the caller to
 * check against the workspace.
 */
export function conditionIssues(conditions: readonly Condition[], path: string): { issues: FieldIssue[]; segments: Map<string, string> } {
  const issues: FieldIssue[] = [];
  const segments = new Map<string, string>();
  conditions.forEach((condition, i) => {
    const at = `${path}.${i}.values`;
    if (condition.operator === "matches") {
      const pattern = condition.values[0];
      if (typeof pattern === "string" && !safeRegex(pattern)) {
        issues.push({ path: at, message: "this regular expression could take exponential time (nested or overlapping repetition)" });
      }
    }
    if (condition.operator === "in_segment") {
      condition.values.forEach((value, j) => {
        if (typeof value === "string" && !segments.has(value)) segments.set(value, `${at}.${j}`);
      });
    }
  });
  return { issues, segments };
}
