import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/infra/db/database";
import { buildSnapshot } from "../../src/modules/snapshots/snapshot-builder";
import { canonicalContent } from "../../src/modules/snapshots/snapshot-deltas";
import { snapshotsRepository } from "../../src/modules/snapshots/snapshots.repository";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createApiKey, createFlag } from "../helpers/evaluation-fixtures";
import { createMember, createWorkspace, PASSWORD } from "../helpers/fixtures";
import { startRedis, startTcpProxy } from "../helpers/outages";
import { HANG_GUARD_MS } from "../helpers/wait";
import { startLoad, type Load, type LoadStats } from "./load";
import { createProbe } from "./probe";
import { createReplica, type Replica } from "./replica";
import { checkWrites, isAcknowledged, startWriter, type WriteAttempt } from "./writer";

const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_SECONDS ?? 10) * 1_000;
const EVAL_RATE = Number(process.env.FAULT_EVAL_RATE ?? 300);
const WRITE_EVERY_MS = 250;
// Production refuses guessable signing secrets: the suite makes a random one, as operators do.
const JWT_SECRET = randomBytes(32).toString("base64url");
const RESULTS = new URL("./results.json", import.meta.url);
/**
 * How long a change may take to reach the other replica before the suite calls it lost. Not a
 * speed bar (`pnpm bench:propagation` measures that): the replicas' routine poll is an hour away,
 * so with Redis up a change that arrives at all came by message, and with Redis down by the
 * outage's one-second polling.
 */
const PROPAGATION_DEADLINE_MS = HANG_GUARD_MS;
/** How long the replicas may take to be ready and pass changes to each other again after a fault. */
const RECOVERY_DEADLINE_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Row {
  scenario: string;
  evaluations: { answered: number; failed: number; failovers: number; maxLatencyMs: number };
  writes: { attempted: number; acknowledged: number; presentWithAudit: number; refused: Record<string, number>; unaudited: number };
  recoveryMs: number | undefined;
  notes: Record<string, number | string | undefined>;
}

