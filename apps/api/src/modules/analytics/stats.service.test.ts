import { describe, expect, it } from "vitest";
import { codeOf, memoryReading } from "../../../test/helpers/recording-writer";
import { NOW, production, WS } from "../../../test/helpers/service-fixtures";
import { HyperLogLog } from "./hll";
import type { StatBucket, StatsRepository } from "./stats.repository";
import { createStatsService } from "./stats.service";

const DAY = 86_400_000;
const TODAY = NOW - (NOW % DAY);

const sketch = (...users: string[]) => {
  const hll = new HyperLogLog();
  for (const user of users) hll.add(user);
  return Buffer.from(hll.toBytes()).toString("base64");
};

function bucket(at: number, fields: Partial<StatBucket> = {}): StatBucket {
  return {
    id: `b-${at}`,
    environment_id: production.id,
    flag_key: "checkout",
    bucket_start: new Date(at),
    evaluations: 10,
    true_count: 4,
    error_count: 0,
    variant_counts: { on: 4, off: 6 },
    unique_sketch: null,
    latency_count: 0,
    latency_sum_micros: 0,
    latency_histogram: {},
    ...fields,
  };
}

/** The statistics in memory: one environment, flags by key with their type, and their hourly rows; the windows asked for. */
function fakeRepository(types: Record<string, "boolean" | "string">, buckets: StatBucket[]) {
  const asked: { environmentId: string; flagKey: string; since: Date }[] = [];
  const repo: StatsRepository = {
    async findEnvironment(_tx, workspaceId, key) {
      return workspaceId === WS && key === production.key ? { id: production.id } : null;
    },
    async flagType(_tx, workspaceId, key) {
      return workspaceId === WS ? (types[key] ?? null) : null;
    },
    async buckets(_tx, _workspaceId, environmentId, flagKey, since) {
      asked.push({ environmentId, flagKey, since });
      return buckets.filter((b) => b.environment_id === environmentId && b.flag_key === flagKey && b.bucket_start >= since);
    },
  };
  return { repo, asked };
}

describe("stats service", () => {
  it("sums a flag's hourly rows per UTC day over the days asked for, today included, with distinct users across hours", async () => {
    const fake = fakeRepository({ checkout: "boolean" }, [
      bucket(TODAY - 2 * DAY + 3_600_000, { unique_sketch: sketch("ann", "bob") }),
      bucket(TODAY - 2 * DAY + 7_200_000, { evaluations: 5, true_count: 5, variant_counts: { on: 5 }, error_count: 1, unique_sketch: sketch("bob", "cy") }),
      bucket(TODAY + 3_600_000, { unique_sketch: sketch("dee") }),
    ]);
    const service = createStatsService({ reading: memoryReading, repo: fake.repo });
    const stats = await service.flagStats(WS, "checkout", "production", 3, NOW);
    expect(fake.asked).toEqual([{ environmentId: production.id, flagKey: "checkout", since: new Date(TODAY - 2 * DAY) }]);
    expect(stats.days.map((d) => [d.date, d.evaluations, d.uniqueUsers, d.errors, d.variantCounts])).toEqual([
      [new Date(TODAY - 2 * DAY).toISOString().slice(0, 10), 15, 3, 1, { on: 9, off: 6 }],
      [new Date(TODAY - DAY).toISOString().slice(0, 10), 0, 0, 0, {}],
      [new Date(TODAY).toISOString().slice(0, 10), 10, 1, 0, { on: 4, off: 6 }],
    ]);
    expect({ evaluations: stats.total.evaluations, uniqueUsers: stats.total.uniqueUsers, trueRate: stats.total.trueRate }).toEqual({ evaluations: 25, uniqueUsers: 4, trueRate: 13 / 25 });
    expect(stats.days[1]!.trueRate).toBeNull();
  });

  it("gives no true rate for a flag that is not boolean", async () => {
    const service = createStatsService({ reading: memoryReading, repo: fakeRepository({ colour: "string" }, [bucket(TODAY, { flag_key: "colour" })]).repo });
    const stats = await service.flagStats(WS, "colour", "production", 1, NOW);
    expect({ evaluations: stats.total.evaluations, trueRate: stats.total.trueRate }).toEqual({ evaluations: 10, trueRate: null });
  });

  it("answers 404 for an unknown environment or flag, reading no rows", async () => {
    const fake = fakeRepository({ checkout: "boolean" }, []);
    const service = createStatsService({ reading: memoryReading, repo: fake.repo });
    expect(await codeOf(service.flagStats(WS, "checkout", "qa", 7, NOW))).toBe("NOT_FOUND");
    expect(await codeOf(service.flagStats(WS, "missing", "production", 7, NOW))).toBe("NOT_FOUND");
    expect(await codeOf(service.flagStats("ws-other", "checkout", "production", 7, NOW))).toBe("NOT_FOUND");
    expect(fake.asked).toEqual([]);
  });
});
