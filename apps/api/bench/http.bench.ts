/**
 * HTTP evaluation bench (SPEC §7): the API, compiled as production runs it, on a fresh database seeded here (real PostgreSQL and
 * Redis) with environments of 10, 100 and 1,000 flags, a bare Fastify route as the baseline, both
 * started the same way in their own processes; autocannon drives them from this third process. 50 connections, 10 s per run,
 * scenarios interleaved, medians of 3 runs. On Linux with two cores or more, the load generator
 * runs on the first core and the servers on the others (BENCH_PIN=0 to leave scheduling to the
 * system), so they do not take turns on one core.
 *   pnpm bench:http            (BENCH_SECONDS, BENCH_RUNS, BENCH_CONNECTIONS to change)
 */
import autocannon from "autocannon";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { compiledServer } from "./api-process";
import { benchApiEnvironment, createBenchDatabase, seedWorkspace } from "./bench-database";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const API_PORT = 3917;
const BARE_PORT = 3918;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The cores the servers run on when pinned: all but the first, which the load generator keeps. */
const SERVER_CORES = (() => {
  const count = cpus().length;
  if (process.env.BENCH_PIN === "0" || process.platform !== "linux" || count < 2) return undefined;
  if (spawnSync("taskset", ["-p", "-c", "0", String(process.pid)]).status !== 0) return undefined;
  return `1-${count - 1}`;
})();

