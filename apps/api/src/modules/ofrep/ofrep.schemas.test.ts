import type { EvaluationResult } from "@ensign/contracts/evaluation";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serializeBulk, serializeResult } from "./ofrep.schemas";

/** What OFREP's JSON for a result must parse back to. */
function expected(result: EvaluationResult) {
  if (result.errorCode !== undefined) return { key: result.key, errorCode: result.errorCode, errorDetails: result.errorMessage ?? "" };
  return { key: result.key, value: result.value, reason: result.reason, ...(result.variant === undefined ? {} : { variant: result.variant }), metadata: { detail: result.detail } };
}

const success = (key: string, value: unknown, variant: string | undefined, reason: string, detail: string) =>
  ({ key, value, variant, reason, detail }) as EvaluationResult;

describe("serializeResult", () => {
  it("answers a served outcome again exactly as it changes: value, variant, reason or detail", () => {
    const on = success("banner", "blue", "on", "TARGETING_MATCH", "RULE:a");
    expect(JSON.parse(serializeResult(on))).toEqual(expected(on));
    expect(serializeResult({ ...on })).toBe(serializeResult(on));
    // The variant keeps its key but serves another value after an edit.
    for (const changed of [
      { ...on, value: "green" },
      { ...on, variant: "off" },
      { ...on, reason: "SPLIT" },
      { ...on, detail: "RULE:b" },
      { ...on, value: 1 },
      { ...on, value: null },
      { ...on, value: { colour: "blue" } },
      { ...on, variant: undefined },
    ] as EvaluationResult[]) {
      expect(JSON.parse(serializeResult(changed))).toEqual(expected(changed));
    }
    expect(JSON.parse(serializeResult(on))).toEqual(expected(on));
  });

  it("serializes any result to the JSON it stands for, however often outcomes repeat", () => {
    const keys = fc.constantFrom("a", "b", 'quote"d', "ünï");
    const text = fc.constantFrom("on", "off", "x\\y", "\u2028");
    const value = fc.oneof(fc.boolean(), fc.integer({ min: -3, max: 3 }), text, fc.constant(null), fc.dictionary(text, fc.integer()));
    const result = fc.oneof(
      fc.record({ key: keys, value, variant: fc.option(text, { nil: undefined }), reason: fc.constantFrom("STATIC", "SPLIT", "DEFAULT"), detail: fc.constantFrom("FALLTHROUGH", "RULE:r", "TENANT_OVERRIDE") }),
      fc.record({ key: keys, value: fc.constant(null), reason: fc.constant("ERROR"), detail: fc.constant("TYPE_MISMATCH"), errorCode: fc.constant("TYPE_MISMATCH"), errorMessage: text }),
    ) as fc.Arbitrary<EvaluationResult>;
    fc.assert(
      fc.property(fc.array(result, { maxLength: 30 }), (results) => {
        for (const r of results) expect(JSON.parse(serializeResult(r))).toEqual(expected(r));
        expect(JSON.parse(serializeBulk(results))).toEqual({ flags: results.map(expected) });
      }),
      { numRuns: 300 },
    );
  });
});
