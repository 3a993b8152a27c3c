import { z } from "zod";
import { Key } from "./common";

/** `GET /v1/workspaces/:workspace/flags/:key/stats?env=production&days=7` */
export const FlagStatsQuery = z.object({
  env: Key,
  days: z.coerce.number().int().min(1).max(90).default(7),
});
export type FlagStatsQuery = z.infer<typeof FlagStatsQuery>;

export const LatencySummary = z.object({
  /** Evaluations timed. */
  count: z.number().int(),
  /** Mean server-side evaluation time in microseconds; null without evaluations. */
  avgMicros: z.number().nullable(),
  /** Percentiles from the histogram: the upper bound of the bucket they fall in (µs). */
  p50Micros: z.number().nullable(),
  p95Micros: z.number().nullable(),
  p99Micros: z.number().nullable(),
});
export type LatencySummary = z.infer<typeof LatencySummary>;

export const FlagStatsPeriod = z.object({
  evaluations: z.number().int(),
  /** Estimated distinct targeting keys (HyperLogLog, about 1.6 % error). */
  uniqueUsers: z.number().int(),
  /** Share of evaluations that returned `true` (boolean flags); null without evaluations. */
  trueRate: z.number().nullable(),
  errors: z.number().int(),
  variantCounts: z.record(z.string(), z.number().int()),
  latency: LatencySummary,
});
export type FlagStatsPeriod = z.infer<typeof FlagStatsPeriod>;

export const FlagStatsDay = FlagStatsPeriod.extend({
  /** The UTC day, `YYYY-MM-DD`. */
  date: z.string(),
});
export type FlagStatsDay = z.infer<typeof FlagStatsDay>;

/**
 * A flag's evaluation statistics in one environment, per UTC day (oldest first, days without
 * evaluations included) and over the whole period. Counters reach the database within about
 * 15 s of the evaluations.
 */
export const FlagStatsResponse = z.object({
  flag: z.string(),
  environment: z.string(),
  days: z.array(FlagStatsDay),
  total: FlagStatsPeriod,
});
export type FlagStatsResponse = z.infer<typeof FlagStatsResponse>;
