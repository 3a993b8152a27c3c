import validSemver from "semver/functions/valid.js";
import { z } from "zod";
import { Key } from "./common";
import { REGEX_LIMITS, compilePattern } from "./regex";

export const FLAG_TYPES = ["boolean", "string", "number", "json"] as const;
export const FlagType = z.enum(FLAG_TYPES);
export type FlagType = z.infer<typeof FlagType>;

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const JsonValue: z.ZodType<JsonValue> = z.json();

export const VariantKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "variant keys use letters, digits, '_', '.', '-' (max 64)");

export const Variant = z.object({
  key: VariantKey,
  value: JsonValue,
  name: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
});
export type Variant = z.infer<typeof Variant>;

export const OPERATORS = [
  "in",
  "not_in",
  "equals",
  "contains",
  "starts_with",
  "ends_with",
  "matches",
  "lt",
  "lte",
  "gt",
  "gte",
  "before",
  "after",
  "semver_eq",
  "semver_lt",
  "semver_gt",
  "exists",
  "in_segment",
  "percentage",
  "role_at_least",
] as const;
export const Operator = z.enum(OPERATORS);
export type Operator = z.infer<typeof Operator>;

/** Upper bounds that keep evaluation cheap and safe. */
export const LIMITS = {
  regexLength: REGEX_LIMITS.patternLength,
  regexInputLength: 1024,
  conditionValues: 1000,
  conditionValueLength: 1024,
  conditionsPerRule: 50,
  rulesPerFlag: 200,
  variantsPerFlag: 100,
  listEntries: 10_000,
} as const;

/** Context attribute names; `tenant.<name>` reads the tenant's stored attributes. */
export const AttributeName = z.string().regex(/^[A-Za-z_$][A-Za-z0-9_.$-]{0,127}$/, "attribute names use letters, digits, '_', '.', '$', '-' (max 128)");

export const ConditionValue = z.union([z.string().max(LIMITS.conditionValueLength), z.number().finite(), z.boolean()]);
export type ConditionValue = z.infer<typeof ConditionValue>;

/** `now`, `now-7d`, `now+12h`: a time relative to the moment of evaluation. */
export const RELATIVE_DATE_PATTERN = /^now(?:([+-])(\d{1,6})([smhdw]))?$/;

export const Condition = z
  .object({
    attribute: AttributeName,
    operator: Operator,
    values: z.array(ConditionValue).max(LIMITS.conditionValues),
    negate: z.boolean().optional(),
  })
  .superRefine((c, ctx) => {
    const issue = conditionValueIssue(c.operator, c.values);
    if (issue) ctx.addIssue({ code: "custom", path: ["values"], message: issue });
  });
export type Condition = z.infer<typeof Condition>;

/** Why a condition's values do not suit its operator, or `undefined` when they do. */
export function conditionValueIssue(operator: Operator, values: readonly ConditionValue[]): string | undefined {
  switch (operator) {
    case "exists":
      return values.length === 0 ? undefined : "'exists' takes no values";
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      return values.length === 1 && typeof values[0] === "number" ? undefined : `'${operator}' takes exactly one number`;
    case "percentage": {
      const [v] = values;
      return values.length === 1 && typeof v === "number" && v >= 0 && v <= 100 && hasAtMostThreeDecimals(v)
        ? undefined
        : "'percentage' takes one number between 0 and 100, in steps of 0.001";
    }
    case "before":
    case "after":
      return values.length === 1 && typeof values[0] === "string" && isDateOperand(values[0])
        ? undefined
        : `'${operator}' takes one ISO date or a relative time such as now-7d`;
    case "semver_eq":
    case "semver_lt":
    case "semver_gt":
      return values.length >= 1 && values.every((v) => typeof v === "string" && validSemver(v) !== null)
        ? undefined
        : `'${operator}' takes semantic versions such as 1.4.0`;
    case "matches": {
      if (values.length !== 1 || typeof values[0] !== "string") return "'matches' takes exactly one regular expression";
      const { refused } = compilePattern(values[0]);
      return refused ?? undefined;
    }
    case "in_segment":
      return values.length >= 1 && values.every((v) => typeof v === "string") ? undefined : "'in_segment' takes segment keys";
    case "role_at_least":
      return values.length >= 1 && values.every((v) => typeof v === "string") ? undefined : "'role_at_least' takes role keys";
    default:
      return values.length >= 1 ? undefined : `'${operator}' needs at least one value`;
  }
}

function hasAtMostThreeDecimals(value: number): boolean {
  return Math.abs(value * 1000 - Math.round(value * 1000)) < 1e-6;
}

function isDateOperand(value: string): boolean {
  return RELATIVE_DATE_PATTERN.test(value) || !Number.isNaN(Date.parse(value));
}

/** Split weights are in thousandths of a percent: 100000 is 100 %. */
export const WEIGHT_TOTAL = 100_000;

export const Allocation = z.object({
  variant: VariantKey,
  weight: z.number().int().min(0).max(WEIGHT_TOTAL),
});
export type Allocation = z.infer<typeof Allocation>;

export const Split = z
  .object({
    allocations: z.array(Allocation).min(1).max(LIMITS.variantsPerFlag),
    /** Context attribute whose value decides the bucket; `targetingKey` when absent. */
    bucketBy: AttributeName.optional(),
  })
  .refine((s) => s.allocations.reduce((sum, a) => sum + a.weight, 0) === WEIGHT_TOTAL, {
    message: `split weights must total ${WEIGHT_TOTAL} (100 %)`,
    path: ["allocations"],
  });
export type Split = z.infer<typeof Split>;

/** What a rule or the fallthrough serves: one variant, or a percentage split. */
export const Serve = z.union([z.object({ variant: VariantKey }).strict(), z.object({ split: Split }).strict()]);
export type Serve = z.infer<typeof Serve>;

export const RuleBody = z.object({
  name: z.string().max(200).optional(),
  conditions: z.array(Condition).max(LIMITS.conditionsPerRule),
  serve: Serve,
});
export type RuleBody = z.infer<typeof RuleBody>;

export const Rule = RuleBody.extend({ id: z.string().min(1).max(64) });
export type Rule = z.infer<typeof Rule>;

export const SegmentRule = z.object({ conditions: z.array(Condition).min(1).max(LIMITS.conditionsPerRule) });
export type SegmentRule = z.infer<typeof SegmentRule>;

export const KeyList = z.array(Key).max(LIMITS.listEntries);