describe("two API replicas under evaluation load while their services fail", () => {
  let database: TestDatabase;
  let db: Database;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let pgProxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let a: Replica;
  let b: Replica;
  let load: Load;
  let probe: ReturnType<typeof createProbe>;
  let token: string;
  let serverKey: string;
  let prodId: string;
  const metricsUrls = new Map<Replica, string>();
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let scope: Parameters<typeof checkWrites>[1];
  const writerTenants: string[] = [];
  const rows: Row[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase({ url: database.url, dataDir: "memory://", poolSize: 2 });
    redis = await startRedis();
    pgProxy = await startTcpProxy(5432);

    ws = await createWorkspace(db);
    const prod = ws.environments[2]!;
    const toggle = await createFlag(db, ws.id, { key: "fault_toggle", states: { [prod.id]: { enabled: true } } });
    const override = await createFlag(db, ws.id, { key: "fault_override", states: { [prod.id]: { enabled: true } } });
    await createFlag(db, ws.id, { key: "fault_probe", states: { [prod.id]: { enabled: false } } });
    for (let i = 0; i < 20; i++) {
      await createFlag(db, ws.id, {
        key: `feature_${i}`,
        states: { [prod.id]: { enabled: true, rules: [{ conditions: [{ attribute: "tenantKey", operator: "in", values: [`tenant-${i}`] }], serve: { variant: "off" } }] } },
      });
    }
    await db.prisma.tenant.createMany({ data: Array.from({ length: 50 }, (_, i) => ({ workspaceId: ws.id, key: `tenant-${i}`, name: `Tenant ${i}` })) });
    for (let i = 0; i < 1_000; i++) writerTenants.push(`written-${i}`);
    await db.prisma.tenant.createMany({ data: writerTenants.map((key) => ({ workspaceId: ws.id, key, name: key })) });
    const apiKey = (await createApiKey(db, ws.id, prod.id, "client")).secret;
    serverKey = (await createApiKey(db, ws.id, prod.id, "server")).secret;
    prodId = prod.id;
    const admin = await createMember(db, ws.id, "admin");
    const toggleState = await db.prisma.flagState.findUniqueOrThrow({ where: { flagId_environmentId: { flagId: toggle.id, environmentId: prod.id } } });
    scope = { workspaceId: ws.id, environmentId: prod.id, toggleFlagId: toggle.id, overrideFlagId: override.id, toggleBaseVersion: toggleState.version };

    const env = {
      NODE_ENV: "production",
      DATABASE_URL: database.url.replace(":5432/", `:${pgProxy.port}/`),
      REDIS_URL: redis.url,
      JWT_SECRET,
      LOG_LEVEL: "warn",
      MIGRATE_ON_START: "false",
      SEED_DEMO: "false",
      ADMIN_DIST: "/nonexistent",
      LOGIN_RATE_LIMIT: "1000",
      // Longer than the load client's readiness checks (200 ms), as in production it is longer than the balancer's.
      SHUTDOWN_DRAIN: "1s",
      // Changes travel by message (or, while Redis is down, by the one-second outage polling) only.
      SNAPSHOT_POLL_INTERVAL: "1h",
    };
    const [portA, portB, metricsA, metricsB] = [await freePort(), await freePort(), await freePort(), await freePort()];
    a = createReplica({ name: "replica-a", port: portA, env: { ...env, METRICS_PORT: String(metricsA), METRICS_HOST: "127.0.0.1" } });
    b = createReplica({ name: "replica-b", port: portB, env: { ...env, METRICS_PORT: String(metricsB), METRICS_HOST: "127.0.0.1" } });
    metricsUrls.set(a, `http://127.0.0.1:${metricsA}/metrics`).set(b, `http://127.0.0.1:${metricsB}/metrics`);
    await Promise.all([a.start(), b.start()]);

    const login = await fetch(`${a.url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: admin.email, password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { accessToken: string }).accessToken;
    probe = createProbe({ token, workspace: ws.slug, environment: "production", flag: "fault_probe", apiKey });

    load = await startLoad({ targets: [a.url, b.url], apiKey, flagKey: "fault_toggle", rate: EVAL_RATE });
    await sleep(2_000);
    const warm = await load.report();
    expect(warm.failures).toEqual([]);
    expect(warm.answered).toBeGreaterThan(0);
  }, 120_000);

  afterAll(async () => {
    await load?.stop().catch(() => load.kill());
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
    pgProxy?.close();
    await db?.close();
    await database?.drop();
    if (rows.length) {
      writeFileSync(RESULTS, `${JSON.stringify({ at: new Date().toISOString(), outageMs: OUTAGE_MS, evalRate: EVAL_RATE, writeEveryMs: WRITE_EVERY_MS, scenarios: rows }, null, 2)}\n`);
      printTable(rows);
    }
  }, 60_000);

  /**
   * Runs one fault under evaluation load and steady admin writes, then checks the writes
   * against PostgreSQL and records a row of the results table.
   */
  async function underFire(scenario: string, fault: (writer: { attempts: WriteAttempt[] }) => Promise<{ recoveryMs: number | undefined; notes?: Row["notes"] }>) {
    await load.reset();
    const writer = startWriter({
      targets: [a.url, b.url],
      token,
      workspace: ws.slug,
      toggleFlag: "fault_toggle",
      overrideFlag: "fault_override",
      environment: "production",
      tenants: writerTenants,
      everyMs: WRITE_EVERY_MS,
      prefix: `fault-${scenario.slice(0, 1)}-${Date.now().toString(36)}`,
    });
    const started = performance.now();
    const { recoveryMs, notes = {} } = await fault(writer);
    await sleep(1_000);
    const attempts = await writer.stop();
    const stats = await load.report();
    const writes = await checkWrites(db, scope, attempts);
    const refused: Record<string, number> = {};
    for (const attempt of attempts.filter((x) => !isAcknowledged(x))) {
      const why = attempt.errorCode ?? (attempt.dropped ? "dropped" : `HTTP ${attempt.status}`);
      refused[why] = (refused[why] ?? 0) + 1;
    }
    const row: Row = {
      scenario,
      evaluations: { answered: stats.answered, failed: stats.failed, failovers: sum(stats.failovers), maxLatencyMs: Math.round(stats.maxLatencyMs) },
      writes: { attempted: attempts.length, acknowledged: writes.acknowledged, presentWithAudit: writes.presentWithAudit, refused, unaudited: writes.unaudited.length },
      recoveryMs: recoveryMs === undefined ? undefined : Math.round(recoveryMs),
      notes,
    };
    if (sum(stats.failovers)) row.notes.failovers = JSON.stringify(stats.failoverReasons);
    const retried: Record<string, number> = {};
    for (const attempt of attempts) if (attempt.retried) retried[attempt.retried] = (retried[attempt.retried] ?? 0) + 1;
    if (Object.keys(retried).length > 0) row.notes.writesSentAgain = JSON.stringify(retried);
    rows.push(row);
    const seconds = (performance.now() - started) / 1_000;
    return { stats, attempts, writes, row, seconds };
  }

  /** No evaluation failed, and they kept coming (at least one a second, whatever the machine's load; the rate is in the results table). */
  function expectEvaluationsAnswered(stats: LoadStats, seconds: number) {
    expect(stats.failures).toEqual([]);
    expect(stats.failed).toBe(0);
    expect(stats.answered).toBeGreaterThanOrEqual(Math.floor(seconds));
  }

  function expectWritesKept(result: Awaited<ReturnType<typeof underFire>>) {
    expect(result.writes.lost).toEqual([]);
    expect(result.writes.unaudited).toEqual([]);
    expect(result.writes.acknowledged).toBeGreaterThan(0);
    const malformed = result.attempts.filter((x) => x.errorCode === "malformed").map((x) => `${x.requestId}: HTTP ${x.status}`);
    expect(malformed).toEqual([]);
  }

  it("(a) Redis stops for the outage and comes back: evaluations and writes carry on", async () => {
    let duringMs: number | undefined;
    const result = await underFire("redis down", async () => {
      await sleep(1_000);
      await redis.stop();
      await sleep(2_000);
      // While Redis is away, a change through one replica reaches the other by polling PostgreSQL.
      duringMs = await probe.propagation(a, b, PROPAGATION_DEADLINE_MS);
      await sleep(Math.max(0, OUTAGE_MS - 2_000 - (duringMs ?? PROPAGATION_DEADLINE_MS)));
      redis = await startRedis(redis.port);
      const recovered = await probe.recovery([a, b], { withinMs: PROPAGATION_DEADLINE_MS, timeoutMs: RECOVERY_DEADLINE_MS });
      return { recoveryMs: recovered.ms, notes: { propagationDuringOutageMs: round(duringMs), propagationAfterMs: round(recovered.propagationMs) } };
    });
    expectEvaluationsAnswered(result.stats, result.seconds);
    expect(sum(result.stats.failovers)).toBe(0);
    expectWritesKept(result);
    // Redis is not needed to write: every write is acknowledged.
    expect(result.writes.acknowledged).toBe(result.attempts.length);
    expect(duringMs).toBeDefined();
    expect(result.row.recoveryMs).toBeDefined();

    // The changes whose messages (and deltas) the outage lost were made good by polling
    // PostgreSQL: both replicas serve what a build from PostgreSQL holds now.
    for (const replica of [a, b]) await expectServingPostgresContent(replica);
    // And with Redis back, a change reaches the other replica as a delta again, not a reload.
    const [deltas, reloads] = [await snapshotUpdates(b, "delta"), await snapshotUpdates(b, "database")];
    expect(await probe.propagation(a, b, PROPAGATION_DEADLINE_MS)).toBeDefined();
    await expect.poll(() => snapshotUpdates(b, "delta"), { timeout: PROPAGATION_DEADLINE_MS }).toBeGreaterThan(deltas);
    expect(await snapshotUpdates(b, "database")).toBe(reloads);
  });

  /** The replica's `/v1/config` once it has the database's version: the same content as a fresh build from PostgreSQL. */
  async function expectServingPostgresContent(replica: Replica) {
    const built = buildSnapshot((await snapshotsRepository.load(db.sql, prodId))!);
    const served = async () => (await (await fetch(`${replica.url}/v1/config`, { headers: { "x-api-key": serverKey } })).json()) as typeof built;
    await expect.poll(async () => (await served()).version, { timeout: PROPAGATION_DEADLINE_MS }).toBe(built.version);
    const now = new Date();
    expect(canonicalContent(await served(), now)).toBe(canonicalContent(built, now));
  }

  /** `ensign_snapshot_updates_total{source}` as the replica's metrics endpoint reports it. */
  async function snapshotUpdates(replica: Replica, source: "delta" | "database" | "redis"): Promise<number> {
    const text = await (await fetch(metricsUrls.get(replica)!)).text();
    const line = text.split("\n").find((l) => l.startsWith(`ensign_snapshot_updates_total{source="${source}"}`));
    return Number(line?.split(" ").pop() ?? Number.NaN);
  }

  /** PostgreSQL cut off (refused or silent) for the outage, a second into the fire; when it was cut and restored. */
  async function postgresOutage(name: string, cut: () => unknown) {
    let cutAt = 0;
    let restoredAt = 0;
    const result = await underFire(name, async () => {
      await sleep(1_000);
      cutAt = performance.now();
      await cut();
      await sleep(OUTAGE_MS);
      restoredAt = performance.now();
      await pgProxy.restore();
      const recovered = await probe.recovery([a, b], { withinMs: PROPAGATION_DEADLINE_MS, timeoutMs: RECOVERY_DEADLINE_MS });
      return { recoveryMs: recovered.ms, notes: { propagationAfterMs: round(recovered.propagationMs) } };
    });
    return { result, cutAt, restoredAt };
  }

  /** The writes among these that were not refused with 503 SERVICE_UNAVAILABLE, described. */
  const not503 = (attempts: { requestId: string; status?: number; dropped?: string; errorCode?: string }[]) =>
    attempts.filter((x) => x.status !== 503 || x.errorCode !== "SERVICE_UNAVAILABLE").map((x) => `${x.requestId}: ${x.status ?? x.dropped} ${x.errorCode ?? ""}`);

  it("(b) PostgreSQL is unreachable for the outage: evaluations carry on, writes answer 503 at once, then succeed again", async () => {
    const { result, cutAt, restoredAt } = await postgresOutage("postgres unreachable", () => pgProxy.cut());
    expectEvaluationsAnswered(result.stats, result.seconds);
    expect(sum(result.stats.failovers)).toBe(0);
    expectWritesKept(result);
    // Answered while PostgreSQL was away (not held until it came back), every one with 503.
    const during = result.attempts.filter((x) => x.startedAt > cutAt + 100 && x.endedAt! < restoredAt);
    expect(during.length).toBeGreaterThan(0);
    expect(not503(during)).toEqual([]);
    expect(result.attempts.filter((x) => x.dropped).map((x) => `${x.requestId}: ${x.dropped}`)).toEqual([]);
    result.row.notes.slowest503Ms = Math.round(Math.max(...during.map((x) => x.endedAt! - x.startedAt)));
    expect(result.row.recoveryMs).toBeDefined();
  });

  it("(b') PostgreSQL stops answering for the outage (a partition: nothing refused, nothing answered): evaluations carry on, writes answer 503", async () => {
    const { result, cutAt, restoredAt } = await postgresOutage("postgres silent", () => pgProxy.blackhole());
    expectEvaluationsAnswered(result.stats, result.seconds);
    expect(sum(result.stats.failovers)).toBe(0);
    expectWritesKept(result);
    const during = result.attempts.filter((x) => x.startedAt > cutAt + 100 && x.endedAt! < restoredAt);
    expect(during.length).toBeGreaterThan(0);
    expect(not503(during)).toEqual([]);
    const unanswered = result.attempts.filter((x) => x.dropped).map((x) => `${x.requestId}: ${x.dropped}`);
    expect(unanswered).toEqual([]);
    // Ended by the database pool's connect timeout (5 s), never by the client giving up.
    result.row.notes.slowest503Ms = Math.round(Math.max(...during.map((x) => x.endedAt! - x.startedAt)));
    expect(result.row.recoveryMs).toBeDefined();
  });

  it("(c) one replica is killed and restarted: the other answers everything meanwhile", async () => {
    let startMs = 0;
    const result = await underFire("replica killed", async () => {
      await sleep(1_000);
      await b.stop("SIGKILL");
      await sleep(Math.min(OUTAGE_MS, 3_000));
      startMs = await b.start();
      const recovered = await probe.recovery([a, b], { withinMs: PROPAGATION_DEADLINE_MS, timeoutMs: RECOVERY_DEADLINE_MS });
      return { recoveryMs: recovered.ms === undefined ? undefined : startMs + recovered.ms, notes: { restartMs: Math.round(startMs), propagationAfterMs: round(recovered.propagationMs) } };
    });
    expectEvaluationsAnswered(result.stats, result.seconds);
    // Only requests the killed replica dropped went to the other one.
    expect(Object.keys(result.stats.failovers).filter((url) => url !== b.url)).toEqual([]);
    expect(result.stats.answeredBy[b.url] ?? 0).toBeGreaterThan(0);
    expectWritesKept(result);
    expect(result.row.recoveryMs).toBeDefined();
  });

  it("(d) both replicas restart one after the other: no evaluation fails", async () => {
    const result = await underFire("rolling restart", async () => {
      await sleep(1_000);
      let lastStart = 0;
      for (const replica of [a, b]) {
        await replica.stop("SIGTERM");
        lastStart = performance.now();
        await replica.start();
        await probe.recovery([a, b], { withinMs: PROPAGATION_DEADLINE_MS, timeoutMs: RECOVERY_DEADLINE_MS });
      }
      const recovered = await probe.recovery([a, b], { withinMs: PROPAGATION_DEADLINE_MS, timeoutMs: RECOVERY_DEADLINE_MS });
      return { recoveryMs: recovered.ms === undefined ? undefined : performance.now() - lastStart, notes: { propagationAfterMs: round(recovered.propagationMs) } };
    });
    expectEvaluationsAnswered(result.stats, result.seconds);
    // A replica asked to stop finishes what it was answering: connections are refused once it
    // stopped listening, never reset with a request in flight.
    expect(Object.keys(result.stats.failoverReasons).filter((reason) => reason !== "ECONNREFUSED")).toEqual([]);
    expectWritesKept(result);
    expect(result.attempts.filter((x) => x.dropped).map((x) => `${x.requestId}: ${x.dropped}`)).toEqual([]);
    expect(result.row.recoveryMs).toBeDefined();
  });
});

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((total, n) => total + n, 0);
const round = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms));

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function printTable(rows: Row[]) {
  const header = ["scenario", "evals answered", "evals failed", "failovers", "writes acked", "acked present+audited", "writes refused", "recovery ms"];
  const lines = rows.map((r) => [
    r.scenario,
    String(r.evaluations.answered),
    String(r.evaluations.failed),
    String(r.evaluations.failovers),
    `${r.writes.acknowledged}/${r.writes.attempted}`,
    String(r.writes.presentWithAudit),
    Object.entries(r.writes.refused).map(([k, v]) => `${k} ${v}`).join(", ") || "-",
    r.recoveryMs === undefined ? "not recovered" : String(r.recoveryMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(["", format(header), format(widths.map((w) => "-".repeat(w))), ...lines.map(format), ""].join("\n"));
  for (const r of rows) console.log(`${r.scenario}: ${JSON.stringify(r.notes)}`);
}
