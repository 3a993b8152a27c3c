import type { Database } from "../../src/infra/db/database";
import { unique } from "./fixtures";
import * as rows from "./rows";

/*
 * Direct inserts of flags, modules and tenants for the tenant, override and tenant-admin tests,
 * written as the owner connection. Flags are created here (not through the flags API) so these
 * tests exercise only what they are about. Like every real write, each one moves the
 * workspace's snapshot versions, so the replicas' in-memory snapshots follow; a test that writes
 * with Prisma directly calls `touch` afterwards.
 */

/** Bumps the snapshot version of every environment of the workspace, as a write through the API does. */
export async function touch(db: Database, workspace: { id: string }) {
  await db.prisma.environment.updateMany({ where: { workspaceId: workspace.id }, data: { snapshotVersion: { increment: 1 } } });
}

interface Workspace {
  id: string;
  environments: { id: string; key: string }[];
}

export async function createModule(db: Database, workspace: Workspace, key: string, name = key) {
  const module = await rows.createModule(db, workspace.id, key, name);
  await touch(db, workspace);
  return module;
}

export interface FlagOptions {
  key?: string;
  name?: string;
  description?: string;
  moduleId?: string;
  dependsOn?: string[];
  isBeta?: boolean;
  /** Whether tenant admins may switch it; true by default here, as most tenant-admin tests switch flags. */
  tenantManageable?: boolean;
  /** The kill switch in every environment; true by default. */
  enabled?: boolean;
  /** What tenants without an override get; `off` by default. */
  fallthrough?: "on" | "off";
  deprecated?: boolean;
  archived?: boolean;
}

/** A boolean flag with state in every environment of the workspace. */
export async function createFlag(db: Database, workspace: Workspace, options: FlagOptions = {}) {
  const state = { enabled: options.enabled ?? true, fallthrough: { variant: options.fallthrough ?? "off" } };
  const flag = await rows.createFlag(db, workspace.id, {
    key: options.key ?? unique("flag").toLowerCase(),
    name: options.name,
    description: options.description,
    moduleId: options.moduleId,
    dependsOn: options.dependsOn,
    isBeta: options.isBeta ?? false,
    tenantManageable: options.tenantManageable ?? true,
    deprecated: options.deprecated,
    archived: options.archived,
    salt: "salt",
    states: Object.fromEntries(workspace.environments.map((env) => [env.id, state])),
  });
  await touch(db, workspace);
  return flag;
}

export async function createTenant(db: Database, workspace: Workspace, key = unique("tenant"), attributes: Record<string, unknown> = {}) {
  const tenant = await rows.createTenant(db, workspace.id, key, attributes, `Tenant ${key}`);
  await touch(db, workspace);
  return tenant;
}

export function envId(workspace: Workspace, key = "production"): string {
  return workspace.environments.find((env) => env.key === key)!.id;
}

/** Sets a flag's kill switch in one environment, as the flags API would. */
export async function setFlagEnabled(db: Database, workspace: Workspace, flagId: string, enabled: boolean, env = "production") {
  await db.prisma.flagState.update({ where: { flagId_environmentId: { flagId, environmentId: envId(workspace, env) } }, data: { enabled, version: { increment: 1 } } });
  await touch(db, workspace);
}

export async function setOverride(
  db: Database,
  workspace: Workspace,
  flagId: string,
  tenantId: string,
  variant: "on" | "off",
  options: { locked?: boolean; env?: string; source?: "workspace_admin" | "tenant_admin"; expiresAt?: Date } = {},
) {
  const override = await db.prisma.tenantOverride.create({
    data: {
      workspaceId: workspace.id,
      flagId,
      tenantId,
      environmentId: envId(workspace, options.env),
      variant,
      locked: options.locked ?? false,
      source: options.source ?? "workspace_admin",
      expiresAt: options.expiresAt ?? null,
    },
  });
  await touch(db, workspace);
  return override;
}

/** Row counts that a refused or previewed write must leave as they were. */
export async function countRows(db: Database, workspaceId: string) {
  const [tenants, tenantOverrides, userOverrides, tenantModules, audit] = await Promise.all([
    db.prisma.tenant.count({ where: { workspaceId } }),
    db.prisma.tenantOverride.count({ where: { workspaceId } }),
    db.prisma.userOverride.count({ where: { workspaceId } }),
    db.prisma.tenantModule.count({ where: { workspaceId } }),
    db.prisma.auditEntry.count({ where: { workspaceId } }),
  ]);
  return { tenants, tenantOverrides, userOverrides, tenantModules, audit };
}
