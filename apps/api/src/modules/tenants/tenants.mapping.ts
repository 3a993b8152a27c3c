import type { TenantModuleState, TenantResponse } from "@ensign/contracts/tenants";
import type { JsonValue } from "@ensign/contracts/targeting";
import type { TenantRow } from "./tenants.repository";

/** Every module of the workspace with its state for the tenant: no row, or an enabled row, means on. */
export function moduleStates(row: Pick<TenantRow, "modules">, modules: readonly { key: string; name: string }[]): TenantModuleState[] {
  const off = new Set(row.modules.filter((m) => !m.enabled).map((m) => m.module.key));
  return modules.map((module) => ({ key: module.key, name: module.name, enabled: !off.has(module.key) }));
}

export function disabledModules(row: Pick<TenantRow, "modules">): string[] {
  return row.modules.filter((m) => !m.enabled).map((m) => m.module.key).sort();
}

export function toTenantResponse(row: TenantRow, modules: readonly { key: string; name: string }[]): TenantResponse {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    attributes: row.attributes as Record<string, JsonValue>,
    modules: moduleStates(row, modules),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What the audit log keeps of a tenant. */
export function auditedTenant(row: TenantRow) {
  return { key: row.key, name: row.name, attributes: row.attributes, disabledModules: disabledModules(row) };
}
