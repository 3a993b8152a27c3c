import type { Tx } from "../../infra/db/scoped";
import { lookupsRepository as lookups, type EnvironmentRow } from "../../infra/db/lookups.repository";
import type { OverrideKey, TenantOverrideData } from "../overrides/overrides.repository";
import { tenantAdminRepository, type FeatureRow, type ModuleRow, type TenantOverrideRow, type TenantRow } from "./tenant-admin.repository";

/**
 * Where the tenant admin's features service reads and writes, inside the transaction it is
 * given. Every method takes the workspace and keeps to it. Versioned writes answer false when
 * `expectedVersion` is no longer current.
 */
export interface TenantFeaturesRepository {
  findEnvironment(tx: Tx, workspaceId: string, key: string): Promise<EnvironmentRow | null>;
  findTenant(tx: Tx, workspaceId: string, tenantId: string): Promise<TenantRow | null>;
  /** Every live flag with its state in the environment, by name then key. */
  features(tx: Tx, workspaceId: string, environmentId: string): Promise<FeatureRow[]>;
  /** The tenant's overrides in the environment. */
  overridesOf(tx: Tx, workspaceId: string, tenantId: string, environmentId: string): Promise<TenantOverrideRow[]>;
  findModule(tx: Tx, workspaceId: string, key: string): Promise<ModuleRow | null>;
  /** The tenant's switch of a module: no switch stored means on. */
  moduleSwitch(tx: Tx, workspaceId: string, tenantId: string, moduleId: string): Promise<boolean>;
  setModuleSwitch(tx: Tx, workspaceId: string, tenantId: string, moduleId: string, enabled: boolean): Promise<void>;
  createOverride(tx: Tx, workspaceId: string, key: OverrideKey, data: TenantOverrideData): Promise<{ id: string }>;
  updateOverride(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: TenantOverrideData): Promise<boolean>;
}

/** The tenant admin's features over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createTenantFeaturesRepository(): TenantFeaturesRepository {
  return {
    findEnvironment: (tx, workspaceId, key) => lookups.findEnvironment(tx, workspaceId, key),
    findTenant: (tx, workspaceId, tenantId) => tenantAdminRepository.findTenant(tx, workspaceId, tenantId),
    features: (tx, workspaceId, environmentId) => tenantAdminRepository.features(tx, workspaceId, environmentId),
    overridesOf: (tx, workspaceId, tenantId, environmentId) => tenantAdminRepository.overridesOf(tx, workspaceId, tenantId, environmentId),
    findModule: (tx, workspaceId, key) => tenantAdminRepository.findModule(tx, workspaceId, key),

    async moduleSwitch(tx, workspaceId, tenantId, moduleId) {
      const row = await tx.tenantModule.findFirst({ where: { workspaceId, tenantId, moduleId }, select: { enabled: true } });
      return row?.enabled ?? true;
    },

    async setModuleSwitch(tx, workspaceId, tenantId, moduleId, enabled) {
      await tx.tenantModule.upsert({
        where: { tenantId_moduleId: { tenantId, moduleId } },
        create: { workspaceId, tenantId, moduleId, enabled },
        update: { enabled },
      });
    },

    createOverride(tx, workspaceId, key, data) {
      return tx.tenantOverride.create({ data: { workspaceId, ...key, ...data }, select: { id: true } });
    },

    async updateOverride(tx, workspaceId, id, expectedVersion, data) {
      const { count } = await tx.tenantOverride.updateMany({ where: { workspaceId, id, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
      return count === 1;
    },
  };
}
