/**
 * Propagation between replicas: two API processes on a fresh database (the machine's PostgreSQL)
 * and the machine's Redis, as a scaled-out deployment runs them. Each write switches a flag on or
 * off in production through replica A's admin API; from A's acknowledgement, replica B is asked
 * over OFREP, one request after another, until it serves the new state. Two environments in the
 * same run: a small one (20 flags) and a large one (10,000 flags, 10,000 tenants, 100,000 tenant
 * overrides per environment). For each: p50, p99 and max of the delay against the bar (p99 under
 * 100 ms), and replica B's CPU per write (bar: under 5 ms), measured over writes B hears without
 * being asked, less the CPU of an idle period as long. Last, B's evaluation latency: OFREP requests
 * one after another for as long again, first without writes, then while they go on (bar: the
 * max with writes within 2x of the max without).
 *   pnpm bench:propagation      (BENCH_WRITES to change the 100 writes; BENCH_LARGE_FLAGS the 10,000)
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, machine, percentile, startApi } from "./api-process";
import { benchApiEnvironment, createBenchAdmin, createBenchDatabase, seedWorkspace, type SeedSize } from "./bench-database";

const WRITES = Number(process.env.BENCH_WRITES ?? 100);
const WARMUP = 10;
/** Writes over which B's CPU is measured, one every `CPU_GAP_MS`. */
const CPU_WRITES = 60;
const CPU_GAP_MS = 150;
const LARGE_FLAGS = Number(process.env.BENCH_LARGE_FLAGS ?? 10_000);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const BAR_P99_MS = 100;
const BAR_CPU_MS = 5;
/** Evaluation max latency during writes, as a multiple of the max without them. */
const BAR_STALL_RATIO = 2;
/** A write B has not served after this is lost, not slow: the bench stops. */
const GIVE_UP_MS = 10_000;
const FLAG = "flag_00001";

const SIZES: { name: string; size: SeedSize }[] = [
  { name: "20 flags, 200 tenants, 40 overrides", size: { flags: 20, tenants: 200, overridesPerFlag: 2, identities: 200 } },
  {
    name: `${LARGE_FLAGS.toLocaleString("en")} flags, 10,000 tenants, ${(LARGE_FLAGS * 10).toLocaleString("en")} overrides`,
    size: { flags: LARGE_FLAGS, tenants: 10_000, overridesPerFlag: 10, identities: 200 },
  },
];

interface Result {
  name: string;
  p50: number;
  p99: number;
  max: number;
  cpuPerWriteMs: number;
  /** B's evaluation latency (p99 and max, ms) with no writes, and while writes go on. */
  quiet: { p99: number; max: number };
  busy: { p99: number; max: number };
}

