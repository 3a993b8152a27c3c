import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, createTenant, toggleFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";

describe("OFREP evaluation", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let client: string;
  let server: string;
  let otherEnvKey: string;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    prodId = ws.environments[2]!.id;
    await createTenant(t.db, ws.id, "arizona-comedy", { plan: "pro" });
    await createTenant(t.db, ws.id, "desert-jazz", { plan: "standard" });
    await createFlag(t.db, ws.id, {
      key: "knowledge_base_enabled",
      states: { [prodId]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: ["arizona-comedy"] } },
    });
    await createFlag(t.db, ws.id, {
      key: "banner_text",
      type: "string",
      variants: [
        { key: "hello", value: "Hello" },
        { key: "bye", value: "Bye" },
      ],
      states: { [prodId]: { enabled: true, rules: [{ conditions: [{ attribute: "tenant.plan", operator: "equals", values: ["pro"] }], serve: { variant: "bye" } }] } },
    });
    await createFlag(t.db, ws.id, { key: "retired", archived: true, states: { [prodId]: { enabled: true } } });
    await createFlag(t.db, ws.id, {
      key: "gradual",
      states: { [prodId]: { enabled: true, fallthrough: { split: { allocations: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } } } },
    });
    client = (await createApiKey(t.db, ws.id, prodId, "client")).secret;
    server = (await createApiKey(t.db, ws.id, prodId, "server")).secret;
    otherEnvKey = (await createApiKey(t.db, ws.id, ws.environments[0]!.id, "client")).secret;
  });
  afterAll(() => t.close());

  const evaluate = (key: string, context: unknown, headers: Record<string, string>) =>
    t.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags/${key}`, headers, payload: { context } });

  it("answers a single flag for the key's environment, by X-API-Key or Bearer", async () => {
    const res = await evaluate("knowledge_base_enabled", { targetingKey: "u1", tenantKey: "arizona-comedy" }, apiKeyHeaders(client));
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(res.json()).toEqual({ key: "knowledge_base_enabled", value: true, reason: "TARGETING_MATCH", variant: "on", metadata: { detail: "TENANT_ALLOW" } });

    const bearer = await evaluate("banner_text", { targetingKey: "u1", tenantKey: "arizona-comedy" }, { authorization: `Bearer ${server}` });
    expect(bearer.json()).toMatchObject({ value: "Bye", variant: "bye", reason: "TARGETING_MATCH" });
    const other = await evaluate("knowledge_base_enabled", { targetingKey: "u1", tenantKey: "desert-jazz" }, apiKeyHeaders(client));
    expect(other.json()).toMatchObject({ value: false, variant: "off" });
  });

  it("evaluates against the key's own environment only", async () => {
    const res = await evaluate("knowledge_base_enabled", { targetingKey: "u1", tenantKey: "arizona-comedy" }, apiKeyHeaders(otherEnvKey));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ value: false, reason: "DISABLED" });
  });

  it("answers 404 FLAG_NOT_FOUND for unknown and archived flags", async () => {
    for (const key of ["no_such_flag", "retired"]) {
      const res = await evaluate(key, { targetingKey: "u1" }, apiKeyHeaders(client));
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ key, errorCode: "FLAG_NOT_FOUND" });
    }
  });

  it("answers an archived flag exactly as an unknown one", async () => {
    const archived = await evaluate("retired", { targetingKey: "u1" }, apiKeyHeaders(client));
    const unknown = await evaluate("retire", { targetingKey: "u1" }, apiKeyHeaders(client));
    expect(archived.statusCode).toBe(unknown.statusCode);
    expect(archived.body.replaceAll("retired", "KEY")).toBe(unknown.body.replaceAll("retire", "KEY"));
  });

  it("shows rule ids to server keys only: client keys see RULE", async () => {
    const context = { targetingKey: "u1", tenantKey: "arizona-comedy" };
    const byServer = await evaluate("banner_text", context, apiKeyHeaders(server));
    expect(byServer.json().metadata.detail).toMatch(/^RULE:[0-9a-f-]{36}$/);
    const byClient = await evaluate("banner_text", context, apiKeyHeaders(client));
    expect(byClient.json()).toEqual({ key: "banner_text", value: "Bye", reason: "TARGETING_MATCH", variant: "bye", metadata: { detail: "RULE" } });
    const bulk = await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(client), payload: { context } });
    expect(bulk.body).not.toMatch(/RULE:/);
    expect(bulk.json().flags.find((f: { key: string }) => f.key === "banner_text").metadata).toEqual({ detail: "RULE" });
  });

  it("answers TARGETING_KEY_MISSING when a split needs a key the context lacks", async () => {
    const single = await evaluate("gradual", { tenantKey: "arizona-comedy" }, apiKeyHeaders(client));
    expect(single.statusCode).toBe(400);
    expect(single.json()).toMatchObject({ key: "gradual", errorCode: "TARGETING_KEY_MISSING" });
    expect((await evaluate("gradual", { targetingKey: "u1" }, apiKeyHeaders(client))).json()).toMatchObject({ reason: "SPLIT" });
    const bulk = await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(client), payload: { context: {} } });
    expect(bulk.statusCode).toBe(200);
    expect(bulk.json().flags.find((f: { key: string }) => f.key === "gradual")).toMatchObject({ errorCode: "TARGETING_KEY_MISSING" });
  });

  it("evaluates a body without a context as the empty context, as the protocol allows", async () => {
    const res = await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled", headers: apiKeyHeaders(client), payload: {} });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ value: false, metadata: { detail: "FALLTHROUGH" } });
  });

  it.each([
    ["no key", {}, 401],
    ["a malformed key", { "x-api-key": "nope" }, 401],
    ["an unknown key", { "x-api-key": `ens_cli_${"A".repeat(43)}` }, 401],
  ])("refuses %s with %i", async (_label, headers, status) => {
    const res = await evaluate("knowledge_base_enabled", {}, headers as Record<string, string>);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe("UNAUTHENTICATED");
  });

  it("answers 400 for hostile or malformed input, never 5xx", async () => {
    const cases: [unknown, string][] = [
      [{ targetingKey: 42 }, "INVALID_CONTEXT"],
      ["a string", "INVALID_CONTEXT"],
      [{ deep: { a: { b: { c: { d: { e: 1 } } } } } }, "INVALID_CONTEXT"],
      [{ big: "x".repeat(20_000) }, "INVALID_CONTEXT"],
      [Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a${i}`, i])), "INVALID_CONTEXT"],
    ];
    for (const [context, code] of cases) {
      const res = await evaluate("knowledge_base_enabled", context, apiKeyHeaders(client));
      expect({ status: res.statusCode, code: res.json().errorCode }).toEqual({ status: 400, code });
    }
    const broken = await t.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled",
      headers: { ...apiKeyHeaders(client), "content-type": "application/json" },
      payload: "{not json",
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toEqual({ key: "knowledge_base_enabled", errorCode: "PARSE_ERROR", errorDetails: "The body is not valid JSON." });
    for (const payload of ["[]", '[{"context":{}}]', '"context"', "42", "null", "true"]) {
      for (const url of ["/ofrep/v1/evaluate/flags/knowledge_base_enabled", "/ofrep/v1/evaluate/flags"]) {
        const res = await t.app.inject({ method: "POST", url, headers: { ...apiKeyHeaders(client), "content-type": "application/json" }, payload });
        expect({ payload, url, status: res.statusCode, code: res.json().errorCode }).toEqual({ payload, url, status: 400, code: "PARSE_ERROR" });
        expect(res.json().key).toBe(url.endsWith("flags") ? undefined : "knowledge_base_enabled");
      }
    }
    const huge = await evaluate("knowledge_base_enabled", { a: "x".repeat(70_000) }, apiKeyHeaders(client));
    expect(huge.statusCode).toBe(413);
  });

  it("bulk-evaluates every live flag with an ETag, 304 while unchanged, a new ETag after a change", async () => {
    const url = "/ofrep/v1/evaluate/flags";
    const payload = { context: { targetingKey: "u1", tenantKey: "arizona-comedy" } };
    const first = await t.app.inject({ method: "POST", url, headers: apiKeyHeaders(client), payload });
    expect(first.statusCode).toBe(200);
    const body = first.json() as { flags: { key: string; value: unknown }[] };
    expect(body.flags.map((f) => f.key).sort()).toEqual(["banner_text", "gradual", "knowledge_base_enabled"]);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);

    const again = await t.app.inject({ method: "POST", url, headers: { ...apiKeyHeaders(client), "if-none-match": etag }, payload });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");

    const version = await toggleFlag(t.app, t.db, ws.id, prodId, "knowledge_base_enabled", false);
    await t.app.services.snapshots.refresh(prodId, version);
    const changed = await t.app.inject({ method: "POST", url, headers: { ...apiKeyHeaders(client), "if-none-match": etag }, payload });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.json().flags.find((f: { key: string }) => f.key === "knowledge_base_enabled")).toMatchObject({ value: false, reason: "DISABLED" });
    await toggleFlag(t.app, t.db, ws.id, prodId, "knowledge_base_enabled", true);
  });

  it("answers the provider configuration", async () => {
    const res = await t.app.inject({ method: "GET", url: "/ofrep/v1/configuration", headers: apiKeyHeaders(client) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: "Ensign", capabilities: { cacheInvalidation: { polling: { enabled: true } } } });
  });

  it("serves /v1/config to server keys only, with the snapshot version as ETag", async () => {
    const denied = await t.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(client) });
    expect(denied.statusCode).toBe(403);
    const res = await t.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) });
    expect(res.statusCode).toBe(200);
    const snapshot = res.json();
    expect(snapshot).toMatchObject({ schemaVersion: 1, workspace: ws.slug, environment: "production" });
    expect(snapshot.flags.map((f: { key: string }) => f.key)).toContain("retired");
    expect(JSON.stringify(snapshot)).not.toMatch(/context_?secret|ecs_/i);
    expect(res.headers.etag).toBe(`"${snapshot.version}"`);
    const same = await t.app.inject({ method: "GET", url: "/v1/config", headers: { ...apiKeyHeaders(server), "if-none-match": res.headers.etag as string } });
    expect(same.statusCode).toBe(304);
  });
});
