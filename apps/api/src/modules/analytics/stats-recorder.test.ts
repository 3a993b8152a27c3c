import { describe, expect, it } from "vitest";
import { createStatsRecorder, type BulkLayout } from "./stats-recorder";

const at = Date.UTC(2026, 11, 7, 10, 30);
const variantsOf = (counters: { flagKey: string; variants: Map<string, number> }[], flagKey: string) =>
  Object.fromEntries(counters.find((counter) => counter.flagKey === flagKey)!.variants);

describe("stats recorder", () => {
  it("counts every variant served, in runs and alternating, single and bulk alike", () => {
    const recorder = createStatsRecorder(() => at);
    const served = ["on", "on", "off", "on", "on", "on", "off", "off", "beta"];
    for (const variant of served) recorder.record("ws", "env", { key: "a", variant, value: variant === "on", reason: "SPLIT" }, "user-1", 3);
    const layout: BulkLayout = { keys: ["a", null, "b"], counted: 2 };
    const bulk = (a: string, b: string) => [
      { key: "a", variant: a, value: a === "on", reason: "SPLIT" },
      { key: "skipped", variant: "on", value: true, reason: "STATIC" },
      { key: "b", variant: b, value: b === "on", reason: "SPLIT" },
    ];
    recorder.recordBulk("ws", "env", layout, bulk("off", "on"), "user-2", 10);
    recorder.recordBulk("ws", "env", layout, bulk("off", "on"), "user-2", 10);
    recorder.recordBulk("ws", "env", layout, bulk("on", "off"), "user-3", 10);

    const drained = recorder.drain();
    expect(variantsOf(drained, "a")).toEqual({ on: 6, off: 5, beta: 1 });
    expect(variantsOf(drained, "b")).toEqual({ on: 2, off: 1 });
    expect(drained.find((counter) => counter.flagKey === "a")).toMatchObject({ evaluations: 12, trueCount: 6 });
    expect(drained.map((counter) => counter.flagKey).sort()).toEqual(["a", "b"]);

    // A run that continues after a drain is counted once, in the next drain.
    recorder.record("ws", "env", { key: "a", variant: "beta", value: false, reason: "SPLIT" }, undefined, 1);
    expect(variantsOf(recorder.drain(), "a")).toEqual({ beta: 1 });
    expect(recorder.drain()).toEqual([]);
  });

  it("hands over a finished hour's counters with their last run counted", () => {
    let now = at;
    const recorder = createStatsRecorder(() => now);
    recorder.record("ws", "env", { key: "a", variant: "on", value: true, reason: "SPLIT" }, undefined, 1);
    recorder.record("ws", "env", { key: "a", variant: "on", value: true, reason: "SPLIT" }, undefined, 1);
    now += 3_600_000;
    recorder.record("ws", "env", { key: "a", variant: "off", value: false, reason: "SPLIT" }, undefined, 1);
    const drained = recorder.drain().sort((x, y) => x.hour - y.hour);
    expect(drained.map((counter) => Object.fromEntries(counter.variants))).toEqual([{ on: 2 }, { off: 1 }]);
  });
});
