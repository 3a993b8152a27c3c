import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, expectNo5xx, expectRoleMatrix, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe("audit log", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let base: string;
  const actorId = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    base = `/v1/workspaces/${world.ws.slug}/audit`;
    const entry = (minutes: number, action: string, extra: Record<string, unknown> = {}) => ({
      workspaceId: world.ws.id,
      at: at(minutes),
      actorType: "user" as const,
      actorId,
      actorEmail: "ada@example.test",
      actorRole: "admin",
      action,
      targetType: "flag",
      targetKey: "checkout",
      ...extra,
    });
    await t.db.prisma.auditEntry.createMany({
      data: [
        entry(0, "flag.created", { after: { key: "checkout" } }),
        entry(1, "flag_state.toggled", { environmentKey: "production", before: { enabled: false }, after: { enabled: true } }),
        // Three entries in the same millisecond: the cursor must not skip or repeat any.
        entry(2, "tenant_override.set", { targetType: "tenant_override", tenantKey: "acme", environmentKey: "production" }),
        entry(2, "tenant_override.set", { targetType: "tenant_override", tenantKey: "globex", environmentKey: "production" }),
        entry(2, "tenant_override.locked", { targetType: "tenant_override", tenantKey: "acme", environmentKey: "staging" }),
        entry(3, "flag.updated", { targetKey: "search" }),
        entry(4, "segment.created", { targetType: "segment", targetKey: "beta", actorId: null, actorType: "system", actorEmail: null, actorRole: null }),
        entry(5, "flag.archived", { actorId: "someone-else", actorEmail: "bob@example.test" }),
      ],
    });
    await t.db.prisma.auditEntry.create({ data: { ...entry(6, "flag.created"), workspaceId: world.other.id, targetKey: "their-flag" } });
  });
  afterAll(() => t.close());

  const get = async (query: string, url = base) => {
    const res = await t.app.inject({ method: "GET", url: `${url}${query}`, headers: headers.viewer });
    expect(res.statusCode).toBe(200);
    return res.json() as { items: { action: string; targetKey: string; tenant: string | null; id: string; at: string }[]; total: number; nextCursor: string | null };
  };

  it("answers entries newest first, with actor, target, before and after", async () => {
    const page = await get("");
    expect(page.total).toBe(8);
    expect(page.items[0]).toMatchObject({ action: "flag.archived", at: at(5).toISOString() });
    const toggled = page.items.find((e) => e.action === "flag_state.toggled");
    expect(toggled).toMatchObject({
      actor: { type: "user", id: actorId, email: "ada@example.test", role: "admin" },
      environment: "production",
      targetType: "flag",
      targetKey: "checkout",
      before: { enabled: false },
      after: { enabled: true },
    });
    expect(JSON.stringify(page)).not.toContain("their-flag");
  });

  it("walks every page by cursor without skipping or repeating an entry", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`?pageSize=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.total).toBe(8);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = (await get("?pageSize=200")).items.map((e) => e.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(8);
  });

  it.each([
    ["?flag=checkout", 6],
    ["?tenant=acme", 2],
    [`?actor=${actorId}`, 6],
    ["?actor=BOB@example.test", 1],
    ["?actor=system", 1],
    ["?action=flag.created", 1],
    ["?action=flag.", 3],
    ["?action=tenant_override*", 3],
    ["?environment=production", 3],
    ["?targetType=segment", 1],
    ["?flag=checkout&targetType=tenant_override", 3],
    [`?from=${at(2).toISOString()}&to=${at(3).toISOString()}`, 4],
    ["?flag=checkout&tenant=acme&environment=staging", 1],
  ])("filters %s", async (query, total) => {
    const page = await get(query);
    expect(page.total).toBe(total);
    expect(page.items).toHaveLength(total);
  });

  it("answers a flag's history with its overrides, also after the flag is gone", async () => {
    const page = await get("?action=tenant_override.", `/v1/workspaces/${world.ws.slug}/flags/checkout/audit`);
    expect(page.total).toBe(3);
    expect(page.items.every((e) => e.targetKey === "checkout")).toBe(true);
    expect((await get("", `/v1/workspaces/${world.ws.slug}/flags/their-flag/audit`)).total).toBe(0);
  });

  it("names bad filters", async () => {
    const res = await t.app.inject({ method: "GET", url: `${base}?from=yesterday&pageSize=0&flag=Not%20A%20Key`, headers: headers.viewer });
    expect(issuePaths(res)).toEqual(expect.arrayContaining(["querystring.from", "querystring.pageSize", "querystring.flag"]));
    const backwards = await t.app.inject({ method: "GET", url: `${base}?from=${at(5).toISOString()}&to=${at(1).toISOString()}`, headers: headers.viewer });
    expect(issuePaths(backwards)).toEqual(["querystring.from"]);
    const cursor = await t.app.inject({ method: "GET", url: `${base}?cursor=bm90LWEtY3Vyc29y`, headers: headers.viewer });
    expect(issuePaths(cursor)).toEqual(["querystring.cursor"]);
  });

  it("checks every route's roles", async () => {
    const readers = ["owner", "admin", "editor", "viewer"] as const;
    await expectRoleMatrix(t, headers, [
      { name: "list", method: "GET", url: base, allowed: readers, allowedStatus: 200 },
      { name: "flag history", method: "GET", url: `/v1/workspaces/${world.ws.slug}/flags/checkout/audit`, allowed: readers, allowedStatus: 200 },
    ]);
  });

  it("answers malformed input with a 4xx", async () => {
    await expectNo5xx(t, headers.viewer, [
      { method: "GET", url: `${base}?cursor=${"A".repeat(200)}` },
      { method: "GET", url: `${base}?cursor=${Buffer.from("99999999999999999.1").toString("base64url")}` },
      { method: "GET", url: `${base}?actor=${"%27".repeat(50)}&action=%25` },
      { method: "GET", url: `${base}?from=2026-02-30T00:00:00Z` },
    ]);
  });

  it("pages a large log through its indexes", async () => {
    const big = await createWorkspace(t.db);
    const viewer = await memberHeaders(t.app, t.db, big.id, "viewer");
    await t.db.prisma.$executeRaw`
      INSERT INTO audit_entries (workspace_id, at, actor_type, actor_id, action, target_type, target_key, tenant_key)
      SELECT ${big.id}::uuid, now() - (g || ' seconds')::interval, 'user', 'actor-' || (g % 40),
             CASE WHEN g % 3 = 0 THEN 'flag.updated' ELSE 'tenant.updated' END, 'flag', 'flag-' || (g % 200), 'tenant-' || (g % 500)
      FROM generate_series(1, 30000) AS g`;
    await t.db.prisma.$executeRaw`ANALYZE audit_entries`;

    const plan = async (sql: string) =>
      (await t.db.prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`, big.id)).map((row) => row["QUERY PLAN"]).join("\n");
    const columns = "SELECT id FROM audit_entries WHERE workspace_id = $1::uuid";
    expect(await plan(`${columns} ORDER BY at DESC, id DESC LIMIT 51`)).toContain("audit_entries_workspace_id_at_id_idx");
    expect(await plan(`${columns} AND target_type = 'flag' AND target_key = 'flag-7' ORDER BY at DESC, id DESC LIMIT 51`)).toContain(
      "audit_entries_workspace_id_target_type_target_key_at_idx",
    );
    expect(await plan(`${columns} AND target_type IN ('flag', 'tenant_override', 'user_override') AND target_key = 'flag-7' ORDER BY at DESC, id DESC LIMIT 51`)).toContain(
      "audit_entries_workspace_id_target_type_target_key_at_idx",
    );
    expect(await plan(`${columns} AND tenant_key = 'tenant-7' ORDER BY at DESC, id DESC LIMIT 51`)).toContain("audit_entries_workspace_id_tenant_key_at_idx");

    // The plans above show the indexes that keep this fast; here, the pages themselves: distinct entries, page after page.
    let url = `/v1/workspaces/${big.slug}/audit?pageSize=200&actor=actor-7`;
    const seen = new Set<string>();
    for (let page = 0; page < 3; page += 1) {
      const res = await t.app.inject({ method: "GET", url, headers: viewer });
      const body = res.json() as { items: { id: string }[]; total: number; nextCursor: string };
      expect(body.total).toBe(750);
      expect(body.items).toHaveLength(200);
      for (const entry of body.items) seen.add(entry.id);
      url = `/v1/workspaces/${big.slug}/audit?pageSize=200&actor=actor-7&cursor=${body.nextCursor}`;
    }
    expect(seen.size).toBe(600);
  });
});
