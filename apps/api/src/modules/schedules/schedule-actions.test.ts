import { describe, expect, it } from "vitest";
import { rolloutFallthrough } from "./schedule-actions";

const flag = { onVariant: "on", offVariant: "off" };

describe("rolloutFallthrough", () => {
  it("serves the on variant first, to the percentage, in thousandths of a percent", () => {
    expect(rolloutFallthrough(25, flag, { variant: "off" })).toEqual({
      split: { allocations: [{ variant: "on", weight: 25_000 }, { variant: "off", weight: 75_000 }] },
    });
    expect(rolloutFallthrough(0.125, flag, { variant: "off" })).toEqual({
      split: { allocations: [{ variant: "on", weight: 125 }, { variant: "off", weight: 99_875 }] },
    });
  });

  it("serves one variant outright at 0 and 100", () => {
    expect(rolloutFallthrough(0, flag, { variant: "on" })).toEqual({ variant: "off" });
    expect(rolloutFallthrough(100, flag, { variant: "off" })).toEqual({ variant: "on" });
  });

  it("keeps the bucketBy of the split it replaces, so a tenant rollout stays by tenant", () => {
    const current = { split: { allocations: [{ variant: "on", weight: 10_000 }, { variant: "off", weight: 90_000 }], bucketBy: "tenantKey" } };
    expect(rolloutFallthrough(50, flag, current)).toMatchObject({ split: { bucketBy: "tenantKey" } });
  });

  it("only ever grows the on bucket as the percentage rises", () => {
    let previous = 0;
    for (const percentage of [1, 5, 10, 25, 50, 99.999]) {
      const serve = rolloutFallthrough(percentage, flag, { variant: "off" });
      const on = "split" in serve ? serve.split.allocations[0]! : undefined;
      expect(on?.variant).toBe("on");
      expect(on!.weight).toBeGreaterThan(previous);
      previous = on!.weight;
    }
  });
});
