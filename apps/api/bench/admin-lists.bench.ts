/**
 * Server time of the admin list routes at 1,000 flags x 1,000 tenants x 3 environments, and
 * again at 1,000 flags x 10,000 tenants x 3 environments.
 *
 *   pnpm bench:lists
 *   BENCH_TENANTS=10000 BENCH_RUNS=20 pnpm bench:lists     # one size, fewer rounds
 *
 * For each size in BENCH_TENANTS (default `1000,10000`), creates a fresh database on the local
 * PostgreSQL (BENCH_DATABASE_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/postgres),
 * migrates it, loads it with `scripts/seed-large.ts`, builds the app against it, and sends each
 * scenario's request in rounds that visit every scenario once (BENCH_RUNS rounds; default 100 at
 * 1,000 tenants and 30 above), through `app.inject`, recording Fastify's own
 * `reply.elapsedTime` (routing, auth, validation, service, queries, serialization). Prints a
 * Markdown table per size; drops each database unless KEEP_BENCH_DB=1. BENCH_DATABASE=<name>
 * reuses a database a kept run seeded (give the one size it was seeded at in BENCH_TENANTS).
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
  { name: "tenants: first page (admin: 25 rows, sort=name)", path: "/tenants?pageSize=25&sort=name&order=asc" },
  { name: "tenants: page 20, sort=key desc", path: "/tenants?page=20&pageSize=50&sort=key&order=desc" },
  { name: "tenants: search=Tenant 12", path: "/tenants?search=Tenant%2012&pageSize=25" },
  { name: "tenants: attr.plan=pro, sort=updatedAt", path: "/tenants?attr.plan=pro&sort=updatedAt&pageSize=25" },
  { name: "tenants: module=FIN, moduleState=off", path: "/tenants?module=FIN&moduleState=off&pageSize=25" },
  { name: "tenants: 200 keys (role editor's picker)", path: "/tenants?page=1&pageSize=200&sort=key" },
  { name: "tenants: flag=feature-0001 on, env=production (admin filter)", path: "/tenants?flag=feature-0001&flagState=on&env=production&flags=feature-0001&pageSize=25" },
  { name: "tenants: flag=feature-0004 off, env=production (admin filter)", path: "/tenants?flag=feature-0004&flagState=off&env=production&flags=feature-0004&pageSize=25" },
  { name: "tenants: flags=3 keys, env=production", path: "/tenants?flags=feature-0001,feature-0002,feature-0003&env=production&pageSize=25" },
  { name: "tenants: include=flags, env=production (default page: 10 rows x every flag)", path: "/tenants?include=flags&env=production" },
  { name: "tenants: include=flags, env=production, pageSize=50 (50 rows x every flag)", path: "/tenants?include=flags&env=production&pageSize=50" },
  { name: "tenant page: every flag's value, env=production", path: "/tenants/tenant-0001?env=production" },
  { name: "tenant overrides of feature-0001 in production", path: "/flags/feature-0001/environments/production/tenant-overrides?pageSize=50" },
  { name: "modules", path: "/modules?pageSize=50" },
  { name: "segments", path: "/segments?pageSize=50" },
];

const SIZES = (process.env.BENCH_TENANTS ?? "1000,10000").split(",").map((size) => Number(size.trim()));
const runsAt = (tenants: number) => Number(process.env.BENCH_RUNS ?? (tenants > 1_000 ? 30 : 100));
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
  if (SIZES.some((size) => !Number.isInteger(size) || size < 1)) throw new Error(`BENCH_TENANTS: sizes are whole numbers, comma-separated (got '${process.env.BENCH_TENANTS}')`);
  if (process.env.BENCH_DATABASE && SIZES.length !== 1) throw new Error("BENCH_DATABASE reuses one database: give the one size it was seeded at in BENCH_TENANTS");
  for (const tenants of SIZES) await runSize(tenants);
}

async function runSize(tenantCount: number) {
  const RUNS = runsAt(tenantCount);
  console.log(`\n## 1,000 flags x ${tenantCount.toLocaleString("en")} tenants x 3 environments`);
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
      const seeded = await seedLarge(db.prisma, { tenants: tenantCount });
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
