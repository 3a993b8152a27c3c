/**
 * Soak: one API replica (its own process, real PostgreSQL, a Redis of its own) under a steady
 * evaluation load near its measured capacity for SOAK_SECONDS (default 600), with an admin
 * write every SOAK_WRITE_EVERY_MS (default 2 s) so snapshots keep being rebuilt and swapped.
 * autocannon drives it from this process. The server is the compiled one production runs
 * (`node apps/api/dist/server.js`, built first); its memory is read from its metrics port every
 * 5 s (`ensign_process_resident_memory_bytes`, the heap gauges); latency is
 * measured per interval (a tenth of the run). Asserts: no failed request, RSS after warm-up
 * grows less than SOAK_MAX_RSS_GROWTH_MB (default 50), and the last interval's p99 is within 2x
 * the first's (with a floor of 1 ms).
 *   pnpm soak            (SOAK_SECONDS, SOAK_LOAD (fraction of capacity, 0.75), SOAK_CONNECTIONS (50))
 */
import autocannon from "autocannon";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createMember, PASSWORD } from "../test/helpers/fixtures";
import { startRedis } from "../test/helpers/outages";
import { freePort, startApi } from "./api-process";
import { benchApiEnvironment, createBenchDatabase, seedWorkspace } from "./bench-database";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const LOAD = Number(process.env.SOAK_LOAD ?? 0.75);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 50);
const WRITE_EVERY_MS = Number(process.env.SOAK_WRITE_EVERY_MS ?? 2_000);
const MAX_RSS_GROWTH_MB = Number(process.env.SOAK_MAX_RSS_GROWTH_MB ?? 50);
const INTERVALS = 10;
const INTERVAL_SECONDS = SECONDS / INTERVALS;
const SAMPLE_MS = 5_000;
const RESULTS = fileURLToPath(new URL("./soak-results.json", import.meta.url));
const MB = 1_048_576;

interface MemorySample {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}


const redis = await startRedis();
const bench = await createBenchDatabase();
const metricsPort = await freePort();
const server = await startApi({
  ...benchApiEnvironment({ port: await freePort(), databaseUrl: bench.url, redisUrl: redis.url }),
  METRICS_PORT: String(metricsPort),
});
const samples: MemorySample[] = [];
const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
const sampler = setInterval(() => {
  void fetch(`http://127.0.0.1:${metricsPort}/metrics`)
    .then((res) => res.text())
    .then((text) =>
      samples.push({
        at: Date.now(),
        rss: gauge(text, "ensign_process_resident_memory_bytes"),
        heapUsed: gauge(text, "ensign_nodejs_heap_size_used_bytes"),
        heapTotal: gauge(text, "ensign_nodejs_heap_size_total_bytes"),
        external: gauge(text, "ensign_nodejs_external_memory_bytes"),
      }),
    )
    .catch(() => undefined);
}, SAMPLE_MS);

