import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { compile, evaluate } from "@ensign/evaluator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReplicas, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { flagsClient, type FlagsClient } from "../../../test/helpers/flags";
import { createFlag, createModule, createTenant } from "../../../test/helpers/tenancy-fixtures";
import { waitUntil } from "../../../test/helpers/wait";
import type { EnvironmentChange } from "../../infra/changes";
import { buildSnapshot } from "./snapshot-builder";
import { snapshotsRepository } from "./snapshots.repository";

/** Routine polling and verification far beyond any wait here: what reaches replica B came by message. */
const QUIET = { SNAPSHOT_POLL_INTERVAL: "1h", SNAPSHOT_VERIFY_INTERVAL: "1h" };

/** The snapshot as JSON, `generatedAt` aside: equal strings mean the same content in the same order. */
const content = (snapshot: EnvironmentSnapshot) => JSON.stringify({ ...snapshot, generatedAt: "" });

describe("changes that carry their flags (snapshot deltas)", () => {
  let replicas: Awaited<ReturnType<typeof createReplicas>>;
  let a: TestApp;
  let b: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let admin: Record<string, string>;
  let flags: FlagsClient;
  let server: string;
  let heard: EnvironmentChange[];
  const tenants = ["acme", "globex", "initech"];
  const contexts = [
    { targetingKey: "u1" },
    { targetingKey: "u2", plan: "pro" },
    { targetingKey: "u3", tenantKey: "acme" },
    { targetingKey: "u4", tenantKey: "globex", plan: "pro" },
    { targetingKey: "u5", tenantKey: "initech" },
    { targetingKey: "u6", tenantKey: "delta-co" },
    { targetingKey: "u7", tenantKey: "aaa-first", plan: "pro" },
  ];

  beforeAll(async () => {
    replicas = await createReplicas(2, QUIET);
    [a, b] = replicas.apps as [TestApp, TestApp];
    ws = await createWorkspace(a.db);
    prodId = ws.environments[2]!.id;
    admin = await memberHeaders(a.app, a.db, ws.id, "admin");
    flags = flagsClient(a.app, ws.slug, admin);
    for (const key of ["ai_agents", "knowledge_base", "reports"]) await createFlag(a.db, ws, { key, fallthrough: "off", enabled: false });
    const reportsModule = await createModule(a.db, ws, "REP");
    await createFlag(a.db, ws, { key: "reports_beta", dependsOn: ["reports"], fallthrough: "on", moduleId: reportsModule.id });
    for (const key of tenants) await createTenant(a.db, ws, key);
    server = (await createApiKey(a.db, ws.id, prodId, "server")).secret;
    heard = [];
    a.app.services.notifier.onLocalChange((changes) => heard.push(...changes));
  });
  afterAll(() => replicas.close());

  const stateVersion = async (key: string) => (await flags.state(key, "production")).json().version as number;
  const held = (app: TestApp) => app.app.services.snapshots.peek(prodId)!;
  /** Loads the environment on both replicas (a delta applies only to a snapshot in memory). */
  const loadBoth = async () => {
    await a.app.services.snapshots.get(prodId);
    await b.app.services.snapshots.get(prodId);
  };
  const currentVersion = async () => (await a.db.prisma.environment.findUniqueOrThrow({ where: { id: prodId } })).snapshotVersion;
  const reachesB = async (version: number) => waitUntil(() => (b.app.services.snapshots.peek(prodId)?.version ?? 0) >= version);
  const fromPostgres = async () => buildSnapshot((await snapshotsRepository.load(b.db.sql, prodId))!);
  const userOverride = (flag: string, userKey: string, variant: string) =>
    a.app.inject({ method: "PUT", url: `/v1/workspaces/${ws.slug}/flags/${flag}/environments/production/user-overrides/${userKey}`, headers: admin, payload: { variant } });
  const bulk = (payload: object) => a.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/environments/production/tenant-overrides/bulk`, headers: admin, payload });

  /** Every flag answers every context the same from the replica's compiled snapshot as from a full compile. */
  const expectSameAnswers = (compiled: ReturnType<typeof compile>, snapshot: EnvironmentSnapshot) => {
    const rebuilt = compile(snapshot);
    const now = Date.now();
    for (const flag of snapshot.flags) {
      for (const context of contexts) {
        const answer = ({ value, variant, reason }: ReturnType<typeof evaluate>) => ({ value, variant, reason });
        expect(answer(evaluate(compiled, flag.key, context, { now }))).toEqual(answer(evaluate(rebuilt, flag.key, context, { now })));
      }
    }
  };

  it("serves a state change, a rule change and a user override made through A from B by delta, as a full rebuild would", async () => {
    await loadBoth();

    const toggled = await flags.toggle("knowledge_base", "production", await stateVersion("knowledge_base"), true);
    expect(toggled.statusCode).toBe(200);
    await reachesB(await currentVersion());
    expect(held(b).source).toBe("delta");
    expect(content(held(b).stored)).toBe(content(await fromPostgres()));
    expectSameAnswers(held(b).compiled, await fromPostgres());

    const ruled = await flags.addRule("knowledge_base", "production", await stateVersion("knowledge_base"), {
      conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }],
      serve: { variant: "on" },
    });
    expect(ruled.statusCode).toBe(201);
    await reachesB(await currentVersion());
    expect(held(b).source).toBe("delta");
    expect(content(held(b).stored)).toBe(content(await fromPostgres()));

    expect((await userOverride("knowledge_base", "u1", "on")).statusCode).toBe(201);
    await reachesB(await currentVersion());
    expect(held(b).source).toBe("delta");
    expect(content(held(b).stored)).toBe(content(await fromPostgres()));
    expectSameAnswers(held(b).compiled, await fromPostgres());

    // Served over HTTP by B: the rule and the override.
    const ofrep = async (flag: string, context: object) =>
      (await b.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags/${flag}`, headers: apiKeyHeaders(server), payload: { context } })).json().value;
    expect(await ofrep("knowledge_base", { targetingKey: "u9", plan: "pro" })).toBe(true);
    expect(await ofrep("knowledge_base", { targetingKey: "u1" })).toBe(true);
    expect(await ofrep("knowledge_base", { targetingKey: "u2" })).toBe(false);
    // `/v1/config` serializes the delta-made snapshot on first use.
    const config = await b.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) });
    expect(config.statusCode).toBe(200);
    expect(content(config.json() as EnvironmentSnapshot)).toBe(content(held(b).stored));
    // Operators see how B's snapshots were made: these three from deltas.
    const updates = await b.app.services.metrics.registry.getSingleMetric("ensign_snapshot_updates_total")!.get();
    expect(updates.values.find((v) => v.labels.source === "delta")?.value).toBeGreaterThanOrEqual(3);
  });

  it("keeps B's snapshot equal to a build from PostgreSQL through a sequence of mixed writes", async () => {
    await loadBoth();
    // An override dimension gives every flag its layer overrides in the snapshot (a full load).
    const layer = await a.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/override-layers`, headers: admin, payload: { key: "platform", name: "Platform", values: ["ios", "android"] } });
    expect(layer.statusCode).toBe(201);
    await reachesB(await currentVersion());
    const layerOverride = (flag: string, value: string, variant: string) =>
      a.app.inject({ method: "PUT", url: `/v1/workspaces/${ws.slug}/flags/${flag}/environments/production/layer-overrides/platform/${value}`, headers: admin, payload: { variant } });
    const tenantOverride = (flag: string, tenant: string) => `/v1/workspaces/${ws.slug}/flags/${flag}/environments/production/tenant-overrides/${tenant}`;
    const flagVersion = async (key: string) => (await flags.get(key)).json().version as number;
    const steps: (() => Promise<{ statusCode: number }>)[] = [
      async () => flags.toggle("reports", "production", await stateVersion("reports"), true),
      async () => userOverride("reports", "u3", "off"),
      async () => bulk({ action: "set", flag: "ai_agents", tenants: ["acme", "globex"] }),
      async () => layerOverride("reports", "ios", "on"),
      async () => flags.addRule("reports", "production", await stateVersion("reports"), { conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variant: "off" } }),
      async () => bulk({ action: "disable_all", tenants: ["initech"] }),
      async () => userOverride("knowledge_base", "u2", "off"),
      async () => flags.toggle("reports", "production", await stateVersion("reports"), false),
      async () => bulk({ action: "clear", flag: "ai_agents", tenants: ["acme"] }),
      async () => layerOverride("knowledge_base", "android", "off"),
      async () => a.app.inject({ method: "PUT", url: tenantOverride("knowledge_base", "globex"), headers: admin, payload: { variant: "on" } }),
      async () => a.app.inject({ method: "POST", url: `${tenantOverride("knowledge_base", "globex")}/lock`, headers: admin }),
      async () => flags.patch("knowledge_base", await flagVersion("knowledge_base"), { trackAnalytics: false }),
      async () => flags.call("POST", "/ai_agents/archive", { version: await flagVersion("ai_agents") }),
      async () => flags.call("POST", "/ai_agents/restore", { version: await flagVersion("ai_agents") }),
      async () => a.app.inject({ method: "DELETE", url: tenantOverride("knowledge_base", "globex"), headers: admin }),
      // Created flags take their places in key order ("-" and "." before "_", as COLLATE "C" sorts).
      async () => a.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/flags`, headers: admin, payload: { key: "knowledge_base-v2", name: "KB 2", type: "boolean" } }),
      async () =>
        a.app.inject({
          method: "POST",
          url: `/v1/workspaces/${ws.slug}/flags`,
          headers: admin,
          payload: { key: "a_first", name: "First", type: "string", variants: [{ key: "x", value: "x" }, { key: "y", value: "y" }], offVariant: "x", onVariant: "y", initialState: { enabled: true, variant: "y" } },
        }),
      async () => flags.toggle("knowledge_base-v2", "production", await stateVersion("knowledge_base-v2"), true),
    ];
    for (const step of steps) {
      const res = await step();
      expect(res.statusCode, JSON.stringify((res as { body?: string }).body)).toBeLessThan(300);
      await reachesB(await currentVersion());
      expect(held(b).source).toBe("delta");
      const built = await fromPostgres();
      expect(held(b).version).toBe(built.version);
      expect(content(held(b).stored)).toBe(content(built));
      expectSameAnswers(held(b).compiled, built);
    }
    expect(held(b).stored.flags.map((f) => f.key)).toEqual(["a_first", "ai_agents", "knowledge_base", "knowledge_base-v2", "reports", "reports_beta"]);
    expect(evaluate(held(b).compiled, "a_first", {})).toMatchObject({ value: "y" });
    expect(evaluate(held(b).compiled, "knowledge_base-v2", {})).toMatchObject({ reason: expect.not.stringMatching(/DISABLED|ERROR/) });
    expect(held(b).stored.flags.find((f) => f.key === "reports")?.state.layerOverrides).toEqual([expect.objectContaining({ layer: "platform", value: "ios", variant: "on" })]);
    // The replica that wrote applied its own deltas too, and neither wrote a copy to Redis for them.
    expect(held(a).source).toBe("delta");
    expect(await b.cache.get(`snapshot:${prodId}:${held(b).version}`)).toBeNull();
  });

  it("serves tenants created, changed and switched through A from B by delta, and reloads for a deleted one", async () => {
    await loadBoth();
    const tenantsUrl = `/v1/workspaces/${ws.slug}/tenants`;
    const ofrep = async (flag: string, context: object) =>
      (await b.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags/${flag}`, headers: apiKeyHeaders(server), payload: { context } })).json();
    // A rule on the tenant's stored tier.
    await flags.toggle("ai_agents", "production", await stateVersion("ai_agents"), true);
    await flags.addRule("ai_agents", "production", await stateVersion("ai_agents"), {
      conditions: [{ attribute: "tenant.tier", operator: "in", values: ["gold"] }],
      serve: { variant: "on" },
    });
    await reachesB(await currentVersion());

    const tenantVersion = async (key: string) => (await a.app.inject({ method: "GET", url: `${tenantsUrl}/${key}`, headers: admin })).json().version as number;
    const steps: [string, () => Promise<{ statusCode: number; body: string }>][] = [
      ["create", () => a.app.inject({ method: "POST", url: tenantsUrl, headers: admin, payload: { key: "delta-co", name: "Delta Co", attributes: { tier: "gold" } } })],
      ["create first in key order", () => a.app.inject({ method: "POST", url: tenantsUrl, headers: admin, payload: { key: "aaa-first", name: "First", modules: { REP: false } } })],
      [
        "change attributes",
        async () =>
          a.app.inject({ method: "PATCH", url: `${tenantsUrl}/delta-co`, headers: { ...admin, "if-match": `"${await tenantVersion("delta-co")}"` }, payload: { attributes: { tier: "silver" } } }),
      ],
      ["switch a module off", () => a.app.inject({ method: "PUT", url: `${tenantsUrl}/delta-co/modules/REP`, headers: admin, payload: { enabled: false } })],
    ];
    const answers: Record<string, unknown>[] = [];
    for (const [name, step] of steps) {
      heard = [];
      const res = await step();
      expect(res.statusCode, `${name}: ${res.body}`).toBeLessThan(300);
      const version = await currentVersion();
      expect(heard.find((change) => change.environmentId === prodId)?.delta?.tenants, name).toHaveLength(1);
      await reachesB(version);
      expect(held(b).source, name).toBe("delta");
      const built = await fromPostgres();
      expect(content(held(b).stored), name).toBe(content(built));
      expectSameAnswers(held(b).compiled, built);
      expect([...held(b).compiled.tenants.keys()], name).toEqual(built.tenants.map((t) => t.key));
      answers.push({
        ai: (await ofrep("ai_agents", { targetingKey: "u6", tenantKey: "delta-co" })).value,
        beta: (await ofrep("reports_beta", { targetingKey: "u6", tenantKey: "delta-co" })).metadata?.detail,
      });
    }
    // B answered each tenant change as it happened: gold tier on, then silver off, then the module off.
    expect(answers.map((answer) => answer.ai)).toEqual([true, true, false, false]);
    expect(answers.map((answer) => answer.beta === "MODULE_DISABLED")).toEqual([false, false, false, true]);
    expect(held(b).stored.tenants.map((t) => t.key)).toEqual(["aaa-first", "acme", "delta-co", "globex", "initech"]);
    expect(held(b).stored.tenants.find((t) => t.key === "aaa-first")?.disabledModules).toEqual(["REP"]);

    // A deleted tenant takes its overrides and list entries with it: a full reload.
    const deleted = await a.app.inject({ method: "DELETE", url: `${tenantsUrl}/aaa-first`, headers: { ...admin, "if-match": `"${await tenantVersion("aaa-first")}"` } });
    expect(deleted.statusCode).toBe(204);
    await reachesB(await currentVersion());
    expect(held(b).source).not.toBe("delta");
    expect(held(b).stored.tenants.map((t) => t.key)).not.toContain("aaa-first");
  });

  it("reloads in full for a change that is not scoped to flags, and for a version it missed", async () => {
    await loadBoth();
    const segment = await a.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/segments`, headers: admin, payload: { key: "beta-testers", name: "Beta testers" } });
    expect(segment.statusCode).toBe(201);
    const afterSegment = await currentVersion();
    expect(heard.find((change) => change.environmentId === prodId && change.version === afterSegment)?.delta).toBeUndefined();
    await reachesB(afterSegment);
    expect(held(b).source).not.toBe("delta");
    expect(held(b).stored.segments.map((s) => s.key)).toContain("beta-testers");

    // B misses a version: its next change carries a delta from a version B does not hold.
    const missed = await currentVersion();
    await a.db.prisma.environment.update({ where: { id: prodId }, data: { snapshotVersion: { increment: 1 } } });
    await flags.toggle("ai_agents", "production", await stateVersion("ai_agents"), true);
    const latest = await currentVersion();
    const change = heard.find((c) => c.environmentId === prodId && c.version === latest);
    expect(change?.delta?.fromVersion).toBe(missed + 1);
    await reachesB(latest);
    expect(held(b).source).not.toBe("delta");
    expect(content(held(b).stored)).toBe(content(await fromPostgres()));
  });

  it("attaches one delta per environment, from the version before the write, and none for a write that also changed anything else", async () => {
    const flag = await a.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "reports" } });
    const other = await a.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "ai_agents" } });
    const before = await currentVersion();
    heard = [];
    await a.app.services.writing(ws.id, async (_tx, w) => {
      await w.bump([prodId], { flags: [flag.id] });
      await w.bump([prodId], { flags: [other.id, flag.id] });
    });
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ environmentId: prodId, version: before + 2, delta: { fromVersion: before } });
    expect(heard[0]!.delta!.flags.map((f) => f.key)).toEqual(["ai_agents", "reports"]);

    heard = [];
    await a.app.services.writing(ws.id, async (_tx, w) => {
      await w.bump([prodId], { flags: [flag.id] });
      await w.bump([prodId]);
    });
    expect(heard.filter((change) => change.environmentId === prodId)).toHaveLength(2);
    expect(heard.some((change) => change.delta)).toBe(false);
  });

  it("announces nothing for a write that rolled back, and no delta for flags too large to send", async () => {
    const flag = await a.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "reports" } });
    const before = await currentVersion();
    heard = [];
    const failing = a.app.services.writing(ws.id, async (_tx, w) => {
      await w.bump([prodId], { flags: [flag.id] });
      throw new Error("refused");
    });
    await expect(failing).rejects.toThrow("refused");
    expect(heard).toEqual([]);
    expect(await currentVersion()).toBe(before);

    // About 60 characters per override: 5,000 of them pass the 256 KiB a delta may carry.
    await a.db.prisma.userOverride.createMany({
      data: Array.from({ length: 5_000 }, (_, i) => ({ workspaceId: ws.id, flagId: flag.id, environmentId: prodId, userKey: `bulk-user-${i}`, variant: "on" })),
    });
    await a.app.services.writing(ws.id, (_tx, w) => w.bump([prodId]));
    await loadBoth();
    await reachesB(await currentVersion());
    heard = [];
    await flags.toggle("reports", "production", await stateVersion("reports"), true);
    const latest = await currentVersion();
    expect(heard.find((change) => change.environmentId === prodId)).toMatchObject({ version: latest });
    expect(heard.find((change) => change.environmentId === prodId)?.delta).toBeUndefined();
    await reachesB(latest);
    expect(held(b).source).not.toBe("delta");
    expect(held(b).stored.flags.find((f) => f.key === "reports")?.state.enabled).toBe(true);
  });

  it("replaces a delta-made snapshot that differs from PostgreSQL when it is verified", async () => {
    await loadBoth();
    await flags.toggle("knowledge_base", "production", await stateVersion("knowledge_base"), false);
    await reachesB(await currentVersion());
    const made = held(b);
    expect(made.source).toBe("delta");
    // A defect in how deltas apply, made by hand: the replica's copy of one flag goes wrong.
    const wrong = made.stored.flags.find((f) => f.key === "knowledge_base")!;
    (wrong.state as { enabled: boolean }).enabled = true;

    expect(await b.app.services.snapshots.verify()).toEqual({ checked: 1, mismatched: 1 });
    expect(held(b)).not.toBe(made);
    expect(held(b)).toMatchObject({ version: made.version, source: "database" });
    expect(content(held(b).stored)).toBe(content(await fromPostgres()));
    const counter = b.app.services.metrics.registry.getSingleMetric("ensign_snapshot_delta_mismatches_total")!;
    expect((await counter.get()).values[0]?.value).toBe(1);

    // A's entry, made by the same delta and left alone, is confirmed once and not rebuilt again.
    expect(await a.app.services.snapshots.verify()).toEqual({ checked: 1, mismatched: 0 });
    expect(await a.app.services.snapshots.verify()).toEqual({ checked: 0, mismatched: 0 });
  });
});
