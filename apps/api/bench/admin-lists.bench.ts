/**
 * Server time of the admin list routes at 1,000 flags x 1,000 tenants x 3 environments.
 *
 *   pnpm bench:lists
 *
 * Creates a fresh database on the local PostgreSQL (BENCH_DATABASE_ADMIN_URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres), migrates it, loads it with
 * `scripts/seed-large.ts`, builds the app against it, and sends each scenario's request ~100
 * times through `app.inject` (in rounds that visit every scenario once), recording Fastify's own `reply.elapsedTime` (routing, auth,
 * validation, service, queries, serialization). Prints a Markdown table; drops the database
 * unless KEEP_BENCH_DB=1. BENCH_DATABASE=<name> reuses a database a kept run seeded.
 *
 * The first scenario is a baseline on the same machine in the same run: an authenticated read
 * of the workspace (auth, one transaction, one small query). The machine is shared and noisy;
 * compare the list routes against it.
 *
 * Other modules add their list routes to SCENARIOS.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import pg from "pg";
import { buildApp } from "../src/app";
import { loadConfig } from "../src/config";
import { createMemoryCache } from "../src/infra/cache/memory-cache";
import { openDatabase } from "../src/infra/db/database";
import { runMigrations } from "../src/infra/db/migrate";
import { hashPassword } from "../src/modules/auth/passwords";
import { seedLarge } from "../scripts/seed-large";

interface Scenario {
  name: string;
  /** Relative to `/v1/workspaces/<slug>`. */
  path: string;
}

export const SCENARIOS: Scenario[] = [
  { name: "baseline: GET workspace (auth + one small query)", path: "" },
  { name: "flags: first page, every environment", path: "/flags" },
  { name: "flags: env=production", path: "/flags?env=production" },
  { name: "flags: env=production, state=partial", path: "/flags?env=production&state=partial" },
  { name: "flags: env=production, state=on", path: "/flags?env=production&state=on" },
  { name: "flags: env=production, state=off, sort=updatedAt desc", path: "/flags?env=production&state=off&sort=updatedAt&order=desc" },
  { name: "flags: search=dashboard, env=production", path: "/flags?search=dashboard&env=production" },
  { name: "flags: module=FIN, tag=pricing, env=production", path: "/flags?module=FIN&tag=pricing&env=production" },
  { name: "flags: type=boolean, beta=true, env=staging", path: "/flags?type=boolean&beta=true&env=staging" },
  { name: "flags: page 15 of 50, sort=name", path: "/flags?page=15&pageSize=50&sort=name&env=production" },
  { name: "flags: pageSize=200, env=production", path: "/flags?pageSize=200&env=production" },
  { name: "flags: archived=true", path: "/flags?archived=true&env=production" },
  { name: "flag detail: every environment", path: "/flags/feature-0001" },
  { name: "flags: sort=status, env=production", path: "/flags?env=production&sort=status&pageSize=100" },
  { name: "flags: sort=rollout desc, env=production", path: "/flags?env=production&sort=rollout&order=desc&pageSize=100" },
  { name: "flags: sort=rules desc, page 5, env=production", path: "/flags?env=production&sort=rules&order=desc&page=5&pageSize=100" },
  { name: "overview: env=production (every aggregate, one statement)", path: "/overview?env=production" },
  { name: "user overrides of an environment, q=user", path: "/environments/production/user-overrides?q=user&pageSize=100" },
];

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const WARMUP = 10;
const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main() {
  const reused = process.env.BENCH_DATABASE;
  const name = reused ?? `ensign_bench_${randomBytes(5).toString("hex")}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  if (!reused) await admin(`CREATE DATABASE ${name}`);
  const db = await openDatabase({ url: url.toString(), dataDir: "memory://", poolSize: 10 });
  try {
    let seed: { workspaceId: string; slug: string };
    if (reused) {
      const workspace = await db.prisma.workspace.findUniqueOrThrow({ where: { slug: "large" }, select: { id: true, slug: true } });
      seed = { workspaceId: workspace.id, slug: workspace.slug };
    } else {
      await runMigrations(db.sql);
      const seeding = performance.now();
      const seeded = await seedLarge(db.prisma);
      await db.sql.exec("VACUUM ANALYZE");
      console.log(`Seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s:`, seeded.counts);
      seed = seeded;
    }

    const email = `bench-owner-${randomBytes(4).toString("hex")}@ensign.local`;
    const password = "bench-owner-password";
    const user = await db.prisma.user.create({ data: { email, name: "Bench Owner", passwordHash: await hashPassword(password) } });
    await db.prisma.membership.create({ data: { workspaceId: seed.workspaceId, userId: user.id, role: "owner" } });

    const config = loadConfig({
      NODE_ENV: "test",
      DATABASE_URL: url.toString(),
      JWT_SECRET: "bench-secret-that-is-long-enough-for-hs256",
      LOG_LEVEL: "silent",
      SEED_DEMO: "false",
      MIGRATE_ON_START: "false",
      SCHEDULER_ENABLED: "false",
      ADMIN_DIST: "/nonexistent",
      LOGIN_RATE_LIMIT: "1000",
    });
    const cache = createMemoryCache();
    const app = await buildApp({ config, db, cache });
    let current: number[] = [];
    app.addHook("onResponse", async (_request, reply) => {
      current.push(reply.elapsedTime);
    });
    await app.ready();
    const login = await app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password } });
    const headers = { authorization: `Bearer ${login.json().accessToken}` };

    // Rounds visit every scenario once, so the machine's noise falls on all of them alike.
    const timings = SCENARIOS.map(() => [] as number[]);
    const totals = SCENARIOS.map(() => 0);
    const loadBefore = loadavg()[0]!;
    for (let round = 0; round < WARMUP + RUNS; round++) {
      for (const [i, scenario] of SCENARIOS.entries()) {
        current = round < WARMUP ? [] : timings[i]!;
        const res = await app.inject({ method: "GET", url: `/v1/workspaces/${seed.slug}${scenario.path}`, headers });
        if (res.statusCode !== 200) throw new Error(`${scenario.name}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        totals[i] = (res.json() as { total?: number }).total ?? 1;
      }
    }
    await app.close();

    const p50s = timings.map((t) => percentile([...t].sort((a, b) => a - b), 50));
    const rows = SCENARIOS.map((scenario, i) => {
      const sorted = [...timings[i]!].sort((a, b) => a - b);
      const cells = [scenario.name, String(totals[i]), ...[50, 95, 99].map((p) => percentile(sorted, p).toFixed(1)), sorted.at(-1)!.toFixed(1), (p50s[i]! - p50s[0]!).toFixed(1)];
      return `| ${cells.join(" | ")} |`;
    });
    console.log(`\n${RUNS} rounds over every scenario after ${WARMUP} warm-up rounds; server time from Fastify's reply.elapsedTime, in ms.`);
    console.log(`Load average (1 min) ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${cpus().length} cores.\n`);
    console.log("| scenario | matches | p50 | p95 | p99 | max | p50 − baseline p50 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    console.log(rows.join("\n"));
  } finally {
    await db.close();
    if (process.env.KEEP_BENCH_DB === "1" || reused) console.log(`Kept database ${name}.`);
    else await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

await main();
