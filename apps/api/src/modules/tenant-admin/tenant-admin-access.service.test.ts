import { describe, expect, it } from "vitest";
import { refusal } from "../../../test/helpers/recording-writer";
import type { MembershipRow } from "./tenant-admin.repository";
import { createTenantAdminAccessService } from "./tenant-admin-access.service";

const membership = (slug: string, tenantId: string | null = `tenant-of-${slug}`): MembershipRow => ({
  tenantId,
  workspace: { id: `ws-${slug}`, slug, name: slug.toUpperCase() },
});

/** The service over memberships held in memory, by user id. */
function serviceWith(memberships: Record<string, MembershipRow[]>) {
  return createTenantAdminAccessService({ repo: { memberships: async (userId) => memberships[userId] ?? [] } });
}

describe("tenant admin access", () => {
  const service = serviceWith({
    single: [membership("acme")],
    several: [membership("acme"), membership("globex")],
    unbound: [membership("initech", null)],
  });

  it("acts in the one workspace of a single tenant-admin membership, for its own tenant", async () => {
    expect(await service.scopeFor("single", undefined)).toEqual({
      workspaceId: "ws-acme",
      workspaceSlug: "acme",
      workspaceName: "ACME",
      role: "tenant_admin",
      tenantId: "tenant-of-acme",
    });
    expect((await service.scopeFor("single", "acme")).tenantId).toBe("tenant-of-acme");
  });

  it("refuses those who are no tenant admin anywhere", async () => {
    expect(await refusal(service.scopeFor("nobody", undefined))).toMatchObject({ code: "FORBIDDEN" });
    expect(await refusal(service.scopeFor("nobody", "acme"))).toMatchObject({ code: "FORBIDDEN" });
  });

  it("asks those with several memberships which workspace, naming their slugs, and takes the one named", async () => {
    expect(await refusal(service.scopeFor("several", undefined))).toMatchObject({
      code: "VALIDATION_FAILED",
      details: { issues: [{ path: "querystring.workspace", message: "required: one of acme, globex" }] },
    });
    expect(await service.scopeFor("several", "globex")).toMatchObject({ workspaceId: "ws-globex", tenantId: "tenant-of-globex" });
  });

  it("answers a workspace where the caller is no tenant admin as not found, whether or not it exists", async () => {
    expect(await refusal(service.scopeFor("single", "globex"))).toMatchObject({ code: "NOT_FOUND", message: "Workspace 'globex' was not found." });
    expect(await refusal(service.scopeFor("several", "nowhere"))).toMatchObject({ code: "NOT_FOUND", message: "Workspace 'nowhere' was not found." });
  });

  it("refuses a membership bound to no tenant", async () => {
    expect(await refusal(service.scopeFor("unbound", undefined))).toMatchObject({ code: "FORBIDDEN", message: "Your membership is not bound to a tenant." });
  });
});
