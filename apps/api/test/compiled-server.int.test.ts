import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, type Database } from "../src/infra/db/database";
import { createEmptyDatabase, type TestDatabase } from "./helpers/database";
import { createApiKey, createFlag } from "./helpers/evaluation-fixtures";
import { createWorkspace } from "./helpers/fixtures";

/**
 * The container's command line, `node apps/api/dist/server.js`, on the output of `pnpm build`:
 * an operator's release steps with the compiled CLI (migrate deploy, admin create) on an empty
 * database, then the server against the real PostgreSQL and Redis under evaluation load, stopped
 * by SIGTERM as an orchestrator stops it.
 */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SERVER = "apps/api/dist/server.js";
const CLI = "apps/api/dist/ensign.js";
const WORKERS = 8;
/** Requests each worker still sends once readiness says draining: answering goes on meanwhile. */
const WHILE_DRAINING = 3;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: REPO_ROOT, env: options.env ?? process.env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(options.stdin ?? "");
  });
}

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

/** Processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // The command name is in parentheses and may hold spaces: the parent pid follows its end.
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

interface Outcome {
  path: string;
  status?: number;
  error?: string;
  startedAfterDraining: boolean;
}

describe("the compiled server, as the container runs it", () => {
  let database: TestDatabase;
  let db: Database;
  let env: NodeJS.ProcessEnv;
  let apiKey: string;

  beforeAll(async () => {
    const build = await run("pnpm", ["--filter", "@ensign/api", "build"]);
    expect(build.code, build.stderr).toBe(0);

    database = await createEmptyDatabase();
    // What the image sets, plus the services of the deployment; nothing of this process's own
    // environment (no NODE_OPTIONS, no loaders): the container starts from a clean one.
    env = {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      DATABASE_URL: database.url,
      REDIS_URL: inject("redisUrl"),
      JWT_SECRET: randomBytes(32).toString("base64url"),
      LOG_LEVEL: "warn",
      METRICS_PORT: "off",
    };
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("migrates an empty database and makes the first admin with the compiled CLI", async () => {
    const deploy = await run(process.execPath, [CLI, "migrate", "deploy", "--json"], { env });
    expect(deploy.code, deploy.stderr).toBe(0);
    const { applied } = JSON.parse(deploy.stdout) as { applied: string[] };
    const shipped = readdirSync(path.join(REPO_ROOT, "prisma", "migrations"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(applied).toEqual(shipped);

    const admin = await run(process.execPath, [CLI, "admin", "create", "--email", "ops@example.com", "--password-stdin"], { env, stdin: "a long enough password\n" });
    expect(admin.code, admin.stderr).toBe(0);
    expect(admin.stdout).toContain("ops@example.com");

    db = await openDatabase({ url: database.url, dataDir: "memory://", poolSize: 2 });
    const ws = await createWorkspace(db);
    const production = ws.environments[2]!;
    await createFlag(db, ws.id, { key: "compiled_check", states: { [production.id]: { enabled: true } } });
    apiKey = (await createApiKey(db, ws.id, production.id, "client")).secret;
  });

  it("runs as node alone, answers everything in flight through SIGTERM and exits 0", async () => {
    expect(apiKey, "the first test prepares the database").toBeDefined();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server: ChildProcess = spawn(process.execPath, [SERVER], {
      cwd: REPO_ROOT,
      env: { ...env, PORT: String(port), MIGRATE_ON_START: "false", SHUTDOWN_DRAIN: "5s" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    server.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    server.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      server.once("exit", (code, signal) => resolve({ code, signal })),
    );
    let hasExited = false;
    void exited.then(() => (hasExited = true));

    try {
      for (let attempt = 0; ; attempt++) {
        expect(server.exitCode, output).toBeNull();
        const ready = await fetch(`${url}/readyz`).then((res) => res.status, () => 0);
        if (ready === 200) break;
        expect(attempt, `not ready within 60 s:\n${output}`).toBeLessThan(600);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      // The process the container's runtime signals is node on the compiled output, with no
      // wrapper around it and nothing started under it.
      const pid = server.pid!;
      expect(readlinkSync(`/proc/${pid}/exe`)).toBe(realpathSync(process.execPath));
      expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean)).toEqual([process.execPath, SERVER]);
      expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).not.toMatch(/tsx|pnpm/);
      expect(childrenOf(pid)).toEqual([]);

      // The built admin app is looked for where the build puts it.
      const adminDist = path.join(REPO_ROOT, "apps", "admin", "dist");
      const home = await fetch(`${url}/`);
      const homeBody = await home.text();
      if (home.status === 200) expect(homeBody).toMatch(/<!doctype html>/i);
      else expect(output).toContain(JSON.stringify(adminDist).slice(1, -1));

      // Load: workers alternate OFREP evaluations and /healthz over kept-alive connections. Like
      // a load balancer, they send no new work once readiness says draining, beyond a few
      // requests each that show the replica still answers while it drains.
      let drainingSeen = false;
      const readiness: string[] = [];
      const outcomes: Outcome[] = [];
      let done = false;
      const poller = (async () => {
        while (!done) {
          const body = await fetch(`${url}/readyz`).then((res) => res.json() as Promise<{ status: string }>, () => ({ status: "unreachable" }));
          readiness.push(body.status);
          if (body.status === "draining") drainingSeen = true;
          await new Promise((resolve) => setTimeout(resolve, 25));
          if (hasExited) break;
        }
      })();
      const worker = async (w: number) => {
        let afterDraining = 0;
        // Bounded: a server that stops answering ends the load rather than the test's patience.
        for (let n = 0; afterDraining < WHILE_DRAINING && !hasExited && n < 10_000; n++) {
          const startedAfterDraining = drainingSeen;
          if (startedAfterDraining) afterDraining++;
          const isOfrep = n % 2 === 0;
          const target = isOfrep ? "/ofrep/v1/evaluate/flags/compiled_check" : "/healthz";
          try {
            const res = await fetch(`${url}${target}`, {
              method: isOfrep ? "POST" : "GET",
              headers: isOfrep ? { "x-api-key": apiKey, "content-type": "application/json" } : {},
              body: isOfrep ? JSON.stringify({ context: { targetingKey: `user-${w}-${n}` } }) : undefined,
              signal: AbortSignal.timeout(10_000),
            });
            const body = (await res.json()) as { value?: unknown; status?: string };
            const valid = isOfrep ? body.value === true : body.status === "ok";
            outcomes.push({ path: target, status: valid ? res.status : -res.status, startedAfterDraining });
          } catch (error) {
            outcomes.push({ path: target, error: (error as Error).message, startedAfterDraining });
          }
        }
      };
      const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));

      while (outcomes.length < 400 || readiness.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.kill("SIGTERM")).toBe(true);
      await load;
      done = true;
      await poller;
      const { code, signal } = await exited;

      expect({ code, signal }, output).toEqual({ code: 0, signal: null });
      expect(outcomes.filter((o) => o.error !== undefined || o.status !== 200)).toEqual([]);
      expect(outcomes.filter((o) => o.startedAfterDraining)).toHaveLength(WORKERS * WHILE_DRAINING);
      expect(readiness).toContain("ready");
      expect(readiness).toContain("draining");
      expect(readiness.slice(readiness.indexOf("draining"))).not.toContain("ready");
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
      await exited;
    }
  }, 120_000);

  it("sends traces to an OTLP endpoint when the OTEL_* variables name one: HTTP, Fastify, PostgreSQL and Redis spans", async () => {
    expect(apiKey, "the first test prepares the database").toBeDefined();
    // A local OTLP/HTTP receiver, as a collector would take the spans.
    const spans: { scope: string; name: string; attributes: Record<string, unknown>; service: unknown }[] = [];
    const receiver = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        if (req.url === "/v1/traces") {
          const data = JSON.parse(body) as {
            resourceSpans: { resource: { attributes: { key: string; value: Record<string, unknown> }[] }; scopeSpans: { scope: { name: string }; spans: { name: string; attributes?: { key: string; value: Record<string, unknown> }[] }[] }[] }[];
          };
          for (const resource of data.resourceSpans) {
            const service = Object.values(resource.resource.attributes.find((a) => a.key === "service.name")?.value ?? {})[0];
            for (const scoped of resource.scopeSpans) {
              for (const span of scoped.spans) {
                const attributes = Object.fromEntries((span.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));
                spans.push({ scope: scoped.scope.name, name: span.name, attributes, service });
              }
            }
          }
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const collector = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawn(process.execPath, [SERVER], {
      cwd: REPO_ROOT,
      env: {
        ...env,
        PORT: String(port),
        MIGRATE_ON_START: "false",
        SHUTDOWN_DRAIN: "0s",
        OTEL_EXPORTER_OTLP_ENDPOINT: collector,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    server.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    server.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
    try {
      for (let attempt = 0; ; attempt++) {
        expect(server.exitCode, output).toBeNull();
        if ((await fetch(`${url}/readyz`).then((res) => res.status, () => 0)) === 200) break;
        expect(attempt, `not ready within 60 s:\n${output}`).toBeLessThan(600);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const evaluation = await fetch(`${url}/ofrep/v1/evaluate/flags/compiled_check`, {
        method: "POST",
        headers: { "x-api-key": apiKey, "content-type": "application/json" },
        body: JSON.stringify({ context: { targetingKey: "traced-user" } }),
      });
      expect(evaluation.status).toBe(200);
      // A sign-in reads PostgreSQL and counts attempts in Redis.
      const login = await fetch(`${url}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "ops@example.com", password: "not the password" }) });
      expect(login.status).toBe(401);

      const has = (predicate: (span: (typeof spans)[number]) => boolean) => spans.some(predicate);
      const wanted = {
        "an HTTP server span of the OFREP evaluation": (s: (typeof spans)[number]) => s.scope === "@opentelemetry/instrumentation-http" && String(s.attributes["url.path"] ?? s.attributes["http.target"] ?? "").startsWith("/ofrep/v1/evaluate/flags/compiled_check"),
        "a Fastify span of the sign-in route": (s: (typeof spans)[number]) => s.scope === "@fastify/otel" && String(s.attributes["http.route"] ?? s.name).includes("/v1/auth/login"),
        "a PostgreSQL query span": (s: (typeof spans)[number]) => s.scope === "@opentelemetry/instrumentation-pg" && s.name.startsWith("pg.query"),
        "a Redis span": (s: (typeof spans)[number]) => s.scope === "@opentelemetry/instrumentation-ioredis",
      };
      for (let attempt = 0; attempt < 300 && !Object.values(wanted).every(has); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
      const missing = Object.entries(wanted).filter(([, predicate]) => !has(predicate)).map(([what]) => what);
      expect(missing, JSON.stringify(spans.map((s) => [s.scope, s.name]))).toEqual([]);
      expect(spans.every((s) => s.service === "ensign")).toBe(true);
      // Probes are not traced.
      expect(spans.filter((s) => String(s.attributes["url.path"] ?? "").startsWith("/readyz"))).toEqual([]);
    } finally {
      if (server.exitCode === null) server.kill("SIGTERM");
      await exited;
      await new Promise((resolve) => receiver.close(resolve));
    }
  }, 120_000);

  it("walks an operator's first day: owner, workspace, environment, flag, key, evaluation, metrics, invitation, password change, drain", async () => {
    expect(apiKey, "the first test made the first owner with the compiled CLI").toBeDefined();
    const port = await freePort();
    const metricsPort = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawn(process.execPath, [SERVER], {
      cwd: REPO_ROOT,
      env: { ...env, PORT: String(port), METRICS_PORT: String(metricsPort), METRICS_HOST: "127.0.0.1", MIGRATE_ON_START: "false", SHUTDOWN_DRAIN: "2s", PUBLIC_URL: "https://flags.example.com" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    server.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    server.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
    const call = async (method: string, route: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
      const res = await fetch(`${url}${route}`, {
        method,
        headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body === undefined ? {} : { "content-type": "application/json" }), ...options.headers },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await res.text();
      return { status: res.status, etag: res.headers.get("etag"), body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
    };
    const signIn = async (email: string, password: string) => {
      const res = await call("POST", "/v1/auth/login", { body: { email, password } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.accessToken as string;
    };
    try {
      for (let attempt = 0; ; attempt++) {
        expect(server.exitCode, output).toBeNull();
        if ((await fetch(`${url}/readyz`).then((res) => res.status, () => 0)) === 200) break;
        expect(attempt, `not ready within 60 s:\n${output}`).toBeLessThan(600);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The owner the CLI made signs in and sets up a workspace.
      const owner = await signIn("ops@example.com", "a long enough password");
      expect((await call("POST", "/v1/workspaces", { token: owner, body: { slug: "first-day", name: "First Day" } })).status).toBe(201);
      const ws = "/v1/workspaces/first-day";
      expect((await call("POST", `${ws}/environments`, { token: owner, body: { key: "canary", name: "Canary" } })).status).toBe(201);
      expect((await call("POST", `${ws}/flags`, { token: owner, body: { key: "new_checkout", name: "New checkout" } })).status).toBe(201);
      const state = await call("GET", `${ws}/flags/new_checkout/environments/canary`, { token: owner });
      expect(state.status).toBe(200);
      const toggled = await call("PATCH", `${ws}/flags/new_checkout/environments/canary`, { token: owner, body: { enabled: true, fallthrough: { variant: "on" } }, headers: { "if-match": state.etag! } });
      expect(toggled.status, JSON.stringify(toggled.body)).toBe(200);
      const key = await call("POST", `${ws}/environments/canary/api-keys`, { token: owner, body: { name: "Checkout service", kind: "server" } });
      expect(key.status).toBe(201);
      const secret = key.body.secret as string;

      // A service evaluates over OFREP, and the evaluation shows on the metrics endpoint.
      const evaluation = await call("POST", "/ofrep/v1/evaluate/flags/new_checkout", { headers: { "x-api-key": secret }, body: { context: { targetingKey: "customer-1" } } });
      expect(evaluation.body).toMatchObject({ key: "new_checkout", value: true });
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((res) => res.text());
      expect(metrics).toMatch(/ensign_evaluations_total\{[^}]*environment="canary"[^}]*\} [1-9]/);

      // A second person joins by invitation, accepts and signs in.
      const invitation = await call("POST", `${ws}/invitations`, { token: owner, body: { email: "dev@example.com", role: "editor" } });
      expect(invitation.status, JSON.stringify(invitation.body)).toBe(201);
      const token = (invitation.body.acceptUrl as string).split("/invite/")[1]!;
      const accepted = await call("POST", "/v1/invitations/accept-new", { body: { token, name: "Dev", password: "the first password" } });
      expect(accepted.status, JSON.stringify(accepted.body)).toBeLessThan(300);
      const laptop = await signIn("dev@example.com", "the first password");
      const phone = await signIn("dev@example.com", "the first password");
      expect((await call("GET", `${ws}/flags`, { token: phone })).status).toBe(200);

      // A password change ends the other session at once.
      const changed = await call("POST", "/v1/auth/password", { token: laptop, body: { currentPassword: "the first password", newPassword: "the second password" } });
      expect(changed.status, JSON.stringify(changed.body)).toBeLessThan(300);
      expect((await call("GET", `${ws}/flags`, { token: phone })).status).toBe(401);
      expect((await call("POST", "/v1/auth/login", { body: { email: "dev@example.com", password: "the first password" } })).status).toBe(401);
      await signIn("dev@example.com", "the second password");

      // SIGTERM: the replica says it is draining, still answers, then exits cleanly.
      server.kill("SIGTERM");
      let drained = false;
      for (let attempt = 0; attempt < 100 && !drained; attempt++) {
        const readiness = await fetch(`${url}/readyz`).then((res) => res.json() as Promise<{ status: string }>, () => ({ status: "gone" }));
        drained = readiness.status === "draining";
        if (!drained) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(drained, output).toBe(true);
      expect((await call("POST", "/ofrep/v1/evaluate/flags/new_checkout", { headers: { "x-api-key": secret }, body: { context: { targetingKey: "customer-2" } } })).body).toMatchObject({ value: true });
      expect(await exited).toBe(0);
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
      await exited;
    }
  }, 120_000);
});
