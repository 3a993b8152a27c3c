import type { FlagType, PrismaClient } from "../../generated/prisma/client";
import { lookupsRepository as lookups } from "../../infra/db/lookups.repository";
import type { Tx } from "../../infra/db/scoped";
import { HyperLogLog } from "./hll";
import { histogramKeys } from "./stats-codec";
import type { StatCounter } from "./stats-recorder";

interface BucketRow {
  id: string;
  environment_id: string;
  flag_key: string;
  bucket_start: Date;
  evaluations: number;
  true_count: number;
  error_count: number;
  variant_counts: Record<string, number>;
  /** Base64: raw bytea does not survive Prisma's raw-query decoding. */
  unique_sketch: string | null;
  latency_count: number;
  latency_sum_micros: number;
  latency_histogram: Record<string, number>;
}

export type StatBucket = BucketRow;

export const sketchOf = (base64: string | null) => HyperLogLog.fromBytes(base64 ? Buffer.from(base64, "base64") : null);

const addCounts = (stored: Record<string, number>, more: Iterable<[string, number]>) => {
  const sum: Record<string, number> = { ...stored };
  for (const [key, count] of more) sum[key] = (Number(sum[key]) || 0) + count;
  return sum;
};

/** Where the statistics service reads, inside the transaction it is given; every method keeps to the workspace. */
export interface StatsRepository {
  findEnvironment(tx: Tx, workspaceId: string, key: string): Promise<{ id: string } | null>;
  /** The flag's type, or null when the workspace has no such flag. */
  flagType(tx: Tx, workspaceId: string, key: string): Promise<FlagType | null>;
  /** A flag's hourly rows in one environment since `since`, oldest first. */
  buckets(tx: Tx, workspaceId: string, environmentId: string, flagKey: string, since: Date): Promise<StatBucket[]>;
}

/** The statistics over PostgreSQL, bound by row-level security through the transaction. */
export function createStatsRepository(): StatsRepository {
  return {
    findEnvironment: (tx, workspaceId, key) => lookups.findEnvironment(tx, workspaceId, key),
    async flagType(tx, workspaceId, key) {
      const flag = await tx.flag.findFirst({ where: { workspaceId, key }, select: { type: true } });
      return flag?.type ?? null;
    },
    buckets: (tx, workspaceId, environmentId, flagKey, since) => statsRepository.buckets(tx, workspaceId, environmentId, flagKey, since),
  };
}

