import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { compile, evaluate, splitBucket } from "../src/index";
import type { EvaluateOptions } from "../src/types";

/**
 * The shared specification in `spec/*.json`: what every consumer of the evaluator (the API,
 * the SDKs) must answer for the same snapshot and context. Each result field listed in a case
 * must match exactly, and fields a case leaves out must be absent.
 */
interface SpecFile {
  name: string;
  now: string;
  snapshot: EnvironmentSnapshot;
  buckets?: { flagKey: string; salt: string; value: string; bucket: number }[];
  tests: { description: string; flagKey: string; context: unknown; options?: EvaluateOptions; expected: Record<string, unknown> }[];
}

const directory = join(import.meta.dirname, "..", "spec");
const files = readdirSync(directory).filter((name) => name.endsWith(".json")).sort();
const FIELDS = ["value", "variant", "reason", "detail", "ruleId", "errorCode"] as const;

describe.each(files)("spec %s", (file) => {
  const spec = JSON.parse(readFileSync(join(directory, file), "utf8")) as SpecFile;
  const compiled = compile(spec.snapshot);

  it("compiles without issues", () => {
    expect(compiled.issues.filter((issue) => !issue.message.startsWith("regex refused"))).toEqual([]);
  });

  it.each(spec.tests)("$description", ({ flagKey, context, options, expected }) => {
    const result = evaluate(compiled, flagKey, context, { now: Date.parse(spec.now), ...options });
    const picked = Object.fromEntries(FIELDS.filter((field) => result[field] !== undefined).map((field) => [field, result[field]]));
    expect(picked).toEqual(expected);
  });

  it.each(spec.buckets ?? [])("bucket of $value is $bucket", ({ flagKey, salt, value, bucket }) => {
    expect(splitBucket(flagKey, salt, value)).toBe(bucket);
  });
});
