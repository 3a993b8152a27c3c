import { can } from "@ensign/contracts/auth";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { effectiveRole } from "../../infra/auth";
import { forbidden } from "../../infra/errors";

/**
 * The guard of the tenant admin API: authenticates, resolves the caller's tenant-admin
 * membership (`?workspace=<slug>` when they hold several), requires `tenant:manage`, and sets
 * `request.scope`, bound to the membership's one tenant. No tenant-admin route names a tenant:
 * the scope does, so a tenant admin can only ever reach their own.
 */
export function createTenantAdminGuard(app: FastifyInstance) {
  return async function requireTenantAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await app.authenticate(request, reply);
    const requested = (request.query as { workspace?: unknown } | undefined)?.workspace;
    const principal = request.principal!;
    const scope = await app.services.tenantAdminAccess.scopeFor(principal.userId, typeof requested === "string" ? requested : undefined);
    // A personal token narrowed to a workspace role never acts as a tenant admin.
    const role = effectiveRole(scope.role, principal.token?.maxRole);
    if (!role || !can(role, "tenant:manage")) throw forbidden(`Your role (${role ?? scope.role}) does not allow this (tenant:manage).`);
    request.scope = { ...scope, role };
  };
}
