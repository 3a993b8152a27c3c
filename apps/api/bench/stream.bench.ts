/**
 * Live stream delivery: the API (built in this process, on a fresh database on the machine's
 * PostgreSQL and the machine's Redis, listening on a port) holds a `GET /v1/stream` open for a
 * client key; each write switches a flag in production and publishes the change as the admin
 * routes do. Measured: from the write's commit to the change event in the subscriber's hands,
 * over HTTP. 100 writes after 10 warm-up writes; p50, p95 and max against the bar: under 200 ms.
 *   pnpm bench:stream      (BENCH_WRITES to change the 100)
 */
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { buildApp } from "../src/app";
import { loadConfig } from "../src/config";
import { createRedisCache } from "../src/infra/cache/redis-cache";
import { openDatabase } from "../src/infra/db/database";
import * as fixtures from "../test/helpers/evaluation-fixtures";
import { openStream } from "../test/helpers/sse";
import { machine, percentile } from "./api-process";
import { benchApiEnvironment, createBenchDatabase, seedWorkspace } from "./bench-database";

const WRITES = Number(process.env.BENCH_WRITES ?? 100);
const WARMUP = 10;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const BAR_MS = 200;
const FLAG = "flag_00001";

const bench = await createBenchDatabase();
try {
  const seeded = await seedWorkspace(bench.db, { flags: 20, tenants: 200, overridesPerFlag: 2, identities: 200 });
  await bench.db.close();
  const config = loadConfig({ ...benchApiEnvironment({ port: 0, databaseUrl: bench.url, redisUrl: REDIS_URL }), METRICS_PORT: "off", SCHEDULER_ENABLED: "false" });
  const db = await openDatabase({ url: bench.url, dataDir: "memory://", poolSize: 5 });
  const cache = createRedisCache({ url: REDIS_URL, prefix: `ensign-bench:${randomBytes(4).toString("hex")}:` });
  const app = await buildApp({ config, db, cache });
  try {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const stream = await openStream(`${base}/v1/stream`, { "x-api-key": seeded.keys.server });
    if (stream.status !== 200) throw new Error(`stream: ${stream.status}`);
    await stream.next((e) => e.event === "change");

    /** Milliseconds from the write's commit to its change event in this process's hands. */
    async function delivery(enabled: boolean): Promise<number> {
      const version = await fixtures.toggleFlag(app, db, seeded.workspaceId, seeded.production.id, FLAG, enabled);
      const committedAt = fixtures.lastCommitAt;
      const event = await stream.next((e) => e.id === String(version));
      return event.at - committedAt;
    }

    for (let i = 0; i < WARMUP; i++) await delivery(i % 2 === 0);
    const latencies: number[] = [];
    for (let i = 0; i < WRITES; i++) latencies.push(await delivery(i % 2 === 0));
    stream.close();
    latencies.sort((x, y) => x - y);
    const [p50, p95, max] = [percentile(latencies, 50), percentile(latencies, 95), latencies.at(-1)!];
    console.log(`\nSSE delivery after commit, ${WRITES} writes (after ${WARMUP} warm-up writes); ${machine()}:\n`);
    console.log("| p50 ms | p95 ms | max ms | bar |");
    console.log("| ---: | ---: | ---: | --- |");
    console.log(`| ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${max.toFixed(1)} | p95 < ${BAR_MS} ms: ${p95 < BAR_MS ? "met" : "MISSED"} |`);
  } finally {
    await app.close();
    await cache.close();
    await db.close();
  }
} finally {
  await bench.drop();
}
