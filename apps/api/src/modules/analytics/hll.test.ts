import { describe, expect, it } from "vitest";
import { HyperLogLog } from "./hll";

describe("HyperLogLog", () => {
  it.each([1, 10, 100, 1_000, 10_000, 100_000])("estimates %i distinct keys within 5 %", (n) => {
    const hll = new HyperLogLog();
    for (let i = 0; i < n; i++) {
      hll.add(`user-${i}`);
      hll.add(`user-${i}`);
    }
    expect(Math.abs(hll.count() - n)).toBeLessThanOrEqual(Math.max(1, n * 0.05));
  });

  it("merges sketches of overlapping sets like a union", () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 3_000; i++) a.add(`k${i}`);
    for (let i = 2_000; i < 6_000; i++) b.add(`k${i}`);
    expect(Math.abs(a.merge(b).count() - 6_000)).toBeLessThan(6_000 * 0.05);
  });

  it("survives a round trip through bytes, sparse and dense", () => {
    for (const n of [5, 5_000]) {
      const hll = new HyperLogLog();
      for (let i = 0; i < n; i++) hll.add(`u${i}`);
      const copy = HyperLogLog.fromBytes(hll.toBytes());
      expect(copy.count()).toBe(hll.count());
    }
    expect(HyperLogLog.fromBytes(new Uint8Array([9, 9])).count()).toBe(0);
    expect(new HyperLogLog().toBytes()).toHaveLength(1);
  });
});
