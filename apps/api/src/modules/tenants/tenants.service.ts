import type { CreateTenantBody, TenantResponse, UpdateTenantBody } from "@ensign/contracts/tenants";
import type { Prisma } from "../../generated/prisma/client";
import { changes, type Actor } from "../../infra/audit";
import type { Tx } from "../../infra/db/scoped";
import { AppError, invalid, notFound } from "../../infra/errors";
import { staleVersion } from "../../infra/versioning";
import { overrideSnapshot } from "../overrides/overrides.rules";
import type { Writer } from "../../infra/writer";
import { auditedTenant, toTenantResponse } from "./tenants.mapping";
import type { TenantsRepository } from "./tenants.repository";

export interface TenantsServiceDeps {
  writing: Writer;
  repo: TenantsRepository;
}

const tenantRef = (row: { id: string; key: string }) => ({ id: row.id, key: row.key });

/**
 * Creating, editing and deleting tenants and switching their modules. Tenants, their attributes
 * and modules are in every environment's snapshot, so every write bumps them all.
 */
export function createTenantsService({ writing, repo }: TenantsServiceDeps) {
  async function found(tx: Tx, workspaceId: string, key: string) {
    const row = await repo.findByKey(tx, workspaceId, key);
    if (!row) throw notFound(`Tenant '${key}'`);
    return row;
  }

  return {
    async create(workspaceId: string, body: CreateTenantBody, actor: Actor): Promise<TenantResponse> {
      return writing(workspaceId, async (tx, w) => {
        const modules = await repo.modules(tx, workspaceId);
        const byKey = new Map(modules.map((m) => [m.key, m]));
        const switches = Object.entries(body.modules ?? {});
        const unknown = switches.filter(([key]) => !byKey.has(key));
        if (unknown.length > 0) {
          throw invalid(
            "Some modules do not exist.",
            unknown.map(([key]) => ({ path: `body.modules.${key}`, message: `no module '${key}' in this workspace` })),
          );
        }
        const created = await repo.create(tx, workspaceId, { key: body.key, name: body.name, attributes: (body.attributes ?? {}) as Prisma.InputJsonObject });
        if (!created) throw new AppError("ALREADY_EXISTS", `Tenant '${body.key}' already exists.`);
        if (switches.length > 0) {
          await repo.setModules(tx, workspaceId, created.id, switches.map(([key, enabled]) => ({ moduleId: byKey.get(key)!.id, enabled })));
        }
        const row = await found(tx, workspaceId, body.key);
        await w.audit(actor, {
          workspaceId,
          tenant: tenantRef(row),
          action: "tenant.created",
          targetType: "tenant",
          targetId: row.id,
          targetKey: row.key,
          after: auditedTenant(row),
        });
        await w.bump(undefined, { tenants: [row.id] });
        return toTenantResponse(row, modules);
      });
    },

    async update(workspaceId: string, key: string, expectedVersion: number, body: UpdateTenantBody, actor: Actor): Promise<TenantResponse> {
      return writing(workspaceId, async (tx, w) => {
        const current = await found(tx, workspaceId, key);
        if (current.version !== expectedVersion) throw staleVersion(`Tenant '${key}'`, current.version);
        const next = {
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.attributes === undefined ? {} : { attributes: (body.attributes ?? {}) as Prisma.InputJsonObject }),
        };
        const diff = changes({ name: current.name, attributes: current.attributes as unknown }, next);
        const modules = await repo.modules(tx, workspaceId);
        if (Object.keys(diff.after).length === 0) return toTenantResponse(current, modules);
        if (!(await repo.update(tx, workspaceId, current.id, expectedVersion, next))) throw staleVersion(`Tenant '${key}'`, current.version + 1);
        await w.audit(actor, {
          workspaceId,
          tenant: tenantRef(current),
          action: "tenant.updated",
          targetType: "tenant",
          targetId: current.id,
          targetKey: current.key,
          ...diff,
        });
        await w.bump(undefined, { tenants: [current.id] });
        return toTenantResponse(await found(tx, workspaceId, key), modules);
      });
    },

    /**
     * Deletes the tenant with its overrides, module switches, tenant-admin memberships and open
     * invitations, and takes its key out of allow/deny lists and segments. Each membership,
     * invitation and override removed gets its own audit entry, as if it had been removed by
     * hand, in the same transaction.
     */
    async delete(workspaceId: string, key: string, expectedVersion: number, actor: Actor): Promise<void> {
      await writing(workspaceId, async (tx, w) => {
        const current = await found(tx, workspaceId, key);
        if (current.version !== expectedVersion) throw staleVersion(`Tenant '${key}'`, current.version);
        const { memberships, invitations, overrides, roles } = await repo.dependentsOf(tx, workspaceId, current.id);
        if (!(await repo.delete(tx, workspaceId, current.id, expectedVersion))) throw staleVersion(`Tenant '${key}'`, current.version + 1);
        const forgotten = await repo.forgetTenantKey(tx, workspaceId, current.key);
        const tenant = tenantRef(current);
        await w.audit(
          actor,
          {
            workspaceId,
            tenant,
            action: "tenant.deleted",
            targetType: "tenant",
            targetId: current.id,
            targetKey: current.key,
            before: { ...auditedTenant(current), listedIn: forgotten, removed: { memberships: memberships.length, overrides: overrides.length } },
          },
          ...memberships.map((m) => ({
            workspaceId,
            tenant,
            action: "member.removed",
            targetType: "member",
            targetId: m.id,
            targetKey: m.user.email,
            before: { email: m.user.email, role: m.role, tenantKey: current.key, removedWith: "tenant.deleted" },
          })),
          // An invitation to manage the tenant goes with it: its link answers 404 from now on.
          ...invitations.map((i) => ({
            workspaceId,
            tenant,
            action: "invitation.revoked",
            targetType: "invitation",
            targetId: i.id,
            targetKey: i.email,
            before: { email: i.email, role: i.role, tenantKey: current.key, expiresAt: i.expiresAt.toISOString(), removedWith: "tenant.deleted" },
          })),
          ...overrides.map((o) => ({
            workspaceId,
            environment: o.environment,
            tenant,
            action: "tenant_override.cleared",
            targetType: "tenant_override",
            targetId: o.id,
            targetKey: o.flag.key,
            before: { ...overrideSnapshot(o), removedWith: "tenant.deleted" },
          })),
          // The end-user roles the tenant defined for itself.
          ...roles.map((r) => ({
            workspaceId,
            tenant,
            action: "role.deleted",
            targetType: "role",
            targetId: r.id,
            targetKey: r.key,
            before: { key: r.key, name: r.name, description: r.description, inherits: r.inherits, inheritedBy: r.inheritedBy, removedWith: "tenant.deleted" },
          })),
        );
        await w.bump();
      });
    },

    /**
     * Switches a module on or off for the tenant. The switch is absolute, so `If-Match` is
     * optional; when given it must be the tenant's current version.
     */
    async setModule(workspaceId: string, key: string, moduleKey: string, enabled: boolean, expectedVersion: number | undefined, actor: Actor): Promise<TenantResponse> {
      return writing(workspaceId, async (tx, w) => {
        const current = await found(tx, workspaceId, key);
        if (expectedVersion !== undefined && current.version !== expectedVersion) throw staleVersion(`Tenant '${key}'`, current.version);
        const module = await repo.findModule(tx, workspaceId, moduleKey);
        if (!module) throw notFound(`Module '${moduleKey}'`);
        const modules = await repo.modules(tx, workspaceId);
        const wasEnabled = !current.modules.some((m) => m.module.key === moduleKey && !m.enabled);
        if (wasEnabled === enabled) return toTenantResponse(current, modules);
        await repo.setModule(tx, workspaceId, current.id, module.id, enabled);
        await w.audit(actor, {
          workspaceId,
          tenant: tenantRef(current),
          action: enabled ? "tenant_module.enabled" : "tenant_module.disabled",
          targetType: "tenant_module",
          targetId: module.id,
          targetKey: module.key,
          before: { enabled: wasEnabled },
          after: { enabled },
        });
        await w.bump(undefined, { tenants: [current.id] });
        return toTenantResponse(await found(tx, workspaceId, key), modules);
      });
    },
  };
}

export type TenantsService = ReturnType<typeof createTenantsService>;
