import type { TenantAuditQuery } from "@ensign/contracts/tenant-admin";
import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, memoryReading } from "../../../test/helpers/recording-writer";
import { NOW, WS } from "../../../test/helpers/service-fixtures";
import type { WorkspaceScope } from "../../infra/auth";
import type { TenantAuditFilter, TenantAuditRepository, TenantAuditRow } from "./tenant-audit.repository";
import { createTenantAuditService } from "./tenant-audit.service";

type StoredEntry = TenantAuditRow & { workspaceId: string; tenantId: string };

/** The repository in memory: audit entries of tenants, and the filters it was asked for. */
function fakeRepository(entries: StoredEntry[]) {
  const asked: { workspaceId: string; filter: TenantAuditFilter; skip: number; take: number }[] = [];
  const repo: TenantAuditRepository = {
    async page(_tx, workspaceId, filter, skip, take) {
      asked.push({ workspaceId, filter, skip, take });
      const found = entries
        .filter((e) => e.workspaceId === workspaceId && e.tenantId === filter.tenantId)
        .filter((e) => !filter.flagKey || (e.targetType === "tenant_override" && e.targetKey === filter.flagKey))
        .filter((e) => !filter.action || e.action === filter.action)
        .filter((e) => (!filter.from || e.at >= filter.from) && (!filter.to || e.at <= filter.to))
        .sort((a, b) => b.at.getTime() - a.at.getTime());
      return { total: found.length, items: found.slice(skip, skip + take).map(({ workspaceId: _w, tenantId: _t, ...row }) => row) };
    },
  };
  return { repo, asked };
}

let ids = 0n;
function entry(minutesAgo: number, fields: Partial<StoredEntry> = {}): StoredEntry {
  return {
    workspaceId: WS,
    tenantId: "tenant-goodwin",
    id: ++ids,
    at: new Date(NOW - minutesAgo * 60_000),
    environmentKey: "production",
    action: "tenant_feature.enabled",
    targetType: "tenant_override",
    targetKey: "export",
    actorType: "user",
    actorRole: "tenant_admin",
    actorEmail: "ta@goodwin.test",
    before: null,
    after: { variant: "on" },
    ...fields,
  };
}

const scopeOf = (tenantId: string | null): WorkspaceScope => ({ workspaceId: WS, workspaceSlug: "acme", workspaceName: "Acme", role: "tenant_admin", tenantId });
const query = (fields: Partial<TenantAuditQuery> = {}): TenantAuditQuery => ({ page: 1, pageSize: 10, ...fields });

describe("tenant audit service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let service: ReturnType<typeof createTenantAuditService>;

  beforeEach(() => {
    ids = 0n;
    fake = fakeRepository([
      entry(30),
      entry(20, { action: "tenant_module.disabled", targetType: "tenant_module", targetKey: "FIN", actorRole: "admin", actorEmail: "admin@example.test" }),
      entry(10, { action: "tenant_feature.disabled", before: { variant: "on" }, after: { variant: "off" } }),
      entry(5, { tenantId: "tenant-harbor", actorEmail: "ta@harbor.test" }),
    ]);
    service = createTenantAuditService({ reading: memoryReading, repo: fake.repo });
  });

  it("lists the caller's own tenant's entries, newest first, showing workspace staff by role only", async () => {
    const page = await service.list(scopeOf("tenant-goodwin"), query());
    expect({ total: page.total, page: page.page, pageSize: page.pageSize }).toEqual({ total: 3, page: 1, pageSize: 10 });
    expect(page.items.map((i) => [i.action, i.actor.role, i.actor.email])).toEqual([
      ["tenant_feature.disabled", "tenant_admin", "ta@goodwin.test"],
      ["tenant_module.disabled", "admin", null],
      ["tenant_feature.enabled", "tenant_admin", "ta@goodwin.test"],
    ]);
    expect(page.items[2]).toEqual({
      id: "1",
      at: new Date(NOW - 30 * 60_000).toISOString(),
      environment: "production",
      action: "tenant_feature.enabled",
      targetType: "tenant_override",
      targetKey: "export",
      actor: { type: "user", role: "tenant_admin", email: "ta@goodwin.test" },
      before: null,
      after: { variant: "on" },
    });
  });

  it("narrows by flag, action and time, and pages", async () => {
    const from = new Date(NOW - 35 * 60_000).toISOString();
    const to = new Date(NOW - 5 * 60_000).toISOString();
    const narrowed = await service.list(scopeOf("tenant-goodwin"), query({ flag: "export", from, to, page: 2, pageSize: 1 }));
    expect(fake.asked.at(-1)).toEqual({
      workspaceId: WS,
      filter: { tenantId: "tenant-goodwin", flagKey: "export", action: undefined, from: new Date(from), to: new Date(to) },
      skip: 1,
      take: 1,
    });
    expect({ total: narrowed.total, ids: narrowed.items.map((i) => i.id) }).toEqual({ total: 2, ids: ["1"] });
    const disabled = await service.list(scopeOf("tenant-goodwin"), query({ action: "tenant_feature.disabled" }));
    expect(disabled.items.map((i) => i.id)).toEqual(["3"]);
  });

  it("refuses a membership bound to no tenant, reading nothing", async () => {
    expect(await codeOf(service.list(scopeOf(null), query()))).toBe("FORBIDDEN");
    expect(fake.asked).toEqual([]);
  });
});
