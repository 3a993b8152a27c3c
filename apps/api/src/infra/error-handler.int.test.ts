import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app";
import { isDatabaseUnavailable } from "./error-handler";

describe("the one error shape", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { BODY_LIMIT: "2048" } });
  });
  afterAll(() => t.close());

  const shape = { error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) } };

  it("answers an unknown route with 404", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/nothing-here" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject(shape);
    expect(res.json().error.code).toBe("NOT_FOUND");
    expect(res.headers["x-request-id"]).toBe(res.json().error.requestId);
  });

  it.each([
    ["a URL that is not valid percent-encoding", "/v1/workspaces/%ZZ/flags", 400],
    ["a lone percent sign in the path", "/v1/tenant/features/%", 400],
    ["a path parameter past the router's bound", `/v1/workspaces/${"k".repeat(600)}/flags`, 414],
    ["an over-long OFREP flag key", `/ofrep/v1/evaluate/flags/${"k".repeat(600)}`, 414],
  ])("answers %s in the one error shape, without echoing the URL", async (_name, url, status) => {
    const res = await t.app.inject({ method: url.startsWith("/ofrep") ? "POST" : "GET", url });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject(shape);
    expect(res.json().error.code).toBe("VALIDATION_FAILED");
    expect(res.body).not.toContain("kkkk");
    expect(res.body).not.toContain("%ZZ");
    expect(res.headers["x-request-id"]).toBe(res.json().error.requestId);
  });

  it("answers malformed JSON with 400", async () => {
    const res = await t.app.inject({ method: "POST", url: "/v1/auth/login", headers: { "content-type": "application/json" }, payload: "{nope" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject(shape);
    expect(res.json().error.message).toMatch(/JSON/);
  });

  it("answers an oversized body with 413", async () => {
    const res = await t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: "a@b.test", password: "x".repeat(5000) } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers an unsupported content type with 415", async () => {
    const res = await t.app.inject({ method: "POST", url: "/v1/auth/login", headers: { "content-type": "text/xml" }, payload: "<a/>" });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("reports health and readiness, and documents the API at /docs", async () => {
    expect((await t.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
    const ready = await t.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.json()).toMatchObject({ status: "ready", checks: { database: "up", cache: "up" } });
    const spec = await t.app.inject({ method: "GET", url: "/docs/json" });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(["/v1/auth/login", "/v1/workspaces/{workspace}"]));
  });
});

describe("a database that cannot keep up", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("counts a transaction that ran past its timeout as unavailable (503, retry), and a use after commit as a bug", async () => {
    const expired = await t.db.prisma
      .$transaction(
        async (tx) => {
          await sleep(300);
          await tx.$queryRaw`SELECT 1`;
        },
        { timeout: 50 },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect((expired as { code?: string }).code).toBe("P2028");
    expect(isDatabaseUnavailable(expired)).toBe(true);

    let leaked: { $queryRaw: typeof t.db.prisma.$queryRaw } | undefined;
    await t.db.prisma.$transaction(async (tx) => {
      leaked = tx;
    });
    const afterCommit = await leaked!.$queryRaw`SELECT 1`.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((afterCommit as { code?: string }).code).toBe("P2028");
    expect(isDatabaseUnavailable(afterCommit)).toBe(false);
  });
});
