import { compile, evaluate } from "@ensign/evaluator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, ifMatch, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, createTenant } from "../../../test/helpers/evaluation-fixtures";

const PLATFORMS = ["meta", "google", "tiktok", "linkedin", "twitter", "snapchat"];

/** Polls until `check` passes; the deadline only guards against a hang. */
async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe("override layers", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let server: string;
  let otherServer: string;
  let ws: string;

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    ws = `/v1/workspaces/${world.ws.slug}`;
    const prod = world.ws.environments.find((e) => e.key === "production")!;
    for (const key of ["org-a", "org-b"]) await createTenant(t.db, world.ws.id, key);
    // The system default is on: org-a's override and the platform's decide around it.
    await createFlag(t.db, world.ws.id, { key: "campaigns", states: { [prod.id]: { enabled: true, fallthrough: { variant: "on" } } } });
    await createFlag(t.db, world.ws.id, { key: "reports", states: { [prod.id]: { enabled: true, fallthrough: { variant: "off" } } } });
    server = (await createApiKey(t.db, world.ws.id, prod.id, "server")).secret;
    const otherProd = world.other.environments.find((e) => e.key === "production")!;
    await createFlag(t.db, world.other.id, { key: "campaigns", states: { [otherProd.id]: { enabled: true, fallthrough: { variant: "on" } } } });
    otherServer = (await createApiKey(t.db, world.other.id, otherProd.id, "server")).secret;
  });
  afterAll(() => t.close());

  const flagEnv = (flag = "campaigns", env = "production") => `${ws}/flags/${flag}/environments/${env}`;
  const ofrep = (context: unknown, key = "campaigns", secret = server) =>
    t.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags/${key}`, headers: apiKeyHeaders(secret), payload: { context } });
  const answer = async (context: unknown, key = "campaigns") => {
    const res = (await ofrep(context, key)).json();
    return { value: res.value, detail: res.metadata?.detail };
  };

  it("plays seed 002's cascade: user override > platform override > org override > system default", async () => {
    const created = await t.app.inject({ method: "POST", url: `${ws}/override-layers`, headers: headers.admin, payload: { key: "platform", name: "Platform", values: PLATFORMS } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ key: "platform", attribute: "platform", values: PLATFORMS, overrideCount: 0, version: 1 });
    expect((await t.app.inject({ method: "GET", url: `${ws}/override-layers`, headers: headers.viewer })).json()).toMatchObject({
      order: ["user", "platform", "tenant", "rules"],
      isDefaultOrder: true,
    });

    expect((await t.app.inject({ method: "PUT", url: `${flagEnv()}/tenant-overrides/org-a`, headers: headers.editor, payload: { variant: "off" } })).statusCode).toBe(201);
    const platform = await t.app.inject({ method: "PUT", url: `${flagEnv()}/layer-overrides/platform/tiktok`, headers: headers.editor, payload: { variant: "on" } });
    expect(platform.statusCode).toBe(201);
    expect(platform.json()).toMatchObject({ flag: "campaigns", environment: "production", layer: "platform", value: "tiktok", variant: "on", locked: false, version: 1 });
    expect((await t.app.inject({ method: "PUT", url: `${flagEnv()}/user-overrides/u1`, headers: headers.editor, payload: { variant: "off" } })).statusCode).toBe(201);

    await eventually(async () => expect(await answer({ tenantKey: "org-a", platform: "tiktok" })).toEqual({ value: true, detail: "LAYER_OVERRIDE:platform" }));
    expect(await answer({ targetingKey: "u1", tenantKey: "org-a", platform: "tiktok" })).toEqual({ value: false, detail: "USER_OVERRIDE" });
    expect(await answer({ targetingKey: "u2", tenantKey: "org-a", platform: "tiktok" })).toEqual({ value: true, detail: "LAYER_OVERRIDE:platform" });
    expect(await answer({ targetingKey: "u2", tenantKey: "org-a", platform: "meta" })).toEqual({ value: false, detail: "TENANT_OVERRIDE" });
    expect(await answer({ targetingKey: "u2", tenantKey: "org-b", platform: "meta" })).toEqual({ value: true, detail: "FALLTHROUGH" });
    // Another workspace's flag of the same key knows nothing of these layers.
    expect((await ofrep({ tenantKey: "org-a", platform: "tiktok" }, "campaigns", otherServer)).json()).toMatchObject({ value: true, reason: "STATIC" });
  });

  it("serves the layers and their overrides in /v1/config, and local evaluation answers as the API does", async () => {
    const config = (await t.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) })).json();
    expect(config.layers).toEqual([{ key: "platform", attribute: "platform", values: PLATFORMS }]);
    expect(config.precedence).toBeUndefined();
    const campaigns = config.flags.find((flag: { key: string }) => flag.key === "campaigns");
    expect(campaigns.state.layerOverrides).toEqual([{ layer: "platform", value: "tiktok", variant: "on", locked: false, expiresAt: null }]);
    const compiled = compile(config);
    for (const context of [{ tenantKey: "org-a", platform: "tiktok" }, { targetingKey: "u1", tenantKey: "org-a", platform: "tiktok" }, { tenantKey: "org-a" }]) {
      const local = evaluate(compiled, "campaigns", context);
      expect({ value: local.value, detail: local.detail }).toEqual(await answer(context));
    }
    // A workspace without layers gets the snapshot it always had.
    const other = (await t.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(otherServer) })).json();
    expect(Object.keys(other)).not.toContain("layers");
    expect(Object.keys(other.flags[0].state)).not.toContain("layerOverrides");
  });

  it("traces the layer in the live tester and measures a proposed layer override in the blast radius", async () => {
    const live = await t.app.inject({
      method: "POST",
      url: `${ws}/environments/production/evaluate`,
      headers: headers.viewer,
      payload: { flag: "campaigns", context: { targetingKey: "u2", tenantKey: "org-a", platform: "tiktok" } },
    });
    const result = live.json().results[0];
    expect(result).toMatchObject({ value: true, detail: "LAYER_OVERRIDE:platform", reason: "TARGETING_MATCH" });
    expect(result.trace.map((s: { step: string }) => s.step)).toEqual(["flag", "module", "enabled", "user_override", "layer:platform"]);

    // Proposed: meta locked off. org-b on meta turns off; org-a on tiktok loses its override and the org's off decides.
    const impact = await t.app.inject({
      method: "POST",
      url: `${ws}/environments/production/impact`,
      headers: headers.viewer,
      payload: { flag: "campaigns", state: { layerOverrides: [{ layer: "platform", value: "meta", variant: "off", locked: true }] } },
    });
    expect(impact.statusCode).toBe(200);
    const report = impact.json();
    expect(report.total).toBe(3 + 3 * PLATFORMS.length); // the world's tenant, org-a and org-b, each also with every platform
    const changed = report.changes.map((c: { tenantKey: string; layer?: { value: string }; after: { detail: string } }) => [c.tenantKey, c.layer?.value, c.after.detail]);
    expect(changed).toEqual(
      expect.arrayContaining([
        ["org-a", "tiktok", "TENANT_OVERRIDE"],
        ["org-b", "meta", "LAYER_OVERRIDE_LOCKED:platform"],
      ]),
    );
    expect(report.turnedOff).toBe(changed.length);
  });

  it("reorders the steps, refuses an incomplete order, and a locked override beats every step", async () => {
    const bad = await t.app.inject({ method: "PUT", url: `${ws}/override-order`, headers: headers.admin, payload: { order: ["user", "tenant", "rules"] } });
    expect(issuePaths(bad)).toEqual(["body.order"]);
    expect(bad.json().error.message).toContain("missing: platform");
    expect((await t.app.inject({ method: "PUT", url: `${ws}/override-order`, headers: headers.editor, payload: { order: ["user", "tenant", "platform", "rules"] } })).statusCode).toBe(403);
    const reordered = await t.app.inject({ method: "PUT", url: `${ws}/override-order`, headers: headers.admin, payload: { order: ["user", "tenant", "platform", "rules"] } });
    expect(reordered.json()).toEqual({ order: ["user", "tenant", "platform", "rules"], isDefaultOrder: false });
    await eventually(async () => expect(await answer({ tenantKey: "org-a", platform: "tiktok" })).toEqual({ value: false, detail: "TENANT_OVERRIDE" }));

    // Locking needs overrides:lock; a locked override wins over the user override too.
    const lockAsEditor = await t.app.inject({ method: "PUT", url: `${flagEnv()}/layer-overrides/platform/tiktok`, headers: { ...headers.editor, ...ifMatch(1) }, payload: { variant: "on", locked: true } });
    expect(lockAsEditor.statusCode).toBe(403);
    const locked = await t.app.inject({ method: "PUT", url: `${flagEnv()}/layer-overrides/platform/tiktok`, headers: { ...headers.admin, ...ifMatch(1) }, payload: { variant: "on", locked: true } });
    expect(locked.json()).toMatchObject({ locked: true, version: 2 });
    await eventually(async () => expect(await answer({ targetingKey: "u1", tenantKey: "org-a", platform: "tiktok" })).toEqual({ value: true, detail: "LAYER_OVERRIDE_LOCKED:platform" }));
    expect((await t.app.inject({ method: "DELETE", url: `${flagEnv()}/layer-overrides/platform/tiktok`, headers: headers.editor })).statusCode).toBe(403);

    const back = await t.app.inject({ method: "PUT", url: `${ws}/override-order`, headers: headers.admin, payload: { order: ["user", "platform", "tenant", "rules"] } });
    expect(back.json()).toEqual({ order: ["user", "platform", "tenant", "rules"], isDefaultOrder: true });
    await eventually(async () => {
      const config = (await t.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) })).json();
      expect(config.precedence).toBeUndefined();
    });
  });

  it("counts a flag with only layer overrides as partly on, in the list and on its page", async () => {
    const statusIn = async () => {
      const list = (await t.app.inject({ method: "GET", url: `${ws}/flags?env=production&search=reports`, headers: headers.viewer })).json();
      const detail = (await t.app.inject({ method: "GET", url: `${ws}/flags/reports`, headers: headers.viewer })).json();
      const production = (summaries: { environment: string; status: string }[]) => summaries.find((s) => s.environment === "production")?.status;
      return [production(list.items[0].environments), production(detail.environments)];
    };
    expect(await statusIn()).toEqual(["off", "off"]);
    expect((await t.app.inject({ method: "PUT", url: `${flagEnv("reports")}/layer-overrides/platform/meta`, headers: headers.editor, payload: { variant: "on" } })).statusCode).toBe(201);
    expect(await statusIn()).toEqual(["partial", "partial"]);
    const partial = await t.app.inject({ method: "GET", url: `${ws}/flags?env=production&state=partial`, headers: headers.viewer });
    expect(partial.json().items.map((f: { key: string }) => f.key)).toContain("reports");
    expect((await t.app.inject({ method: "DELETE", url: `${flagEnv("reports")}/layer-overrides/platform/meta`, headers: headers.editor })).statusCode).toBe(204);
    expect(await statusIn()).toEqual(["off", "off"]);
  });

  it("refuses bad layers and overrides with a 4xx and writes nothing", async () => {
    const before = await t.db.prisma.layerOverride.count();
    const post = (payload: unknown) => t.app.inject({ method: "POST", url: `${ws}/override-layers`, headers: headers.admin, payload: payload as object });
    expect(issuePaths(await post({ key: "tenant", name: "T", values: ["a"] }))).toEqual(["body.key"]);
    expect(issuePaths(await post({ key: "org", name: "O", attribute: "tenantKey", values: ["a"] }))).toEqual(["body.attribute"]);
    expect(issuePaths(await post({ key: "channel", name: "C", values: ["web", "web"] }))).toEqual(["body.values"]);
    expect(issuePaths(await post({ key: "device", name: "D", attribute: "platform", values: ["ios"] }))).toEqual(["body.attribute"]);
    expect((await post({ key: "platform", name: "Again", values: ["a"] })).statusCode).toBe(409);
    expect((await post({ key: "channel", name: "C", values: ["web"] })).statusCode).toBe(201);
    expect((await t.app.inject({ method: "POST", url: `${ws}/override-layers`, headers: headers.editor, payload: { key: "x", name: "X", values: ["a"] } })).statusCode).toBe(403);

    const put = (path: string, payload: unknown, h: Headers = headers.editor) => t.app.inject({ method: "PUT", url: `${flagEnv()}/layer-overrides/${path}`, headers: h, payload: payload as object });
    expect(issuePaths(await put("platform/myspace", { variant: "on" }))).toEqual(["params.value"]);
    expect(issuePaths(await put("platform/meta", { variant: "maybe" }))).toEqual(["body.variant"]);
    expect(issuePaths(await put("platform/meta", { variant: "on", expiresAt: new Date(Date.now() - 1_000).toISOString() }))).toEqual(["body.expiresAt"]);
    expect((await put("nolayer/meta", { variant: "on" })).statusCode).toBe(404);
    expect((await put("platform/tiktok", { variant: "on" })).statusCode).toBe(428);
    // Another workspace's members see none of it.
    expect((await t.app.inject({ method: "GET", url: `${ws}/override-layers`, headers: headers.outsider })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "GET", url: `${flagEnv()}/layer-overrides/platform`, headers: headers.outsider })).statusCode).toBe(404);
    expect(await t.db.prisma.layerOverride.count()).toBe(before);
  });

  it("keeps values that still have overrides, deletes a layer with its overrides, and audits every step", async () => {
    const layer = (await t.app.inject({ method: "GET", url: `${ws}/override-layers/platform`, headers: headers.viewer })).json();
    expect(layer.overrideCount).toBe(1);
    const drop = await t.app.inject({ method: "PATCH", url: `${ws}/override-layers/platform`, headers: { ...headers.admin, ...ifMatch(layer.version) }, payload: { values: ["meta", "google"] } });
    expect(drop.statusCode).toBe(409);
    expect(drop.json().error.details.values).toEqual([{ value: "tiktok", count: 1 }]);

    const list = await t.app.inject({ method: "GET", url: `${flagEnv()}/layer-overrides/platform`, headers: headers.viewer });
    expect(list.json().items.map((o: { value: string }) => o.value)).toEqual(["tiktok"]);
    expect((await t.app.inject({ method: "DELETE", url: `${ws}/override-layers/platform`, headers: { ...headers.admin, ...ifMatch(layer.version) } })).statusCode).toBe(204);
    await eventually(async () => expect(await answer({ tenantKey: "org-a", platform: "tiktok" })).toEqual({ value: false, detail: "TENANT_OVERRIDE" }));
    expect((await t.app.inject({ method: "GET", url: `${ws}/override-order`, headers: headers.viewer })).json()).toEqual({ order: ["user", "channel", "tenant", "rules"], isDefaultOrder: true });

    expect((await auditOf(t.db, world.ws.id, "override_layer.created")).map((e) => e.targetKey)).toEqual(["platform", "channel"]);
    expect((await auditOf(t.db, world.ws.id, "override_order.updated")).length).toBe(2);
    const sets = (await auditOf(t.db, world.ws.id, "layer_override.set")).filter((e) => e.targetKey === "campaigns");
    expect(sets.map((e) => [e.environmentKey, e.targetKey, e.before === null, (e.after as { locked: boolean }).locked])).toEqual([
      ["production", "campaigns", true, false],
      ["production", "campaigns", false, true],
    ]);
    const cleared = (await auditOf(t.db, world.ws.id, "layer_override.cleared")).filter((e) => e.targetKey === "campaigns");
    expect(cleared.map((e) => e.before)).toEqual([{ layer: "platform", value: "tiktok", variant: "on", locked: true, expiresAt: null }]);
    expect((await auditOf(t.db, world.ws.id, "override_layer.deleted"))[0]?.before).toMatchObject({ key: "platform", overrideCount: 1 });
  });
});
