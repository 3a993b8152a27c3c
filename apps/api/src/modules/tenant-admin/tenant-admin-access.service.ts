import type { WorkspaceScope } from "../../infra/auth";
import { AppError, forbidden, invalid } from "../../infra/errors";
import type { TenantAdminAccessRepository } from "./tenant-admin-access.repository";

/**
 * Which workspace and tenant a tenant admin acts in: their tenant-admin membership, chosen by
 * `workspace` (a slug) when they hold several. The tenant is always the membership's own.
 */
export function createTenantAdminAccessService({ repo }: { repo: TenantAdminAccessRepository }) {
  return {
    async scopeFor(userId: string, requestedSlug: string | undefined): Promise<WorkspaceScope> {
      const memberships = await repo.memberships(userId);
      if (memberships.length === 0) throw forbidden("Only tenant admins may use the tenant admin API.");
      let membership = memberships[0]!;
      if (requestedSlug) {
        const found = memberships.find((m) => m.workspace.slug === requestedSlug);
        // Not a tenant admin there looks the same as no such workspace: slugs do not leak.
        if (!found) throw new AppError("NOT_FOUND", `Workspace '${requestedSlug}' was not found.`);
        membership = found;
      } else if (memberships.length > 1) {
        const slugs = memberships.map((m) => m.workspace.slug).join(", ");
        throw invalid("You are a tenant admin in several workspaces; say which with ?workspace=<slug>.", [
          { path: "querystring.workspace", message: `required: one of ${slugs}` },
        ]);
      }
      if (!membership.tenantId) throw forbidden("Your membership is not bound to a tenant.");
      return {
        workspaceId: membership.workspace.id,
        workspaceSlug: membership.workspace.slug,
        workspaceName: membership.workspace.name,
        role: "tenant_admin",
        tenantId: membership.tenantId,
      };
    },
  };
}

export type TenantAdminAccessService = ReturnType<typeof createTenantAdminAccessService>;
