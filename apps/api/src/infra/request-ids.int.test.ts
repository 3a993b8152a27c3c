import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../test/helpers/fixtures";

describe("request ids", () => {
  let t: TestApp;
  let url: string;
  let headers: Record<string, string>;
  let workspaceId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const ws = await createWorkspace(t.db);
    workspaceId = ws.id;
    url = `/v1/workspaces/${ws.slug}/modules`;
    headers = await memberHeaders(t.app, t.db, ws.id, "admin");
  });
  afterAll(() => t.close());

  it("keeps a caller's plain request id, in the answer and the audit entry", async () => {
    const res = await t.app.inject({ method: "POST", url, headers: { ...headers, "x-request-id": "lb-7f3a:trace.42" }, payload: { key: "FIN", name: "Finance" } });
    expect(res.statusCode).toBe(201);
    expect(res.headers["x-request-id"]).toBe("lb-7f3a:trace.42");
    const entry = await t.db.prisma.auditEntry.findFirstOrThrow({ where: { workspaceId, action: "module.created" } });
    expect(entry.requestId).toBe("lb-7f3a:trace.42");
  });

  it("replaces an oversized or unusual one with its own", async () => {
    for (const given of ["x".repeat(129), "a b", "<script>", "id\u00e9", "a,b"]) {
      const res = await t.app.inject({ method: "GET", url, headers: { ...headers, "x-request-id": given } });
      expect(res.statusCode).toBe(200);
      expect(res.headers["x-request-id"]).not.toBe(given);
      expect(String(res.headers["x-request-id"])).toMatch(/^[A-Za-z0-9_-]+-[0-9a-z]+$/);
    }
  });
});