export const statsRepository = {
  /**
   * Adds counters to their hourly rows. System work on the owner connection; the rows are locked
   * while they are merged, so flushers of several replicas never lose each other's counts.
   * Counters of environments that no longer exist are dropped.
   */
  async add(prisma: PrismaClient, all: StatCounter[]): Promise<void> {
    if (all.length === 0) return;
    const labels = histogramKeys();
    await prisma.$transaction(
      async (tx) => {
        // Counters of an environment deleted since (with its workspace, or on its own) have no row
        // to go to: they are dropped, so they never hold back the counters that do. The rows kept
        // are share-locked, so the environment cannot go while its counters are added.
        const environmentIds = [...new Set(all.map((c) => c.environmentId))];
        const live = await tx.$queryRaw<{ id: string; workspace_id: string }[]>`
          SELECT id, workspace_id FROM environments WHERE id = ANY(${environmentIds}::uuid[]) FOR KEY SHARE`;
        const workspaceOf = new Map(live.map((row) => [row.id, row.workspace_id]));
        const counters = all.filter((c) => workspaceOf.get(c.environmentId) === c.workspaceId);
        if (counters.length === 0) return;
        await tx.flagStatBucket.createMany({
          data: counters.map((c) => ({ workspaceId: c.workspaceId, environmentId: c.environmentId, flagKey: c.flagKey, bucketStart: new Date(c.hour) })),
          skipDuplicates: true,
        });
        const rows = await tx.$queryRaw<BucketRow[]>`
          SELECT id, environment_id, flag_key, bucket_start, evaluations, true_count, error_count, variant_counts,
                 encode(unique_sketch, 'base64') AS unique_sketch, latency_count, latency_sum_micros, latency_histogram
          FROM flag_stat_buckets
          WHERE (environment_id, flag_key, bucket_start) IN (
            SELECT * FROM unnest(${counters.map((c) => c.environmentId)}::uuid[], ${counters.map((c) => c.flagKey)}::text[],
                                 ${counters.map((c) => new Date(c.hour))}::timestamptz[]))
          ORDER BY id FOR UPDATE`;
        const byKey = new Map(rows.map((row) => [`${row.environment_id}|${row.flag_key}|${row.bucket_start.getTime()}`, row]));
        const merged: { id: string; c: StatCounter; variants: string; histogram: string; sketch: string; users: number }[] = [];
        for (const c of counters) {
          const row = byKey.get(`${c.environmentId}|${c.flagKey}|${c.hour}`);
          if (!row) continue;
          const users = sketchOf(row.unique_sketch).merge(c.users);
          const variants = JSON.stringify(addCounts(row.variant_counts, c.variants));
          const histogram = JSON.stringify(
            addCounts(row.latency_histogram, c.histogram.flatMap((count, i) => (count ? [[labels[i]!, count] as [string, number]] : []))),
          );
          merged.push({ id: row.id, c, variants, histogram, sketch: Buffer.from(users.toBytes()).toString("base64"), users: users.count() });
        }
        if (merged.length === 0) return;
        // One statement for every row (a flush of an environment of 1,000 flags is one round trip, not 1,000).
        await tx.$executeRaw`
          UPDATE flag_stat_buckets AS b SET
            evaluations = b.evaluations + m.evaluations, true_count = b.true_count + m.true_count,
            error_count = b.error_count + m.error_count, latency_count = b.latency_count + m.latency_count,
            latency_sum_micros = b.latency_sum_micros + m.latency_sum_micros,
            variant_counts = m.variant_counts::jsonb, latency_histogram = m.latency_histogram::jsonb,
            unique_sketch = decode(m.unique_sketch, 'base64'), unique_users = m.unique_users,
            updated_at = now()
          FROM unnest(
            ${merged.map((m) => m.id)}::uuid[], ${merged.map((m) => m.c.evaluations)}::bigint[], ${merged.map((m) => m.c.trueCount)}::bigint[],
            ${merged.map((m) => m.c.errorCount)}::bigint[], ${merged.map((m) => m.c.latencyCount)}::bigint[],
            ${merged.map((m) => Math.round(m.c.latencySumMicros))}::bigint[], ${merged.map((m) => m.variants)}::text[],
            ${merged.map((m) => m.histogram)}::text[], ${merged.map((m) => m.sketch)}::text[], ${merged.map((m) => m.users)}::int[]
          ) AS m(id, evaluations, true_count, error_count, latency_count, latency_sum_micros, variant_counts, latency_histogram, unique_sketch, unique_users)
          WHERE b.id = m.id`;
      },
      { maxWait: 5_000, timeout: 30_000 },
    );
  },

  /** A flag's hourly rows in one environment since `since` (inside the caller's workspace transaction). */
  async buckets(tx: Tx, workspaceId: string, environmentId: string, flagKey: string, since: Date): Promise<StatBucket[]> {
    return tx.$queryRaw<BucketRow[]>`
      SELECT id, environment_id, flag_key, bucket_start, evaluations, true_count, error_count, variant_counts,
             encode(unique_sketch, 'base64') AS unique_sketch, latency_count, latency_sum_micros, latency_histogram
      FROM flag_stat_buckets
      WHERE workspace_id = ${workspaceId}::uuid AND environment_id = ${environmentId}::uuid
        AND flag_key = ${flagKey} AND bucket_start >= ${since}
      ORDER BY bucket_start`;
  },
};
