import type { OverrideSnapshot, TenantOverrideResponse, UserOverrideResponse } from "@ensign/contracts/overrides";
import type { Variant } from "@ensign/contracts/targeting";
import type { Tx } from "../../infra/db/scoped";
import { AppError, invalid, notFound } from "../../infra/errors";
import { lookupsRepository as lookups, type EnvironmentRow, type FlagRow } from "../../infra/db/lookups.repository";
import type { TenantOverrideRow, UserOverrideRow } from "./overrides.repository";

/** Where an override looks up the flag and environment it names. */
export interface FlagLookups {
  /** For writes the flag is share-locked until the transaction ends (its variants cannot change meanwhile). */
  findFlag(tx: Tx, workspaceId: string, key: string, options: { isWrite: boolean }): Promise<FlagRow | null>;
  findEnvironment(tx: Tx, workspaceId: string, key: string): Promise<EnvironmentRow | null>;
}

/** The lookups in PostgreSQL. */
export const flagLookups: FlagLookups = {
  findFlag: (tx, workspaceId, key, { isWrite }) => (isWrite ? lookups.findFlagForWrite(tx, workspaceId, key) : lookups.findFlag(tx, workspaceId, key)),
  findEnvironment: (tx, workspaceId, key) => lookups.findEnvironment(tx, workspaceId, key),
};

/** The flag and environment an override route names; writes refuse archived flags. */
export async function flagInEnvironment(tx: Tx, workspaceId: string, flagKey: string, envKey: string, options: { isWrite: boolean }, from: FlagLookups = flagLookups) {
  const flag = await from.findFlag(tx, workspaceId, flagKey, options);
  if (!flag) throw notFound(`Flag '${flagKey}'`);
  if (options.isWrite && flag.archivedAt) throw new AppError("CONFLICT", `Flag '${flagKey}' is archived; restore it before overriding it.`);
  const environment = await from.findEnvironment(tx, workspaceId, envKey);
  if (!environment) throw notFound(`Environment '${envKey}'`);
  return { flag, environment };
}

export function variantKeys(flag: Pick<FlagRow, "variants">): string[] {
  return (flag.variants as Variant[]).map((variant) => variant.key);
}

/** Refuses a variant the flag does not have, naming the field and the variants it has. */
export function requireVariant(flag: Pick<FlagRow, "key" | "variants">, variant: string, path = "body.variant"): void {
  const keys = variantKeys(flag);
  if (!keys.includes(variant)) {
    throw invalid(`Flag '${flag.key}' has no variant '${variant}'.`, [{ path, message: `must be one of the flag's variants: ${keys.join(", ")}` }]);
  }
}

/** An expiry must lie in the future; `null` or absent means the override never expires. */
export function requireFutureExpiry(expiresAt: string | null | undefined, now: number, path = "body.expiresAt"): Date | null {
  if (expiresAt === undefined || expiresAt === null) return null;
  const at = new Date(expiresAt);
  if (!(at.getTime() > now)) throw invalid("The expiry is not in the future.", [{ path, message: "must be in the future" }]);
  return at;
}

export const lockRequired = (what: string) =>
  new AppError("FORBIDDEN", `${what} needs the overrides:lock capability (owners and admins).`);

export function overrideSnapshot(row: Pick<TenantOverrideRow, "variant" | "locked" | "source" | "expiresAt"> | null | undefined): OverrideSnapshot {
  if (!row) return null;
  return { variant: row.variant, locked: row.locked, source: row.source, expiresAt: row.expiresAt?.toISOString() ?? null };
}

export function sameOverride(a: OverrideSnapshot, b: OverrideSnapshot): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const isExpired = (expiresAt: Date | null, now: number) => expiresAt !== null && expiresAt.getTime() <= now;

export function toTenantOverrideResponse(row: TenantOverrideRow, flagKey: string, envKey: string, now = Date.now()): TenantOverrideResponse {
  return {
    id: row.id,
    flag: flagKey,
    environment: envKey,
    tenant: { key: row.tenant.key, name: row.tenant.name },
    variant: row.variant,
    source: row.source,
    locked: row.locked,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    isExpired: isExpired(row.expiresAt, now),
    updatedBy: row.updatedBy,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toUserOverrideResponse(row: UserOverrideRow, flagKey: string, envKey: string, now = Date.now()): UserOverrideResponse {
  return {
    id: row.id,
    flag: flagKey,
    environment: envKey,
    userKey: row.userKey,
    variant: row.variant,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    isExpired: isExpired(row.expiresAt, now),
    updatedBy: row.updatedBy,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