try {
  const seeded = await seedWorkspace(bench.db, { flags: 20, tenants: 1_000, overridesPerFlag: 5, identities: 1_000 });
  const admin = await createMember(bench.db, seeded.workspaceId, "admin");
  const slug = (await bench.db.prisma.workspace.findUniqueOrThrow({ where: { id: seeded.workspaceId } })).slug;
  await bench.db.close();
  const api = server.url;

  const key = seeded.keys.client;
  const json = { "content-type": "application/json", "x-api-key": key };
  const requests: autocannon.Request[] = [
    { method: "POST", path: "/ofrep/v1/evaluate/flags/flag_00007", headers: json, body: JSON.stringify({ context: { targetingKey: "user-42", tenantKey: "tenant-10" } }) },
    { method: "GET", path: "/v1/flags?targetingKey=user-7&tenantKey=tenant-3", headers: { "x-api-key": key } },
    { method: "POST", path: "/ofrep/v1/evaluate/flags", headers: json, body: JSON.stringify({ context: { targetingKey: "user-9", tenantKey: "tenant-20" } }) },
  ];
  const run = (seconds: number, overallRate?: number) =>
    autocannon({ url: api, connections: CONNECTIONS, duration: seconds, requests, ...(overallRate ? { overallRate } : {}) });

  // Capacity: unthrottled for 10 s (also the warm-up).
  const capacityRun = await run(10);
  const capacity = capacityRun.requests.average;
  const rate = Math.round(capacity * LOAD);
  console.error(`capacity ${Math.round(capacity)} req/s; soaking at ${rate} req/s (${LOAD * 100} %) for ${SECONDS} s, ${CONNECTIONS} connections`);

  // Admin writes: the same flag switched on and off, each a new snapshot version.
  const login = await fetch(`${api}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: admin.email, password: PASSWORD }) });
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  const stateUrl = `${api}/v1/workspaces/${slug}/flags/flag_00003/environments/production`;
  const auth = { authorization: `Bearer ${token}` };
  let writes = 0;
  let failedWrites = 0;
  const writer = setInterval(() => {
    void (async () => {
      const state = (await (await fetch(stateUrl, { headers: auth })).json()) as { version: number; enabled: boolean };
      const res = await fetch(`${stateUrl}/enabled`, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json", "if-match": `"${state.version}"` },
        body: JSON.stringify({ enabled: !state.enabled }),
      });
      if (res.ok) writes += 1;
      else failedWrites += 1;
    })().catch(() => (failedWrites += 1));
  }, WRITE_EVERY_MS);

  const started = Date.now();
  const intervals: { interval: number; requests: number; rps: number; p50: number; p99: number; failed: number; rssMb: number; heapMb: number }[] = [];
  for (let i = 1; i <= INTERVALS; i++) {
    const r = await run(INTERVAL_SECONDS, rate);
    const last = samples[samples.length - 1];
    intervals.push({
      interval: i,
      requests: r.requests.total,
      rps: Math.round(r.requests.average),
      p50: r.latency.p50,
      p99: r.latency.p99,
      failed: r.errors + r.timeouts + r.non2xx,
      rssMb: last ? Math.round(last.rss / MB) : 0,
      heapMb: last ? Math.round(last.heapUsed / MB) : 0,
    });
    console.error(`interval ${i}/${INTERVALS}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, failed ${r.errors + r.timeouts + r.non2xx}, rss ${last ? Math.round(last.rss / MB) : "?"} MB`);
  }
  clearInterval(writer);
  const elapsed = (Date.now() - started) / 1_000;

  const during = samples.filter((s) => s.at >= started);
  const afterWarmUp = samples.filter((s) => s.at >= started + INTERVAL_SECONDS * 1_000);
  const rssStart = afterWarmUp[0]?.rss ?? 0;
  const rssEnd = during[during.length - 1]?.rss ?? 0;
  const rssPeak = Math.max(...during.map((s) => s.rss));
  const heapStart = afterWarmUp[0]?.heapUsed ?? 0;
  const heapEnd = during[during.length - 1]?.heapUsed ?? 0;
  const total = intervals.reduce((sum, x) => sum + x.requests, 0);
  const failed = intervals.reduce((sum, x) => sum + x.failed, 0);
  const first = intervals[0]!;
  const lastInterval = intervals[intervals.length - 1]!;

  console.log(`\nSoak: ${elapsed.toFixed(0)} s at ${rate} req/s target (${LOAD * 100} % of the ${Math.round(capacity)} req/s measured), ${CONNECTIONS} connections; ${writes} admin writes (${failedWrites} failed)\n`);
  console.log(`| interval (${INTERVAL_SECONDS} s) | requests | req/s | p50 ms | p99 ms | failed | RSS MB | heap MB |`);
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const x of intervals) console.log(`| ${x.interval} | ${x.requests} | ${x.rps} | ${x.p50} | ${x.p99} | ${x.failed} | ${x.rssMb} | ${x.heapMb} |`);
  console.log(`\ntotal ${total} requests, ${failed} failed; RSS after warm-up ${(rssStart / MB).toFixed(1)} MB, at the end ${(rssEnd / MB).toFixed(1)} MB, peak ${(rssPeak / MB).toFixed(1)} MB; heap ${(heapStart / MB).toFixed(1)} → ${(heapEnd / MB).toFixed(1)} MB`);

  const checks = [
    { check: "no failed request", ok: failed === 0 },
    { check: "no failed admin write", ok: failedWrites === 0 && writes > 0 },
    { check: `RSS after warm-up grows < ${MAX_RSS_GROWTH_MB} MB`, ok: rssEnd - rssStart < MAX_RSS_GROWTH_MB * MB },
    { check: "last interval p99 within 2x of the first (floor 1 ms)", ok: lastInterval.p99 <= 2 * Math.max(first.p99, 1) },
  ];
  for (const { check, ok } of checks) console.log(`${ok ? "ok  " : "FAIL"} ${check}`);
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ at: new Date().toISOString(), seconds: elapsed, capacity: Math.round(capacity), rate, connections: CONNECTIONS, total, failed, writes, failedWrites, rssStartMb: rssStart / MB, rssEndMb: rssEnd / MB, rssPeakMb: rssPeak / MB, heapStartMb: heapStart / MB, heapEndMb: heapEnd / MB, intervals, samples, checks }, null, 2)}\n`,
  );
  process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
} finally {
  clearInterval(sampler);
  await server.stop();
  await bench.drop();
  await redis.stop();
}
// Open handles (the database pool of the seed) must not keep the run alive.
process.exit();
