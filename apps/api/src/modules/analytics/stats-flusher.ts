import type { FastifyBaseLogger } from "fastify";
import type { PrismaClient } from "../../generated/prisma/client";
import type { Cache } from "../../infra/cache/cache";
import { bucketId, combine, DIRTY_SET, fromFields, hashKey, sketchKey, toFields } from "./stats-codec";
import type { StatCounter, StatsRecorder } from "./stats-recorder";
import { statsRepository as repo } from "./stats.repository";

const BUCKET_TTL_MS = 3 * 86_400_000;
const LOCK_KEY = "stats:flush-lock";
const BATCH = 500;

/**
 * Moves the recorder's counters out of process memory every `intervalMs`, never on the request
 * path. With Redis, each replica adds its counters there (HINCRBY per field, the HyperLogLog
 * sketch appended to a list, the bucket marked dirty) and one replica at a time (a short Redis
 * lock) moves the dirty buckets into PostgreSQL. Without Redis (embedded mode), or while it is
 * down, counters go straight to PostgreSQL; if that fails too, they wait in memory for the next
 * round.
 */
export function createStatsFlusher(deps: { recorder: StatsRecorder; cache: Cache; prisma: PrismaClient; log: FastifyBaseLogger; intervalMs: number }) {
  const { recorder, cache, prisma, log, intervalMs } = deps;
  let pending: StatCounter[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let round = 0;

  /**
   * Adds counters to their Redis buckets; returns those whose counts did not get there (Redis
   * down), so they are written elsewhere, and only they: a counter is never added twice.
   */
  async function toRedis(counters: StatCounter[]): Promise<StatCounter[]> {
    const missed: StatCounter[] = [];
    await Promise.all(
      counters.map(async (counter) => {
        const id = bucketId(counter);
        try {
          await cache.hashIncrBy(hashKey(id), toFields(counter), BUCKET_TTL_MS);
        } catch {
          missed.push(counter);
          return;
        }
        try {
          if (!counter.users.isEmpty) await cache.listPush(sketchKey(id), [Buffer.from(counter.users.toBytes()).toString("base64")], BUCKET_TTL_MS);
          await cache.setAdd(DIRTY_SET, [id]);
        } catch (error) {
          // The counts are in; the bucket moves with its next counts (its users sketch is lost).
          log.warn({ err: (error as Error).message, bucket: id }, "stats: a bucket's sketch or dirty mark did not reach Redis");
        }
      }),
    );
    return missed;
  }

  /** Moves dirty buckets from Redis to PostgreSQL, by whichever replica holds the lock. */
  async function redisToDatabase(): Promise<void> {
    if (!(await cache.setIfAbsent(LOCK_KEY, "1", Math.max(intervalMs * 4, 10_000)))) return;
    try {
      for (let batch = await cache.setPop(DIRTY_SET, BATCH); batch.length; batch = await cache.setPop(DIRTY_SET, BATCH)) {
        const counters: StatCounter[] = [];
        for (const id of batch) {
          const [fields, sketches] = await Promise.all([cache.hashTake(hashKey(id)), cache.listTake(sketchKey(id))]);
          const counter = fromFields(id, fields, sketches);
          if (counter && (counter.evaluations > 0 || !counter.users.isEmpty)) counters.push(counter);
        }
        try {
          await repo.add(prisma, counters);
        } catch (error) {
          // Put them back for the next round rather than lose them.
          pending = pending.concat(await toRedis(counters));
          throw error;
        }
      }
    } finally {
      await cache.del(LOCK_KEY).catch(() => undefined);
    }
  }

  async function flushOnce(moveToDatabase: boolean): Promise<void> {
    const counters = combine(pending.concat(recorder.drain()));
    pending = [];
    if (cache.kind === "redis") {
      const missed = await toRedis(counters);
      if (missed.length === 0) {
        // The counters are safe in Redis; if PostgreSQL cannot take them now, a later round moves them.
        if (moveToDatabase) {
          await redisToDatabase().catch((error: unknown) =>
            log.warn({ err: (error as Error).message }, "stats: PostgreSQL did not take the counters from Redis; they wait there for the next round"),
          );
        }
        return;
      }
      log.warn({ buckets: missed.length }, "stats: redis unavailable; writing counters to PostgreSQL directly");
      await direct(missed);
      return;
    }
    await direct(counters);
  }

  /** Straight to PostgreSQL (no Redis, or Redis down); kept in memory for the next round if that fails too. */
  async function direct(counters: StatCounter[]): Promise<void> {
    try {
      await repo.add(prisma, counters);
    } catch (error) {
      pending = pending.concat(counters);
      log.warn({ err: (error as Error).message, buckets: counters.length }, "stats: PostgreSQL unavailable; counters kept in memory");
    }
  }

  function flush(moveToDatabase = true): Promise<void> {
    // One flush at a time; a caller arriving meanwhile waits for it and then runs its own.
    chain = chain.then(() => flushOnce(moveToDatabase)).catch((error) => log.error({ err: error }, "stats flush failed"));
    return chain;
  }

  return {
    start(): void {
      timer = setInterval(() => void flush(++round % 2 === 0), intervalMs);
      timer.unref();
    },
    /** Flushes what is counted now, all the way to PostgreSQL (tests, and shutdown). */
    flush: () => flush(true),
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      await flush(true);
    },
  };
}

export type StatsFlusher = ReturnType<typeof createStatsFlusher>;