async function measure(name: string, size: SeedSize): Promise<Result> {
  const bench = await createBenchDatabase();
  const replicas: { stop(): Promise<void> }[] = [];
  try {
    const seeded = await seedWorkspace(bench.db, size);
    const admin = await createBenchAdmin(bench.db, seeded.workspaceId);
    await bench.db.close();

    // One environment for both (the same signing secret), each on its own port.
    const env = { ...benchApiEnvironment({ port: 0, databaseUrl: bench.url, redisUrl: REDIS_URL }), METRICS_PORT: "off" };
    const a = await startApi({ ...env, PORT: String(await freePort()) });
    replicas.push(a);
    const b = await startApi({ ...env, PORT: String(await freePort()) });
    replicas.push(b);

    const login = await fetch(`${a.url}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(admin) });
    if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
    const auth = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
    const stateUrl = `${a.url}/v1/workspaces/${seeded.slug}/flags/${FLAG}/environments/production`;

    /** Whether B serves the flag as switched on (any reason but DISABLED). */
    const servedOn = async () => {
      const res = await fetch(`${b.url}/ofrep/v1/evaluate/flags/${FLAG}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": seeded.keys.server },
        body: JSON.stringify({ context: { targetingKey: "probe", tenantKey: "tenant-7" } }),
      });
      if (!res.ok) throw new Error(`B answered ${res.status} ${await res.text()}`);
      return ((await res.json()) as { reason: string }).reason !== "DISABLED";
    };

    /** OFREP evaluations against B, one after another, until `until` resolves: each one's latency (ms), sorted. */
    async function evaluationLatencies(until: Promise<unknown>): Promise<number[]> {
      let isDone = false;
      void until.finally(() => (isDone = true));
      const latencies: number[] = [];
      while (!isDone) {
        const started = performance.now();
        await servedOn();
        latencies.push(performance.now() - started);
      }
      return latencies.sort((x, y) => x - y);
    }

    /** `CPU_WRITES` writes through A, one every `CPU_GAP_MS`; resolves with the last state written. */
    async function writeSteadily(): Promise<boolean> {
      let enabled = false;
      for (let i = 0; i < CPU_WRITES; i++) {
        const before = performance.now();
        enabled = await write();
        await sleep(Math.max(0, CPU_GAP_MS - (performance.now() - before)));
      }
      await sleep(CPU_GAP_MS);
      return enabled;
    }

    /** Switches the flag through A; resolves with the state written once A acknowledged it. */
    async function write(): Promise<boolean> {
      const current = (await (await fetch(stateUrl, { headers: auth })).json()) as { version: number; enabled: boolean };
      const enabled = !current.enabled;
      const res = await fetch(`${stateUrl}/enabled`, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json", "if-match": `"${current.version}"` },
        body: JSON.stringify({ enabled }),
      });
      if (!res.ok) throw new Error(`write through A: ${res.status} ${await res.text()}`);
      return enabled;
    }

    /** Milliseconds from A's acknowledgement of a write until B serves it. */
    async function propagation(): Promise<number> {
      const enabled = await write();
      const acknowledged = performance.now();
      while ((await servedOn()) !== enabled) {
        if (performance.now() - acknowledged > GIVE_UP_MS) throw new Error(`B did not serve a write within ${GIVE_UP_MS} ms`);
      }
      return performance.now() - acknowledged;
    }

    for (let i = 0; i < WARMUP; i++) await propagation();
    const delays: number[] = [];
    for (let i = 0; i < WRITES; i++) delays.push(await propagation());
    delays.sort((x, y) => x - y);

    // B's CPU: an idle period, then as long a period of writes it only hears about.
    const window = CPU_WRITES * CPU_GAP_MS;
    let started = b.cpuSeconds();
    await sleep(window);
    const idle = b.cpuSeconds() - started;
    started = b.cpuSeconds();
    const enabled = await writeSteadily();
    const busy = b.cpuSeconds() - started;
    if ((await servedOn()) !== enabled) throw new Error("B did not serve the last write of the CPU period");

    // B's evaluation latency: as long without writes, then as long with them.
    const quiet = await evaluationLatencies(sleep(window));
    const duringWrites = await evaluationLatencies(writeSteadily());

    return {
      name,
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
      max: delays.at(-1)!,
      cpuPerWriteMs: (Math.max(0, busy - idle) * 1000) / CPU_WRITES,
      quiet: { p99: percentile(quiet, 99), max: quiet.at(-1)! },
      busy: { p99: percentile(duringWrites, 99), max: duringWrites.at(-1)! },
    };
  } finally {
    for (const replica of replicas) await replica.stop();
    await bench.drop();
  }
}

const results: Result[] = [];
for (const { name, size } of SIZES) results.push(await measure(name, size));

console.log(`\nReplica propagation, ${WRITES} writes through A until B serves them (after ${WARMUP} warm-up writes); B's CPU over ${CPU_WRITES} writes; ${machine()}:\n`);
console.log("| environment | p50 ms | p99 ms | max ms | B's CPU per write | B's evaluation p99 / max, no writes | the same during writes | bars |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
for (const r of results) {
  const stall = r.busy.max / r.quiet.max;
  const bars = [
    `p99 < ${BAR_P99_MS} ms: ${r.p99 < BAR_P99_MS ? "met" : "MISSED"}`,
    `CPU < ${BAR_CPU_MS} ms: ${r.cpuPerWriteMs < BAR_CPU_MS ? "met" : "MISSED"}`,
    `max during writes ${stall.toFixed(2)}x (< ${BAR_STALL_RATIO}x): ${stall < BAR_STALL_RATIO ? "met" : "MISSED"}`,
  ].join("; ");
  const latency = (l: { p99: number; max: number }) => `${l.p99.toFixed(1)} / ${l.max.toFixed(1)} ms`;
  console.log(`| ${r.name} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.cpuPerWriteMs.toFixed(1)} ms | ${latency(r.quiet)} | ${latency(r.busy)} | ${bars} |`);
}
