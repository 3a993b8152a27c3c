import type { Rule, Serve, Variant } from "@ensign/contracts/targeting";
import { randomBytes } from "node:crypto";
import type { Database } from "../../src/infra/db/database";

/*
 * The one place tests write flags, tenants and modules straight into PostgreSQL, as the owner
 * connection: no audit entry, no version bump. Fixtures that need the workspace's snapshot
 * versions moved too (`tenancy-fixtures.ts`) call these and then bump.
 */

export const BOOLEAN_VARIANTS: Variant[] = [
  { key: "on", value: true },
  { key: "off", value: false },
];

/** A flag's state in one environment. */
export interface StateSpec {
  enabled: boolean;
  fallthrough?: Serve;
  rules?: Omit<Rule, "id">[];
  tenantAllow?: string[];
  tenantDeny?: string[];
}

export interface FlagSpec {
  key: string;
  name?: string;
  description?: string;
  type?: "boolean" | "string" | "number" | "json";
  variants?: Variant[];
  offVariant?: string;
  onVariant?: string;
  /** The module by key, made when the workspace has none of that key. */
  module?: string | null;
  /** The module by id. */
  moduleId?: string | null;
  dependsOn?: string[];
  isBeta?: boolean;
  tenantManageable?: boolean;
  deprecated?: boolean;
  archived?: boolean;
  /** The split salt; random by default. */
  salt?: string;
  /** State per environment id; environments left out have no state row (the flag is off there). */
  states?: Record<string, StateSpec>;
}

/** Writes a flag with its states and rules. */
export async function createFlag(db: Database, workspaceId: string, spec: FlagSpec) {
  const variants = spec.variants ?? BOOLEAN_VARIANTS;
  const moduleId = spec.module ? (await moduleByKey(db, workspaceId, spec.module)).id : (spec.moduleId ?? null);
  const flag = await db.prisma.flag.create({
    data: {
      workspaceId,
      key: spec.key,
      name: spec.name ?? spec.key,
      description: spec.description ?? "",
      type: spec.type ?? "boolean",
      variants,
      offVariant: spec.offVariant ?? variants[variants.length - 1]!.key,
      onVariant: spec.onVariant ?? variants[0]!.key,
      salt: spec.salt ?? randomBytes(4).toString("hex"),
      moduleId,
      dependsOn: spec.dependsOn ?? [],
      ...(spec.isBeta === undefined ? {} : { isBeta: spec.isBeta }),
      ...(spec.tenantManageable === undefined ? {} : { tenantManageable: spec.tenantManageable }),
      deprecatedAt: spec.deprecated ? new Date() : null,
      archivedAt: spec.archived ? new Date() : null,
    },
  });
  for (const [environmentId, state] of Object.entries(spec.states ?? {})) {
    const row = await db.prisma.flagState.create({
      data: {
        workspaceId,
        flagId: flag.id,
        environmentId,
        enabled: state.enabled,
        fallthrough: state.fallthrough ?? { variant: variants[0]!.key },
        tenantAllow: state.tenantAllow ?? [],
        tenantDeny: state.tenantDeny ?? [],
      },
    });
    for (const [position, rule] of (state.rules ?? []).entries()) {
      await db.prisma.flagRule.create({
        data: { workspaceId, flagStateId: row.id, position, name: rule.name ?? null, conditions: rule.conditions, serve: rule.serve },
      });
    }
  }
  return flag;
}

export function createTenant(db: Database, workspaceId: string, key: string, attributes: Record<string, unknown> = {}, name = key) {
  return db.prisma.tenant.create({ data: { workspaceId, key, name, attributes: attributes as object } });
}

export function createModule(db: Database, workspaceId: string, key: string, name = key) {
  return db.prisma.module.create({ data: { workspaceId, key, name } });
}

function moduleByKey(db: Database, workspaceId: string, key: string) {
  return db.prisma.module.upsert({ where: { workspaceId_key: { workspaceId, key } }, create: { workspaceId, key, name: key }, update: {} });
}

/** The workspace's audit entries of one action, oldest first. */
export function auditOf(db: Database, workspaceId: string, action: string) {
  return db.prisma.auditEntry.findMany({ where: { workspaceId, action }, orderBy: { id: "asc" } });
}
