import type { Role } from "@ensign/contracts/auth";
import type { Page } from "@ensign/contracts/common";
import type { ListMembersQuery, MemberResponse, UpdateMemberBody } from "@ensign/contracts/members";
import type { Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { AppError, forbidden, invalid, notFound } from "../../infra/errors";
import { iso, isoOrNull, pageFrom } from "../../infra/paging";
import { staleVersion } from "../../infra/versioning";
import type { MemberRow, MembersRepository } from "./members.repository";

export function toMemberResponse(row: MemberRow): MemberResponse {
  return {
    id: row.id,
    userId: row.userId,
    email: row.user.email,
    name: row.user.name,
    role: row.role,
    tenant: row.tenant,
    lastLoginAt: isoOrNull(row.user.lastLoginAt),
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** What the audit log keeps of a membership. */
const audited = (row: MemberRow) => ({ email: row.user.email, role: row.role, tenantKey: row.tenant?.key ?? null });

const target = (row: MemberRow) => ({ targetType: "member", targetId: row.id, targetKey: row.user.email });

/** Only owners may make owners or unmake them. */
function requireOwnerFor(callerRole: Role, ...roles: Role[]) {
  if (roles.includes("owner") && callerRole !== "owner") throw forbidden("Only owners may grant or remove the owner role.");
}

export interface MembersServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: MembersRepository;
}

export function createMembersService({ reading, writing, repo }: MembersServiceDeps) {
  async function requireMember(tx: Tx, workspaceId: string, id: string) {
    const row = await repo.find(tx, workspaceId, id);
    if (!row) throw notFound("The member");
    return row;
  }

  async function tenantFor(tx: Tx, workspaceId: string, role: Role, tenantKey: string | null | undefined) {
    if (role !== "tenant_admin" || !tenantKey) return null;
    const tenant = await repo.tenantByKey(tx, workspaceId, tenantKey);
    if (!tenant) throw invalid(`Tenant '${tenantKey}' was not found.`, [{ path: "body.tenantKey", message: "no tenant with this key" }]);
    return tenant;
  }

  /** Refuses to take the owner role from the workspace's last owner. */
  async function keepAnOwner(tx: Tx, workspaceId: string, current: MemberRow, nextRole: Role | undefined) {
    if (current.role !== "owner" || nextRole === "owner") return;
    if ((await repo.lockOwners(tx, workspaceId)) <= 1) {
      throw new AppError("CONFLICT", "This is the workspace's last owner; make someone else an owner first.");
    }
  }

  return {
    async list(workspaceId: string, query: ListMembersQuery): Promise<Page<MemberResponse>> {
      const { rows, total } = await reading(workspaceId, (tx) => repo.list(tx, workspaceId, query));
      return pageFrom(rows.map(toMemberResponse), total, query);
    },

    async get(workspaceId: string, id: string): Promise<MemberResponse> {
      return toMemberResponse(await reading(workspaceId, (tx) => requireMember(tx, workspaceId, id)));
    },

    async changeRole(workspaceId: string, callerRole: Role, id: string, expectedVersion: number, body: UpdateMemberBody, actor: Actor): Promise<MemberResponse> {
      return writing(workspaceId, async (tx, w) => {
        const current = await requireMember(tx, workspaceId, id);
        requireOwnerFor(callerRole, current.role, body.role);
        await keepAnOwner(tx, workspaceId, current, body.role);
        const tenant = await tenantFor(tx, workspaceId, body.role, body.tenantKey);
        const updated = await repo.update(tx, workspaceId, id, expectedVersion, { role: body.role, tenantId: tenant?.id ?? null });
        if (!updated) throw staleVersion("The membership", current.version);
        await w.audit(actor, {
          workspaceId,
          action: "member.role_changed",
          ...target(current),
          tenant: tenant ?? current.tenant,
          before: audited(current),
          after: audited(updated),
        });
        return toMemberResponse(updated);
      });
    },

    /** Ends the user's access to this workspace from their next request on; their other workspaces are untouched. */
    async remove(workspaceId: string, callerRole: Role, id: string, expectedVersion: number, actor: Actor): Promise<void> {
      await writing(workspaceId, async (tx, w) => {
        const current = await requireMember(tx, workspaceId, id);
        requireOwnerFor(callerRole, current.role);
        await keepAnOwner(tx, workspaceId, current, undefined);
        if (!(await repo.delete(tx, workspaceId, id, expectedVersion))) throw staleVersion("The membership", current.version);
        await w.audit(actor, { workspaceId, action: "member.removed", ...target(current), tenant: current.tenant, before: audited(current) });
      });
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
