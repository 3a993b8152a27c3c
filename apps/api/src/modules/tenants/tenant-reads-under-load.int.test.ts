import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { createFlag, createTenant } from "../../../test/helpers/tenancy-fixtures";

/**
 * Tenant pages evaluate every flag for the tenant. More of them at once than the database pool
 * has connections, right after a change (the replica's snapshot is behind), must all answer:
 * a request holding a connection never waits for another one.
 */
describe("tenant reads under load", () => {
  let t: TestApp;
  let slug: string;
  let headers: Record<string, string>;
  let tenantKey: string;

  beforeAll(async () => {
    t = await createTestApp();
    const ws = await createWorkspace(t.db);
    slug = ws.slug;
    await createFlag(t.db, ws, { key: "kb" });
    tenantKey = (await createTenant(t.db, ws)).key;
    headers = await memberHeaders(t.app, t.db, ws.id, "viewer");
  });
  afterAll(() => t.close());

  it("answers twice the pool's size of concurrent tenant pages and lists while the snapshot is behind", async () => {
    const urls = [`/v1/workspaces/${slug}/tenants/${tenantKey}`, `/v1/workspaces/${slug}/tenants?flag=kb&flagState=on&env=production`];
    // A request that waited on another for a connection would fail with the pool's timeout (or hang until the test's).
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.app.inject({ method: "GET", url: urls[i % urls.length]!, headers })),
    );
    expect(responses.map((res) => res.statusCode)).toEqual(responses.map(() => 200));
  });
});
