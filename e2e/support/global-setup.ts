import { request, type FullConfig } from "@playwright/test";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, openSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { USERS, type RoleName } from "./users";
import { adminSql, DATABASE_HOST } from "./database";
import { RUN_FILE, type E2eApi } from "./run";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: { exitCode: number | null }, index: number, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}; see test-results/e2e-api-${index}.log`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the API did not become healthy within ${timeoutMs} ms`);
}

/** `pnpm --filter <app> build`, failing the run with the build's own output. */
function build(app: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("pnpm", ["--filter", app, "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`building ${app} failed (exit ${code})`))));
  });
}

/** Starts one API on a free port with a fresh database of the demo data; its log goes to test-results/. */
async function startApi(index: number, portalPorts: number[]): Promise<E2eApi> {
  const database = `ensign_e2e_${randomBytes(5).toString("hex")}`;
  await adminSql(`CREATE DATABASE ${database}`);
  const port = await freePort();
  const log = openSync(new URL(`../../test-results/e2e-api-${index}.log`, import.meta.url), "w");
  const child = spawn("pnpm", ["exec", "tsx", "apps/api/src/server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: `postgresql://postgres@${DATABASE_HOST}/${database}`,
      REDIS_URL: process.env.E2E_REDIS_URL ?? "redis://127.0.0.1:6379",
      JWT_SECRET: randomBytes(32).toString("hex"),
      SEED_DEMO: "true",
      MIGRATE_ON_START: "true",
      LOG_LEVEL: "warn",
      LOGIN_RATE_LIMIT: "1000",
      // The retention job runs often, so a spec sees an export appear without waiting an hour.
      AUDIT_RETENTION_INTERVAL: "2s",
      // The producer portal demo (e2e/admin-to-portal.spec.ts) calls the API from its own origin.
      CORS_ORIGINS: portalPorts.map((p) => `http://127.0.0.1:${p}`).join(","),
      // Webhook specs deliver to receivers they start on 127.0.0.1; deliveries go out within a second.
      OUTBOUND_ALLOW: "127.0.0.1",
      WEBHOOK_INTERVAL: "500ms",
      ADMIN_DIST: fileURLToPath(new URL("../../apps/admin/dist", import.meta.url)),
    },
    stdio: ["ignore", log, log],
    detached: true,
  });
  const api = { database, baseURL: `http://127.0.0.1:${port}`, portalPort: portalPorts[index]!, pid: child.pid };
  try {
    await waitForHealth(api.baseURL, child, index);
  } catch (error) {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
    await adminSql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    throw error;
  }
  return api;
}

/**
 * The end-to-end run's world: the admin app and the portal demo built, and one API per
 * Playwright worker, each with a fresh database of the demo data, serving the admin app on a free
 * port with the local Redis. Every demo role can sign in to each.
 */
export default async function globalSetup(config: FullConfig) {
  mkdirSync(new URL("../../test-results/", import.meta.url), { recursive: true });
  writeFileSync(RUN_FILE, JSON.stringify({ apis: [] }));

  // The admin app (served by the API) and the producer portal demo (served by the portal specs),
  // each built once for the whole run, side by side.
  if (!process.env.E2E_SKIP_BUILD) await Promise.all(["@ensign/admin", "@ensign/portal-demo"].map(build));

  const workers = Math.max(1, config.workers);
  const portalPorts = await Promise.all(Array.from({ length: workers }, () => freePort()));
  const started = await Promise.allSettled(portalPorts.map((_, index) => startApi(index, portalPorts)));
  const apis = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  // The teardown stops what did start, even when another API failed to.
  writeFileSync(RUN_FILE, JSON.stringify({ apis }));
  const failed = started.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;

  // Every role can sign in: a broken seed fails the run here, once, instead of in every test.
  // Tests then sign in for themselves (support/fixtures.ts), a session each.
  for (const { baseURL } of apis) {
    for (const role of Object.keys(USERS) as RoleName[]) {
      const context = await request.newContext({ baseURL });
      const res = await context.post("/v1/auth/login", { data: USERS[role] });
      if (!res.ok()) throw new Error(`signing in as ${role} at ${baseURL} failed: ${res.status()} ${await res.text()}`);
      await context.dispose();
    }
  }
}
