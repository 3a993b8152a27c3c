/**
 * Propagation between replicas: two API processes on a fresh database (the machine's PostgreSQL)
 * and the machine's Redis, as a scaled-out deployment runs them. Each write switches a flag on or
 * off in production through replica A's admin API; from A's acknowledgement, replica B is asked
 * over OFREP, one request after another, until it serves the new state. 100 writes after 10
 * warm-up writes; p50, p99 and max against the bar: p99 under 100 ms.
 *   pnpm bench:propagation      (BENCH_WRITES to change the 100)
 */
import { performance } from "node:perf_hooks";
import { freePort, machine, percentile, startApi } from "./api-process";
import { benchApiEnvironment, createBenchAdmin, createBenchDatabase, seedWorkspace } from "./bench-database";

const WRITES = Number(process.env.BENCH_WRITES ?? 100);
const WARMUP = 10;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const BAR_P99_MS = 100;
/** A write B has not served after this is lost, not slow: the bench stops. */
const GIVE_UP_MS = 10_000;
const FLAG = "flag_00001";

const bench = await createBenchDatabase();
const replicas: { stop(): Promise<void> }[] = [];
try {
  const seeded = await seedWorkspace(bench.db, { flags: 20, tenants: 200, overridesPerFlag: 2, identities: 200 });
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

  /** Switches the flag through A; milliseconds from A's acknowledgement until B serves it. */
  async function propagation(): Promise<number> {
    const current = (await (await fetch(stateUrl, { headers: auth })).json()) as { version: number; enabled: boolean };
    const enabled = !current.enabled;
    const res = await fetch(`${stateUrl}/enabled`, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json", "if-match": `"${current.version}"` },
      body: JSON.stringify({ enabled }),
    });
    if (!res.ok) throw new Error(`write through A: ${res.status} ${await res.text()}`);
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
  const [p50, p99, max] = [percentile(delays, 50), percentile(delays, 99), delays.at(-1)!];
  console.log(`\nReplica propagation, ${WRITES} writes through A until B serves them (after ${WARMUP} warm-up writes); ${machine()}:\n`);
  console.log("| p50 ms | p99 ms | max ms | bar |");
  console.log("| ---: | ---: | ---: | --- |");
  console.log(`| ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${max.toFixed(1)} | p99 < ${BAR_P99_MS} ms: ${p99 < BAR_P99_MS ? "met" : "MISSED"} |`);
} finally {
  for (const replica of replicas) await replica.stop();
  await bench.drop();
}
