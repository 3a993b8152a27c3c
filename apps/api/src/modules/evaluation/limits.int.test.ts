import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";

describe("evaluation limits and CORS", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let client: string;
  let other: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { EVAL_RATE_LIMIT: "5", CORS_ORIGINS: "https://portal.example" } });
    ws = await createWorkspace(t.db);
    const prodId = ws.environments[2]!.id;
    await createFlag(t.db, ws.id, { key: "knowledge_base_enabled", states: { [prodId]: { enabled: true } } });
    client = (await createApiKey(t.db, ws.id, prodId, "client")).secret;
    other = (await createApiKey(t.db, ws.id, prodId, "client")).secret;
  });
  afterAll(() => t.close());

  it("answers 429 with Retry-After once a key passes its per-second budget, and counts keys apart", async () => {
    // Start at the beginning of a second so the six requests share one window.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 6; i++) {
      const res = await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled", headers: apiKeyHeaders(client), payload: { context: {} } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(limited!.headers["retry-after"]).toBe("1");
    expect(limited!.json().error.code).toBe("RATE_LIMITED");
    const otherKey = await t.app.inject({ method: "GET", url: "/v1/flags", headers: apiKeyHeaders(other) });
    expect(otherKey.statusCode).toBe(200);
  });

  it("answers CORS on the evaluation paths for the configured origins only", async () => {
    const preflight = await t.app.inject({
      method: "OPTIONS",
      url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled",
      headers: { origin: "https://portal.example", "access-control-request-method": "POST", "access-control-request-headers": "x-api-key,content-type" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://portal.example");
    expect(String(preflight.headers["access-control-allow-headers"])).toContain("x-api-key");

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const flags = await t.app.inject({ method: "GET", url: "/v1/flags", headers: { ...apiKeyHeaders(other), origin: "https://portal.example" } });
    expect(flags.headers["access-control-allow-origin"]).toBe("https://portal.example");
    expect(String(flags.headers["access-control-expose-headers"])).toContain("etag");

    const stranger = await t.app.inject({ method: "GET", url: "/v1/flags", headers: { ...apiKeyHeaders(other), origin: "https://evil.example" } });
    expect(stranger.headers["access-control-allow-origin"]).toBeUndefined();
    const admin = await t.app.inject({
      method: "OPTIONS",
      url: `/v1/workspaces/${ws.slug}`,
      headers: { origin: "https://portal.example", "access-control-request-method": "GET" },
    });
    expect(admin.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
