import type { FlagStatsPeriod, FlagStatsResponse, LatencySummary } from "@ensign/contracts/stats";
import type { Reader } from "../../infra/db/scoped";
import { notFound } from "../../infra/errors";
import { HyperLogLog } from "./hll";
import { histogramKeys } from "./stats-codec";
import { LATENCY_BOUNDS_MICROS } from "./stats-recorder";
import { sketchOf, type StatBucket, type StatsRepository } from "./stats.repository";

const DAY_MS = 86_400_000;

interface Period {
  evaluations: number;
  trueCount: number;
  errors: number;
  variants: Record<string, number>;
  latencyCount: number;
  latencySum: number;
  histogram: Record<string, number>;
  users: HyperLogLog;
}

const emptyPeriod = (): Period => ({
  evaluations: 0,
  trueCount: 0,
  errors: 0,
  variants: {},
  latencyCount: 0,
  latencySum: 0,
  histogram: {},
  users: new HyperLogLog(),
});

function add(period: Period, row: StatBucket) {
  period.evaluations += Number(row.evaluations);
  period.trueCount += Number(row.true_count);
  period.errors += Number(row.error_count);
  period.latencyCount += Number(row.latency_count);
  period.latencySum += Number(row.latency_sum_micros);
  for (const [k, v] of Object.entries(row.variant_counts ?? {})) period.variants[k] = (period.variants[k] ?? 0) + Number(v);
  for (const [k, v] of Object.entries(row.latency_histogram ?? {})) period.histogram[k] = (period.histogram[k] ?? 0) + Number(v);
  period.users.merge(sketchOf(row.unique_sketch));
}

/** The percentile's bucket upper bound; the `inf` bucket reports the largest finite bound. */
export function percentile(histogram: Record<string, number>, q: number): number | null {
  const labels = histogramKeys();
  const total = labels.reduce((sum, label) => sum + (histogram[label] ?? 0), 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const [i, label] of labels.entries()) {
    seen += histogram[label] ?? 0;
    if (seen >= rank) return LATENCY_BOUNDS_MICROS[i] ?? LATENCY_BOUNDS_MICROS[LATENCY_BOUNDS_MICROS.length - 1]!;
  }
  return null;
}

function summary(period: Period, isBoolean: boolean): FlagStatsPeriod {
  const latency: LatencySummary = {
    count: period.latencyCount,
    avgMicros: period.latencyCount ? Math.round((period.latencySum / period.latencyCount) * 10) / 10 : null,
    p50Micros: percentile(period.histogram, 0.5),
    p95Micros: percentile(period.histogram, 0.95),
    p99Micros: percentile(period.histogram, 0.99),
  };
  return {
    evaluations: period.evaluations,
    uniqueUsers: period.users.count(),
    trueRate: isBoolean && period.evaluations ? period.trueCount / period.evaluations : null,
    errors: period.errors,
    variantCounts: period.variants,
    latency,
  };
}

export interface StatsServiceDeps {
  reading: Reader;
  repo: StatsRepository;
}

export function createStatsService({ reading, repo }: StatsServiceDeps) {
  return {
    /** A flag's statistics per UTC day over the last `days` days (today included). */
    async flagStats(workspaceId: string, flagKey: string, environmentKey: string, days: number, now = Date.now()): Promise<FlagStatsResponse> {
      const firstDay = now - (now % DAY_MS) - (days - 1) * DAY_MS;
      const { rows, isBoolean } = await reading(workspaceId, async (tx) => {
        const environment = await repo.findEnvironment(tx, workspaceId, environmentKey);
        if (!environment) throw notFound(`Environment '${environmentKey}'`);
        const type = await repo.flagType(tx, workspaceId, flagKey);
        if (!type) throw notFound(`Flag '${flagKey}'`);
        return { rows: await repo.buckets(tx, workspaceId, environment.id, flagKey, new Date(firstDay)), isBoolean: type === "boolean" };
      });
      const periods = Array.from({ length: days }, emptyPeriod);
      const total = emptyPeriod();
      for (const row of rows) {
        const index = Math.floor((row.bucket_start.getTime() - firstDay) / DAY_MS);
        if (index < 0 || index >= days) continue;
        add(periods[index]!, row);
        add(total, row);
      }
      return {
        flag: flagKey,
        environment: environmentKey,
        days: periods.map((period, i) => ({ date: new Date(firstDay + i * DAY_MS).toISOString().slice(0, 10), ...summary(period, isBoolean) })),
        total: summary(total, isBoolean),
      };
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
