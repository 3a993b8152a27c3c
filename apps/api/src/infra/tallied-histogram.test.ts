import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { talliedHistogram } from "./tallied-histogram";

const BUCKETS = [0.001, 0.01, 0.1];
const linesOf = async (registry: Registry, name: string) => (await registry.metrics()).split("\n").filter((line) => line.startsWith(name));

describe("tallied histogram", () => {
  it("exposes exactly what prom-client's own histogram exposes for the same observations", async () => {
    const tallied = new Registry();
    const reference = new Registry();
    const ours = talliedHistogram(tallied, { name: "t_seconds", help: "h", buckets: BUCKETS });
    const theirs = new Histogram({ name: "t_seconds", help: "h", labelNames: ["route"], buckets: BUCKETS, registers: [reference] });
    const observations: [string, number][] = [["/a", 0.0005], ["/a", 0.001], ["/a", 0.05], ["/b", 3], ["/a", 0.2], ["/b", 0.002]];
    for (const [route, value] of observations) {
      ours.observe(ours.series({ route }), value);
      theirs.observe({ route }, value);
    }
    const expected = await linesOf(reference, "t_seconds");
    expect(await linesOf(tallied, "t_seconds")).toEqual(expected);
    expect(expected).toContain('t_seconds_bucket{le="0.001",route="/a"} 2');
    expect(expected).toContain('t_seconds_bucket{le="+Inf",route="/b"} 2');
    expect((await tallied.metrics()).includes("# TYPE t_seconds histogram")).toBe(true);
  });

  it("hands out one series per label set and zeroes it on reset", async () => {
    const registry = new Registry();
    const histogram = talliedHistogram(registry, { name: "r_seconds", help: "h", buckets: BUCKETS });
    const series = histogram.series({ kind: "bulk" });
    expect(histogram.series({ kind: "bulk" })).toBe(series);
    histogram.observe(series, 0.5);
    expect(await linesOf(registry, "r_seconds_count")).toEqual(['r_seconds_count{kind="bulk"} 1']);
    registry.resetMetrics();
    expect(await linesOf(registry, "r_seconds_count")).toEqual(['r_seconds_count{kind="bulk"} 0']);
  });
});
