import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import type { EvaluationContext, FlagValue } from "../types";
import { createLocalClient } from "./local-client";

/**
 * The evaluator's shared specification (`@ensign/evaluator/spec/*.json`) run through the SDK's
 * public API: a local client bootstrapped with each case file's snapshot must answer every case
 * exactly as specified.
 */
interface SpecFile {
  now: string;
  snapshot: EnvironmentSnapshot;
  tests: { description: string; flagKey: string; context: unknown; options?: { defaultValue?: FlagValue; expectedType?: string; now?: number }; expected: Record<string, unknown> }[];
}

const directory = join(dirname(createRequire(import.meta.url).resolve("@ensign/evaluator/spec/01-decision-order.json")));
const files = readdirSync(directory).filter((name) => name.endsWith(".json")).sort();
const FIELDS = ["value", "variant", "reason", "detail", "ruleId", "errorCode"] as const;
const ZERO: Record<string, FlagValue> = { boolean: false, string: "", number: 0, json: null };

describe.each(files)("shared evaluator spec %s through createLocalClient", (file) => {
  const spec = JSON.parse(readFileSync(join(directory, file), "utf8")) as SpecFile;
  // Contexts that are not objects are the evaluator's own concern: the SDK's getters type them out.
  const cases = spec.tests.filter((c) => typeof c.context === "object" && c.context !== null && !Array.isArray(c.context));

  it.each(cases)("$description", ({ flagKey, context, options, expected }) => {
    const at = options?.now ?? Date.parse(spec.now);
    const client = createLocalClient({ url: "http://127.0.0.1:9", serverKey: "unused", bootstrap: spec.snapshot, stream: false, now: () => at });
    client.on("error", () => {});
    const defaultValue = options?.defaultValue ?? (options?.expectedType ? ZERO[options.expectedType] : null) ?? null;
    const details = client.getDetails(flagKey, defaultValue, context as EvaluationContext);
    const picked = Object.fromEntries(FIELDS.filter((field) => details[field] !== undefined).map((field) => [field, details[field]]));
    expect(picked).toEqual(expected);
  });
});
