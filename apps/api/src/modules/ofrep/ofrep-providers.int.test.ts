import { OFREPProvider } from "@openfeature/ofrep-provider";
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { ErrorCode, OpenFeature as ServerFeature } from "@openfeature/server-sdk";
import { OpenFeature as WebFeature, ProviderEvents } from "@openfeature/web-sdk";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createApiKey, createFlag, createTenant, toggleFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";

/** Conformance: the real OpenFeature SDKs with the real OFREP providers, unchanged, against a listening API. */
describe("OpenFeature OFREP providers against Ensign", () => {
  let t: TestApp;
  let baseUrl: string;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let server: string;
  let client: string;
  /** Evaluation requests seen by a hook added once to the application: every one must pass it. */
  const routed: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      prepare: (app) =>
        app.addHook("onRequest", (request, _reply, done) => {
          if (request.method === "POST" && request.url.startsWith("/ofrep/v1/evaluate/")) routed.push(request.url);
          done();
        }),
    });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    ws = await createWorkspace(t.db);
    prodId = ws.environments[2]!.id;
    await createTenant(t.db, ws.id, "arizona-comedy", { plan: "pro" });
    await createFlag(t.db, ws.id, { key: "knowledge_base_enabled", states: { [prodId]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: ["arizona-comedy"] } } });
    await createFlag(t.db, ws.id, {
      key: "checkout_theme",
      type: "string",
      variants: [
        { key: "classic", value: "classic" },
        { key: "modern", value: "modern" },
      ],
      states: { [prodId]: { enabled: true, rules: [{ conditions: [{ attribute: "tenant.plan", operator: "equals", values: ["pro"] }], serve: { variant: "modern" } }] } },
    });
    await createFlag(t.db, ws.id, { key: "max_venues", type: "number", variants: [{ key: "few", value: 3 }, { key: "many", value: 50 }], states: { [prodId]: { enabled: true } } });
    await createFlag(t.db, ws.id, { key: "limits", type: "json", variants: [{ key: "default", value: { seats: 100 } }], states: { [prodId]: { enabled: true } } });
    server = (await createApiKey(t.db, ws.id, prodId, "server")).secret;
    client = (await createApiKey(t.db, ws.id, prodId, "client")).secret;
  });
  afterAll(async () => {
    await ServerFeature.close();
    await WebFeature.close();
    await t.close();
  });

  it("resolves every type through @openfeature/server-sdk and @openfeature/ofrep-provider", async () => {
    await ServerFeature.setProviderAndWait(new OFREPProvider({ baseUrl, headers: [["X-API-Key", server]] }));
    const of = ServerFeature.getClient();
    const producer = { targetingKey: "alex", tenantKey: "arizona-comedy" };

    expect(await of.getBooleanDetails("knowledge_base_enabled", false, producer)).toMatchObject({
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
      flagMetadata: { detail: "TENANT_ALLOW" },
    });
    expect(await of.getBooleanValue("knowledge_base_enabled", true, { targetingKey: "sam" })).toBe(false);
    expect(await of.getStringValue("checkout_theme", "none", producer)).toBe("modern");
    expect(await of.getNumberValue("max_venues", 0, producer)).toBe(3);
    expect(await of.getObjectValue("limits", {}, producer)).toEqual({ seats: 100 });

    const missing = await of.getBooleanDetails("no_such_flag", true, producer);
    expect(missing).toMatchObject({ value: true, reason: "ERROR", errorCode: ErrorCode.FLAG_NOT_FOUND });
    const mismatch = await of.getBooleanDetails("checkout_theme", false, producer);
    expect(mismatch).toMatchObject({ value: false, reason: "ERROR", errorCode: ErrorCode.TYPE_MISMATCH });
    // Every evaluation request ran through the application's request pipeline.
    expect(new Set(routed)).toEqual(new Set(["knowledge_base_enabled", "checkout_theme", "max_venues", "limits", "no_such_flag"].map((key) => `/ofrep/v1/evaluate/flags/${key}`)));
    routed.length = 0;
  });

  it("falls back to the default with a bad key", async () => {
    await ServerFeature.setProviderAndWait(new OFREPProvider({ baseUrl, headers: [["X-API-Key", `ens_srv_${"Z".repeat(43)}`]] }));
    const details = await ServerFeature.getClient().getBooleanDetails("knowledge_base_enabled", true, { targetingKey: "alex" });
    expect(details).toMatchObject({ value: true, reason: "ERROR" });
  });

  it("serves a static context through @openfeature/web-sdk and @openfeature/ofrep-web-provider, and follows changes", async () => {
    await WebFeature.setContext({ targetingKey: "alex", tenantKey: "arizona-comedy" });
    const provider = new OFREPWebProvider({ baseUrl, headers: [["X-API-Key", client]], pollInterval: 200 });
    await WebFeature.setProviderAndWait(provider);
    const of = WebFeature.getClient();
    expect(of.getBooleanDetails("knowledge_base_enabled", false)).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH" });
    expect(of.getStringValue("checkout_theme", "none")).toBe("modern");
    expect(of.getBooleanDetails("no_such_flag", false)).toMatchObject({ value: false, errorCode: ErrorCode.FLAG_NOT_FOUND });

    const changed = new Promise<void>((resolve) => of.addHandler(ProviderEvents.ConfigurationChanged, () => resolve()));
    await toggleFlag(t.app, t.db, ws.id, prodId, "knowledge_base_enabled", false);
    await changed;
    expect(of.getBooleanDetails("knowledge_base_enabled", true)).toMatchObject({ value: false, reason: "DISABLED" });

    await WebFeature.setContext({ targetingKey: "sam" });
    expect(of.getStringValue("checkout_theme", "none")).toBe("classic");
    // The web provider's bulk requests ran through the application's request pipeline too.
    expect(routed.length).toBeGreaterThanOrEqual(2);
    expect(routed).toContain("/ofrep/v1/evaluate/flags");
    expect(routed.every((url) => url.startsWith("/ofrep/v1/evaluate/flags"))).toBe(true);
  });
});
