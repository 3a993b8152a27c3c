import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Fastify from "fastify";
import { createTestApp, type TestApp } from "../../../apps/api/test/helpers/app";
import { createApiKey, createFlag, createTenant, publishChange } from "../../../apps/api/test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../apps/api/test/helpers/fixtures";
import { flagsClient } from "../../../apps/api/test/helpers/flags";
import { inWorkspace } from "../../../apps/api/src/infra/db/scoped";
import { mintContextToken } from "../../../apps/portal-demo/server/context-token";
import { requireFeature } from "../src/guards/fastify";
import { createLocalClient } from "../src/node/local-client";
import { createClient } from "../src/remote-client";
import type { FetchLike } from "../src/http";
import { sleep, waitFor } from "./wait";

/**
 * The SDKs against the real evaluation service (apps/api on this file's own PostgreSQL database
 * and Redis prefix, listening on a free port): portal endpoint with signed context tokens and
 * ETags, config download, and the change stream.
 */
describe("SDKs against the real Ensign API", () => {
  let t: TestApp;
  let url: string;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prod: { id: string; contextSecret: string };
  let clientKey: string;
  let serverKey: string;
  const closers: { close(): void }[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    prod = ws.environments[2]!;
    for (const key of ["arizona-comedy", "desert-laughs", "tucson-theatre-works"]) await createTenant(t.db, ws.id, key, { plan: key === "arizona-comedy" ? "pro" : "standard" });
    const allow = (tenants: string[]) => ({ [prod.id]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: tenants } });
    await createFlag(t.db, ws.id, { key: "knowledge_base_enabled", states: allow(["desert-laughs"]) });
    await createFlag(t.db, ws.id, { key: "ai_agents_enabled", states: allow(["tucson-theatre-works"]) });
    await createFlag(t.db, ws.id, { key: "additional_services_enabled", states: allow([]) });
    await createFlag(t.db, ws.id, {
      key: "checkout_theme",
      type: "string",
      variants: [
        { key: "modern", value: "modern" },
        { key: "classic", value: "classic" },
      ],
      states: { [prod.id]: { enabled: true, fallthrough: { variant: "classic" }, rules: [{ conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro"] }], serve: { variant: "modern" } }] } },
    });
    clientKey = (await createApiKey(t.db, ws.id, prod.id, "client")).secret;
    serverKey = (await createApiKey(t.db, ws.id, prod.id, "server")).secret;
    url = await t.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    for (const c of closers) c.close();
    await t.close();
  });

  async function setAllow(flagKey: string, tenants: string[]) {
    await inWorkspace(t.db.prisma, ws.id, async (tx) => {
      const flag = await tx.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: flagKey } });
      await tx.flagState.update({ where: { flagId_environmentId: { flagId: flag.id, environmentId: prod.id } }, data: { tenantAllow: tenants, version: { increment: 1 } } });
    });
    await publishChange(t.app, t.db, ws.id, [prod.id]);
  }

  const token = (tenantKey: string) => mintContextToken({ sub: `${tenantKey}:owner`, tenantKey, role: "producer" }, prod.contextSecret, 600).token;
  const recording = (statuses: number[]): FetchLike => async (input, init) => {
    const response = await fetch(input, init);
    if (input.includes("/v1/flags") || input.includes("/v1/config")) statuses.push(response.status);
    return response;
  };

  it("remote client: bulk answer for the token's producer, 304 on revalidation, live change through the stream", async () => {
    const statuses: number[] = [];
    const client = createClient({ url, clientKey, contextToken: () => token("arizona-comedy"), streamTransport: "fetch", fetch: recording(statuses) });
    closers.push(client);
    const errors: unknown[] = [];
    client.on("error", (e) => errors.push(e));
    await client.start();
    expect(client.status).toBe("ready");
    expect(client.getBoolean("ai_agents_enabled", true)).toBe(false);
    expect(client.getString("checkout_theme", "x")).toBe("modern");
    await client.refresh();
    expect(statuses).toEqual([200, 304]);

    let changes = 0;
    client.subscribe("ai_agents_enabled", () => changes++);
    await new Promise((r) => setTimeout(r, 200)); // the stream is open (or, opened later, catches up)
    await setAllow("ai_agents_enabled", ["tucson-theatre-works", "arizona-comedy"]);
    // The client rereads only when told (its cache lasts a minute): the change came through the stream.
    await waitFor(() => changes > 0, "the change through the stream");
    expect(client.getBoolean("ai_agents_enabled", false)).toBe(true);
    expect(errors).toEqual([]);
  });

  it("local client: downloads the config, answers as the portal endpoint does, and follows changes", async () => {
    const local = createLocalClient({ url, serverKey });
    closers.push(local);
    await local.start();
    expect(local.status).toBe("ready");
    for (const tenantKey of ["arizona-comedy", "desert-laughs", "tucson-theatre-works", "nobody"]) {
      const remote = createClient({ url, clientKey, context: { targetingKey: `${tenantKey}:owner`, tenantKey }, stream: false });
      await remote.start();
      for (const key of ["knowledge_base_enabled", "ai_agents_enabled", "additional_services_enabled", "checkout_theme"]) {
        const theirs = remote.getDetails(key, null as never);
        const ours = local.getDetails(key, null as never, { targetingKey: `${tenantKey}:owner`, tenantKey });
        expect({ key, tenantKey, value: ours.value, variant: ours.variant, reason: ours.reason }).toEqual({ key, tenantKey, value: theirs.value, variant: theirs.variant, reason: theirs.reason });
      }
    }
    const version = local.version;
    await setAllow("additional_services_enabled", ["desert-laughs"]);
    await waitFor(() => local.version > version, "the streamed change");
    expect(local.getBoolean("additional_services_enabled", false, { targetingKey: "d", tenantKey: "desert-laughs" })).toBe(true);
  });

  it("local client: applies a toggle made through the admin API from the stream's delta, without downloading /v1/config again", async () => {
    const flags = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "admin"));
    const toggle = async (enabled: boolean) => {
      const state = (await flags.state("knowledge_base_enabled", "production")).json();
      expect((await flags.toggle("knowledge_base_enabled", "production", state.version, enabled)).statusCode).toBe(200);
    };
    const configStatuses: number[] = [];
    const local = createLocalClient({
      url,
      serverKey,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (input.includes("/v1/config")) configStatuses.push(response.status);
        return response;
      },
    });
    closers.push(local);
    await local.start();
    await waitFor(() => local.isStreaming, "the stream");
    const changes: string[][] = [];
    local.on("change", (keys) => changes.push(keys));
    const producer = { targetingKey: "owner@desert-laughs", tenantKey: "desert-laughs" };
    expect(local.getBoolean("knowledge_base_enabled", false, producer)).toBe(true);

    const version = local.version;
    await toggle(false);
    await waitFor(() => local.version > version, "the streamed delta");
    expect(local.getBoolean("knowledge_base_enabled", true, producer)).toBe(false);
    await toggle(true);
    await waitFor(() => local.version > version + 1, "the second delta");
    expect(local.getBoolean("knowledge_base_enabled", false, producer)).toBe(true);

    expect(configStatuses).toEqual([200]);
    expect(changes).toEqual([["knowledge_base_enabled"], ["knowledge_base_enabled"]]);
    // What it built answers as the API does, and its next conditional download is a 304.
    const remote = createClient({ url, clientKey, context: producer, stream: false });
    await remote.start();
    for (const key of ["knowledge_base_enabled", "ai_agents_enabled", "checkout_theme"]) expect(local.getDetails(key, null as never, producer).value).toEqual(remote.getDetails(key, null as never).value);
    await local.refresh();
    expect(configStatuses).toEqual([200, 304]);
  });

  it("local client: evaluates with identities' stored traits read per key, and hears of their changes on the stream", async () => {
    await createFlag(t.db, ws.id, {
      key: "beta_reports",
      states: { [prod.id]: { enabled: true, fallthrough: { variant: "off" }, rules: [{ conditions: [{ attribute: "stage", operator: "equals", values: ["onboarded"] }], serve: { variant: "on" } }] } },
    });
    const putTraits = (key: string, traits: object) => fetch(`${url}/v1/identities/${key}/traits`, { method: "PUT", headers: { "x-api-key": serverKey, "content-type": "application/json" }, body: JSON.stringify({ traits }) });
    expect((await putTraits("member-1", { stage: "onboarded" })).status).toBe(200);
    await publishChange(t.app, t.db, ws.id, [prod.id]);

    const local = createLocalClient({ url, serverKey });
    closers.push(local);
    await local.start();
    await waitFor(() => local.isStreaming, "the stream");
    // The configuration carries no identity; the traits come from their own route.
    const config = await (await fetch(`${url}/v1/config`, { headers: { "x-api-key": serverKey } })).json();
    expect(config.identities).toEqual([]);
    expect(await local.evaluate("beta_reports", false, { targetingKey: "member-1" })).toMatchObject({ value: true });
    expect(await local.evaluate("beta_reports", true, { targetingKey: "member-2" })).toMatchObject({ value: false });

    const version = local.version;
    expect((await putTraits("member-1", { stage: "signup" })).status).toBe(200);
    const until = async (check: () => Promise<boolean>, what: string) => {
      for (const deadline = Date.now() + 10_000; !(await check()); await new Promise((resolve) => setTimeout(resolve, 10))) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      }
    };
    await until(async () => (await local.evaluate("beta_reports", true, { targetingKey: "member-1" })).value === false, "the changed traits");
    expect((await putTraits("member-2", { stage: "onboarded" })).status).toBe(200);
    await until(async () => (await local.evaluate("beta_reports", false, { targetingKey: "member-2" })).value === true, "the new identity");
    // Traits changes never made the client download the configuration again.
    expect(local.version).toBe(version);
  });

  it("requireFeature on a local client guards a route by the real API's answers", async () => {
    const local = createLocalClient({ url, serverKey });
    closers.push(local);
    const app = Fastify();
    app.get("/assistant", { preHandler: requireFeature("knowledge_base_enabled", { client: local, context: (req) => ({ targetingKey: "u", tenantKey: String(req.headers["x-producer"]) }), onDenied: () => {} }) }, async () => "ok");
    expect((await app.inject({ url: "/assistant", headers: { "x-producer": "desert-laughs" } })).statusCode).toBe(200);
    expect((await app.inject({ url: "/assistant", headers: { "x-producer": "arizona-comedy" } })).json()).toMatchObject({ error: { code: "FEATURE_DISABLED" } });
    await app.close();
  });
  it("local client: honours the workspace's override layers from /v1/config, as the API answers, and follows a change", async () => {
    const overrideId = await inWorkspace(t.db.prisma, ws.id, async (tx) => {
      const layer = await tx.overrideLayer.create({ data: { workspaceId: ws.id, key: "platform", name: "Platform", attribute: "platform", values: ["meta", "tiktok"] } });
      const flag = await tx.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "ai_agents_enabled" } });
      const row = await tx.layerOverride.create({ data: { workspaceId: ws.id, flagId: flag.id, environmentId: prod.id, layerId: layer.id, value: "tiktok", variant: "on" } });
      return row.id;
    });
    await publishChange(t.app, t.db, ws.id, [prod.id]);
    const context = { targetingKey: "desert-laughs:owner", tenantKey: "desert-laughs", platform: "tiktok" };
    const ofrep = async () =>
      (await fetch(`${url}/ofrep/v1/evaluate/flags/ai_agents_enabled`, { method: "POST", headers: { "x-api-key": serverKey, "content-type": "application/json" }, body: JSON.stringify({ context }) })).json();
    // The replica rebuilds its snapshot once told; the deadline only guards against a hang.
    let theirs = await ofrep();
    for (const until = Date.now() + 10_000; theirs.metadata?.detail !== "LAYER_OVERRIDE:platform" && Date.now() < until; theirs = await ofrep()) await sleep(20);
    const local = createLocalClient({ url, serverKey });
    closers.push(local);
    await local.start();
    const ours = local.getDetails("ai_agents_enabled", false, context);
    expect({ value: ours.value, detail: ours.detail }).toEqual({ value: true, detail: "LAYER_OVERRIDE:platform" });
    expect({ value: theirs.value, detail: theirs.metadata?.detail }).toEqual({ value: ours.value, detail: ours.detail });
    expect(local.getBoolean("ai_agents_enabled", true, { ...context, platform: "meta" })).toBe(false);

    const version = local.version;
    await inWorkspace(t.db.prisma, ws.id, (tx) => tx.layerOverride.update({ where: { id: overrideId }, data: { variant: "off", locked: true } }));
    await publishChange(t.app, t.db, ws.id, [prod.id]);
    await waitFor(() => local.version > version, "the streamed change");
    expect(local.getDetails("ai_agents_enabled", true, { ...context, tenantKey: "tucson-theatre-works" })).toMatchObject({ value: false, detail: "LAYER_OVERRIDE_LOCKED:platform" });
  });
  it("local client: follows the environment's master switch from the stream, every flag off with DISABLED, and back when it is lifted", async () => {
    const owner = await memberHeaders(t.app, t.db, ws.id, "owner");
    const flip = async (payload: object) => {
      const res = await t.app.inject({ method: "PUT", url: `/v1/workspaces/${ws.slug}/environments/production/master-switch`, headers: owner, payload });
      expect(res.statusCode).toBe(200);
    };
    const local = createLocalClient({ url, serverKey });
    closers.push(local);
    await local.start();
    await waitFor(() => local.isStreaming, "the stream");
    const changes: string[][] = [];
    local.on("change", (keys) => changes.push(keys));
    const producer = { targetingKey: "owner@desert-laughs", tenantKey: "desert-laughs" };
    expect(local.getBoolean("knowledge_base_enabled", false, producer)).toBe(true);

    try {
      const version = local.version;
      await flip({ enabled: true, reason: "checkout outage" });
      await waitFor(() => local.version > version, "the streamed master switch");
      expect(local.getDetails("knowledge_base_enabled", true, producer)).toMatchObject({ value: false, reason: "DISABLED", detail: "MASTER_SWITCH" });
      expect(local.getDetails("checkout_theme", "modern", { targetingKey: "a", tenantKey: "arizona-comedy" })).toMatchObject({ value: "classic", reason: "DISABLED" });
      // Every flag changed its answer: the change event names them all.
      expect(changes.at(-1)).toEqual(expect.arrayContaining(["knowledge_base_enabled", "ai_agents_enabled", "additional_services_enabled", "checkout_theme"]));
    } finally {
      const version = local.version;
      await flip({ enabled: false });
      await waitFor(() => local.version > version, "the streamed lift");
    }
    expect(local.getDetails("knowledge_base_enabled", false, producer)).toMatchObject({ value: true });
  });
});