function start(file: string, env: Record<string, string>): ChildProcess {
  const node = file.endsWith(".ts") ? [process.execPath, "--import", "tsx", file] : [process.execPath, file];
  const [command, ...args] = SERVER_CORES ? ["taskset", "-c", SERVER_CORES, ...node] : node;
  const child = spawn(command!, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  child.on("exit", (code) => {
    if (code && code !== 0) console.error(`${file} exited with ${code}`);
  });
  return child;
}

async function ready(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

interface Scenario {
  name: string;
  options: autocannon.Options;
  /** The server process answering this scenario, whose CPU time is measured. */
  server: ChildProcess;
}

/** CPU time (user + system) a process has used so far, in ms — from /proc, so noise from other processes does not count. */
function cpuMs(child: ChildProcess): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function run(options: autocannon.Options, seconds: number): Promise<autocannon.Result> {
  return autocannon({ connections: CONNECTIONS, duration: seconds, pipelining: 1, ...options });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const bench = await createBenchDatabase();
const children: ChildProcess[] = [];
try {
  // Three workspaces of 10, 100 and 1,000 boolean flags (two rules, a split fallthrough,
  // allow/deny lists and tenant overrides each), 1,000 tenants each: cost per flag is the slope.
  const SIZES = [10, 100, 1_000] as const;
  const workspaces = [];
  for (const flags of SIZES) workspaces.push(await seedWorkspace(bench.db, { flags, tenants: 1_000, overridesPerFlag: 5, identities: 100 }));
  await bench.db.close();
  const api = `http://127.0.0.1:${API_PORT}`;
  const apiServer = start(compiledServer(), benchApiEnvironment({ port: API_PORT, databaseUrl: bench.url, redisUrl: REDIS_URL }));
  const bareServer = start(here("./bare-server.ts"), { PORT: String(BARE_PORT) });
  children.push(apiServer, bareServer);
  await Promise.all([ready(`${api}/healthz`), ready(`http://127.0.0.1:${BARE_PORT}/bare`)]);

  const context = { targetingKey: "user-42", tenantKey: "tenant-10", role: "owner", country: "US" };
  const body = JSON.stringify({ context });
  // OFREP as a backend calls it (server key, context in the body); the portal endpoint as a
  // browser calls it (client key, the context in a token the portal's backend signed).
  const portalToken = (secret: string) =>
    new SignJWT({ tenantKey: "tenant-10", role: "owner", attributes: { country: "US" } })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-42")
      .setExpirationTime("2h")
      .sign(new TextEncoder().encode(secret));
  const scenarios: Scenario[] = [
    { name: "bare Fastify route (baseline)", server: bareServer, options: { url: `http://127.0.0.1:${BARE_PORT}/bare` } },
    {
      name: "bare Fastify POST route with a JSON body (reference)",
      server: bareServer,
      options: { url: `http://127.0.0.1:${BARE_PORT}/bare`, method: "POST", headers: { "content-type": "application/json" }, body },
    },
    {
      name: "OFREP single flag",
      server: apiServer,
      options: { url: `${api}/ofrep/v1/evaluate/flags/flag_00007`, method: "POST", headers: { "content-type": "application/json", "x-api-key": workspaces[1]!.keys.server }, body },
    },
  ];
  for (const [i, flags] of SIZES.entries()) {
    const seeded = workspaces[i]!;
    scenarios.push({
      name: `OFREP bulk (${flags} flags)`,
      server: apiServer,
      options: { url: `${api}/ofrep/v1/evaluate/flags`, method: "POST", headers: { "content-type": "application/json", "x-api-key": seeded.keys.server }, body },
    });
    scenarios.push({
      name: `/v1/flags, signed token (${flags} flags)`,
      server: apiServer,
      options: { url: `${api}/v1/flags?keys=camel`, headers: { "x-api-key": seeded.keys.client, "x-ensign-context": await portalToken(seeded.production.contextSecret) } },
    });
  }

  // Check every scenario answers 200 before measuring anything.
  for (const { name, options } of scenarios) {
    const res = await fetch(options.url, { method: options.method ?? "GET", headers: options.headers as Record<string, string>, body: options.body as string | undefined });
    if (res.status !== 200) throw new Error(`${name}: ${res.status} ${await res.text()}`);
  }
  for (const { options } of scenarios) await run(options, 2); // warm-up: JIT, caches, connections

  const results = new Map<string, { rps: number[]; p50: number[]; p99: number[]; cpu: number[]; errors: number }>();
  for (let round = 1; round <= RUNS; round++) {
    for (const { name, options, server } of scenarios) {
      const cpuBefore = cpuMs(server);
      const r = await run(options, SECONDS);
      const cpuPerRequest = ((cpuMs(server) - cpuBefore) * 1000) / r.requests.total;
      const entry = results.get(name) ?? { rps: [], p50: [], p99: [], cpu: [], errors: 0 };
      entry.cpu.push(cpuPerRequest);
      entry.rps.push(r.requests.average);
      entry.p50.push(r.latency.p50);
      entry.p99.push(r.latency.p99);
      entry.errors += r.errors + r.non2xx;
      results.set(name, entry);
      console.error(`run ${round}/${RUNS} ${name}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${cpuPerRequest.toFixed(0)} µs CPU/request`);
    }
  }

  const baseline = results.get(scenarios[0]!.name)!;
  const pinning = SERVER_CORES ? `load generator on core 0, servers on cores ${SERVER_CORES}` : "not pinned to cores";
  console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per run, medians of ${RUNS} runs, ${pinning}:\n`);
  console.log("| scenario | req/s | p50 ms | p99 ms | req/s vs baseline | server CPU µs/request | CPU vs baseline | errors |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, r] of results) {
    const rps = median(r.rps);
    const cpu = median(r.cpu);
    const cells = [name, Math.round(rps), median(r.p50), median(r.p99), `${((rps / median(baseline.rps)) * 100).toFixed(0)} %`];
    cells.push(cpu.toFixed(0), `${((median(baseline.cpu) / cpu) * 100).toFixed(0)} %`, r.errors);
    console.log(`| ${cells.join(" | ")} |`);
  }
  // Each bar is worked out within each round (a scenario against the same round's baseline,
  // measured a minute apart at most), then the median of the rounds is taken: on a shared
  // machine whose speed drifts between rounds, medians of raw figures taken in different
  // rounds would compare a fast round's baseline with a slow round's scenario.
  const perRound = (figure: (round: number) => number) => median(Array.from({ length: RUNS }, (_, round) => figure(round)));
  const ratio = (name: string, baseline: string) => perRound((round) => results.get(name)!.rps[round]! / results.get(baseline)!.rps[round]!);
  const bareGet = scenarios[0]!.name;
  const barePost = scenarios[1]!.name;
  const percent = (value: number) => `${(value * 100).toFixed(0)} %`;
  console.log("\nBars (issue: bulk and portal evaluation near the wire's limit), each the median of the rounds' own ratios:\n");
  console.log(`- /v1/flags, 10 flags: ${percent(ratio("/v1/flags, signed token (10 flags)", bareGet))} of the bare GET (bar ≥ 70 %)`);
  console.log(`- /v1/flags, 100 flags: ${percent(ratio("/v1/flags, signed token (100 flags)", bareGet))} of the bare GET (bar ≥ 50 %)`);
  console.log(`- OFREP single: ${percent(ratio("OFREP single flag", barePost))} of the bare POST (bar ≥ 90 %)`);
  console.log(`- OFREP bulk, 100 flags: ${percent(ratio("OFREP bulk (100 flags)", barePost))} of the bare POST (bar ≥ 40 %)`);
  for (const kind of ["OFREP bulk", "/v1/flags, signed token"]) {
    const name = (flags: number) => (kind === "OFREP bulk" ? `OFREP bulk (${flags} flags)` : `${kind} (${flags} flags)`);
    const slope = perRound((round) => ((results.get(name(1_000))!.cpu[round]! - results.get(name(100))!.cpu[round]!) / 900) * 1000);
    console.log(`- ${kind}: marginal server CPU per flag (100 → 1,000 flags) ${slope.toFixed(0)} ns (bar ≤ 300 ns)`);
  }
  const worstP99 = (sizes: RegExp) => Math.max(...[...results.entries()].filter(([name]) => !name.startsWith("bare") && sizes.test(name)).map(([, r]) => median(r.p99)));
  console.log(`- worst p99 of Ensign's scenarios up to 100 flags: ${worstP99(/single|\((10|100) flags\)/)} ms at ${CONNECTIONS} connections (bar < 10 ms)`);
  // Little's law: with every connection always waiting, latency = connections / throughput.
  console.log(`- worst p99 at 1,000 flags: ${worstP99(/\(1000 flags\)/)} ms (with ${CONNECTIONS} connections always waiting, the mean alone is ${CONNECTIONS} / req/s)`);
  console.log("\nPer round (req/s against the round's own bare route; CPU µs per request):\n");
  for (const [name, r] of results) {
    const against = name.startsWith("OFREP") || name.includes("POST") ? barePost : bareGet;
    const cells = r.rps.map((rps, round) => `${percent(rps / results.get(against)!.rps[round]!)} / ${r.cpu[round]!.toFixed(0)} µs`);
    console.log(`- ${name}: ${cells.join(", ")}`);
  }
} finally {
  for (const child of children) child.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 500));
  await bench.drop();
}
