/**
 * Memory bounded per replica: many environments through one replica whose snapshot cache has
 * a budget. Seeds `--environments` environments of `--flags` flags each (ten environments per
 * workspace, set-based SQL), starts the API in its own process with `SNAPSHOT_MEMORY_BUDGET`,
 * then asks every environment once (every request a cold load) and afterwards `--requests`
 * requests spread over the environments the way traffic is (Zipf, a few hot and a long tail).
 * Runs the same load twice, with the budget and without one, and reports the replica's RSS,
 * the cache's hit rate, evictions and its estimate of what it holds, and cold-load latency.
 *   pnpm bench:memory                                   5,000 environments × 100 flags, 64MB
 *   pnpm bench:memory --environments 300 --budget 8MB   a small run
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { freePort, machine, percentile, startApi } from "./api-process";
import { benchApiEnvironment, createBenchDatabase } from "./bench-database";
import { seedEnvironments } from "./bench-environments";

const { values: args } = parseArgs({
  options: {
    environments: { type: "string", default: "5000" },
    flags: { type: "string", default: "100" },
    budget: { type: "string", default: "64MB" },
    requests: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "8" },
  },
});
const ENVIRONMENTS = Number(args.environments);
const FLAGS = Number(args.flags);
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** Zipf(1) over `n` ranks: a few environments take most requests, as real traffic does. */
function zipf(n: number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative[i] = sum += 1 / (i + 1);
  return () => {
    const target = Math.random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function scrape(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const values: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^(ensign_(?:process_resident_memory_bytes|nodejs_heap_size_used_bytes|snapshot_cache_\w+))\s+(\S+)$/.exec(line);
    if (match) values[match[1]!] = Number(match[2]);
    if (line.startsWith("ensign_snapshot_version{")) values.entries = (values.entries ?? 0) + 1;
  }
  return values;
}

interface Run {
  budget: number;
  rssStart: number;
  rssAfterSweep: number;
  rssEnd: number;
  heapEnd: number;
  peakRss: number;
  resident: number;
  entries: number;
  evictions: number;
  cold: number[];
  sweepSeconds: number;
  hits: number;
  misses: number;
  mixed: number[];
}

const bench = await createBenchDatabase();
let api: Awaited<ReturnType<typeof startApi>> | undefined;
try {
  const seedStarted = performance.now();
  const environments = await seedEnvironments(bench.db, { environments: ENVIRONMENTS, flags: FLAGS });
  console.log(`Seeded ${ENVIRONMENTS} environments × ${FLAGS} flags in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  const order = Array.from({ length: REQUESTS }, zipf(ENVIRONMENTS));

  /** One replica with this budget: every environment once, then the Zipf requests. */
  async function run(budgetSetting: string): Promise<Run> {
    const metricsPort = await freePort();
    api = await startApi({
      ...benchApiEnvironment({ port: await freePort(), databaseUrl: bench.url, redisUrl: REDIS_URL }),
      SNAPSHOT_MEMORY_BUDGET: budgetSetting,
      METRICS_PORT: String(metricsPort),
    });
    const url = api.url;
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const ask = async (index: number): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${url}/ofrep/v1/evaluate/flags/flag_00001`, {
        method: "POST",
        headers: { "x-api-key": environments[index]!.serverKey, "content-type": "application/json" },
        body: JSON.stringify({ context: { targetingKey: `user-${index}`, tenantKey: "tenant-1" } }),
      });
      await res.text();
      if (res.status !== 200) throw new Error(`environment ${index} answered ${res.status}`);
      return performance.now() - started;
    };
    const inParallel = async (count: number, pick: (n: number) => number, each: (ms: number) => void) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < count) each(await ask(pick(next++)));
        }),
      );
    };
    try {
      const before = await scrape(metricsUrl);
      const cold: number[] = [];
      let peakRss = before.ensign_process_resident_memory_bytes ?? 0;
      const sampler = setInterval(() => {
        void scrape(metricsUrl).then((m) => (peakRss = Math.max(peakRss, m.ensign_process_resident_memory_bytes ?? 0)), () => undefined);
      }, 250);
      const sweepStarted = performance.now();
      await inParallel(ENVIRONMENTS, (n) => n, (ms) => cold.push(ms));
      const sweepSeconds = (performance.now() - sweepStarted) / 1000;
      const afterSweep = await scrape(metricsUrl);
      const mixed: number[] = [];
      await inParallel(REQUESTS, (n) => order[n]!, (ms) => mixed.push(ms));
      clearInterval(sampler);
      // A moment idle, so the collector may run before the last reading.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const after = await scrape(metricsUrl);
      return {
        budget: after.ensign_snapshot_cache_budget_bytes ?? 0,
        rssStart: before.ensign_process_resident_memory_bytes ?? 0,
        rssAfterSweep: afterSweep.ensign_process_resident_memory_bytes ?? 0,
        rssEnd: after.ensign_process_resident_memory_bytes ?? 0,
        heapEnd: after.ensign_nodejs_heap_size_used_bytes ?? 0,
        peakRss: Math.max(peakRss, after.ensign_process_resident_memory_bytes ?? 0),
        resident: after.ensign_snapshot_cache_resident_bytes ?? 0,
        entries: after.entries ?? 0,
        evictions: after.ensign_snapshot_cache_evictions_total ?? 0,
        cold: cold.sort((a, b) => a - b),
        sweepSeconds,
        hits: (after.ensign_snapshot_cache_hits_total ?? 0) - (afterSweep.ensign_snapshot_cache_hits_total ?? 0),
        misses: (after.ensign_snapshot_cache_misses_total ?? 0) - (afterSweep.ensign_snapshot_cache_misses_total ?? 0),
        mixed: mixed.sort((a, b) => a - b),
      };
    } finally {
      await api.stop();
      api = undefined;
    }
  }

  const bounded = await run(args.budget);
  // The same load without a budget (as before the cache had one): every environment stays.
  const unbounded = await run("1024GB");

  console.log(`\nSnapshot memory budget — ${machine()}`);
  console.log(`${ENVIRONMENTS} environments × ${FLAGS} flags through one replica, ${CONCURRENCY} requests in flight; the same load with SNAPSHOT_MEMORY_BUDGET=${args.budget} and without a budget\n`);
  console.log(`| measure | budget ${args.budget} | no budget |`);
  console.log("| --- | ---: | ---: |");
  const row = (name: string, of: (r: Run) => string) => console.log(`| ${name} | ${of(bounded)} | ${of(unbounded)} |`);
  row("RSS at start (no environment loaded)", (r) => mb(r.rssStart));
  row("RSS after every environment once", (r) => mb(r.rssAfterSweep));
  row("RSS at the end", (r) => mb(r.rssEnd));
  row("JavaScript heap in use at the end", (r) => mb(r.heapEnd));
  row("peak RSS growth over the start (sampled every 250 ms)", (r) => mb(r.peakRss - r.rssStart));
  row("snapshots held at the end: estimated bytes", (r) => mb(r.resident));
  row("environments held at the end / estimated bytes each", (r) => `${r.entries} / ${(r.resident / Math.max(1, r.entries) / 1024).toFixed(0)} kB`);
  row("evictions", (r) => String(r.evictions));
  row("cold load (each environment's first request) p50 / p99", (r) => `${percentile(r.cold, 50).toFixed(1)} / ${percentile(r.cold, 99).toFixed(1)} ms`);
  row(`${REQUESTS} Zipf requests: hit rate`, (r) => `${((100 * r.hits) / Math.max(1, r.hits + r.misses)).toFixed(1)} %`);
  row(`${REQUESTS} Zipf requests: p50 / p99`, (r) => `${percentile(r.mixed, 50).toFixed(2)} / ${percentile(r.mixed, 99).toFixed(2)} ms`);
} finally {
  await api?.stop();
  await bench.drop();
}
