import fc from "fast-check";
import murmurhash from "murmurhash";
import { describe, expect, it } from "vitest";
import { bucketValue } from "./bucket";
import { splitBucket } from "./index";

const reference = (flagKey: string, salt: string, value: string) => murmurhash.v3(`${flagKey}/${salt}/${value}`, 0) % 100_000;

describe("splitBucket", { timeout: 60_000 }, () => {
  it("is murmur3_32 of '<flagKey>/<salt>/<value>' with seed 0, mod 100000", () => {
    // murmur3_32("hello", 0) = 0x248bfa47 = 613153351, the reference vector of the algorithm.
    expect(murmurhash.v3("hello", 0)).toBe(613_153_351);
    expect(splitBucket("new-ui", "s1", "user-42")).toBe(reference("new-ui", "s1", "user-42"));
  });

  it("hashes the UTF-8 bytes of any string exactly as the murmurhash package does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ maxLength: 20 }), fc.string({ unit: "grapheme", maxLength: 40 }), (value, salt, more) => {
        expect(splitBucket("flag", salt, value)).toBe(reference("flag", salt, value));
        expect(splitBucket("flag", salt, more + value)).toBe(reference("flag", salt, more + value));
      }),
      { numRuns: 2000 },
    );
  });

  it("hashes lone surrogates as TextEncoder does, as U+FFFD", () => {
    for (const value of ["\ud800", "a\udc00b", "x\ud83d", "\ud83d\ude00", "\udfff\ud800", "é€😀"]) {
      expect(splitBucket("f", "s", value)).toBe(reference("f", "s", value));
    }
  });

  it("hashes long values (buffer growth and the large-value path) the same way", () => {
    for (const length of [1500, 70_000]) {
      const ascii = "k".repeat(length);
      const wide = "ø".repeat(length);
      expect(splitBucket("f", "s", ascii)).toBe(reference("f", "s", ascii));
      expect(splitBucket("f", "s", wide)).toBe(reference("f", "s", wide));
    }
  });

  it("turns context values into bucket strings", () => {
    expect([bucketValue("a"), bucketValue(""), bucketValue(12), bucketValue(1.5), bucketValue(true), bucketValue(false)]).toEqual(["a", undefined, "12", "1.5", "true", "false"]);
    expect([bucketValue(Number.NaN), bucketValue(null), bucketValue({}), bucketValue([1])]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
