import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";

describe("CORS on the portal endpoint", () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { CORS_ORIGINS: "https://portal.example,https://other.example" } });
    const ws = await createWorkspace(t.db);
    const prod = ws.environments[2]!;
    await createFlag(t.db, ws.id, { key: "kb", states: { [prod.id]: { enabled: true } } });
    key = (await createApiKey(t.db, ws.id, prod.id, "client")).secret;
  });
  afterAll(() => t.close());

  it("varies on Origin as well as on the credentials, so no cache serves one origin's answer to another", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/flags?targetingKey=u", headers: { ...apiKeyHeaders(key), origin: "https://portal.example" } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("https://portal.example");
    const vary = String(res.headers.vary).toLowerCase().split(/,\s*/);
    expect(vary).toEqual(expect.arrayContaining(["origin", "x-ensign-context", "x-api-key", "authorization"]));
  });
});
