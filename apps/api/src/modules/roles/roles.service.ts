import type { FieldIssue } from "@ensign/contracts/common";
import { ROLE_LIMITS, type CreateRoleBody, type RoleListResponse, type RoleResponse, type UpdateRoleBody } from "@ensign/contracts/roles";
import { changes, type Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { Write, Writer } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import { iso } from "../../infra/paging";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import { dependantsOf, findCycle, levelsOf, type GraphRole } from "./role-graph";
import type { RoleData, RoleRow, RolesRepository, RoleTenant } from "./roles.repository";

/** Whose roles a call manages: the workspace's own, or one tenant's (by key for workspace staff, by id for its tenant admins). */
export type RoleOwner = { tenant: null } | { tenant: { key: string } } | { tenant: { id: string } };

type Tenant = RoleTenant;

/** The workspace's roles and every tenant's, loaded once per call: the checks need all of them. */
interface Roles {
  rows: RoleRow[];
  tenantKeys: Map<string, string>;
}

type Audited = Pick<RoleRow, "key" | "name" | "description" | "inherits" | "inheritedBy">;
const audited = ({ key, name, description, inherits, inheritedBy }: RoleRow): Audited => ({ key, name, description, inherits, inheritedBy });

const MAX_NAMED = 10;
const named = (keys: readonly string[]) => (keys.length > MAX_NAMED ? `${keys.slice(0, MAX_NAMED).join(", ")}, ...` : keys.join(", "));

function dataOf(body: UpdateRoleBody): RoleData {
  const { description, ...rest } = body;
  return { ...rest, ...(description !== undefined ? { description: description ?? "" } : {}) };
}

/** The hierarchy in effect for a tenant (the workspace's roles with the tenant's own), or the workspace's. */
function hierarchyOf<T extends { tenantId: string | null }>(rows: readonly T[], tenantId: string | null): T[] {
  return rows.filter((row) => row.tenantId === null || (tenantId !== null && row.tenantId === tenantId));
}

/** A role as the checks see it: where it lives and its edges. */
type Placed = GraphRole & { tenantId: string | null };

const graph = (rows: readonly GraphRole[]): GraphRole[] => rows.map(({ key, inherits, inheritedBy }) => ({ key, inherits, inheritedBy }));

export interface RolesServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: RolesRepository;
}

export function createRolesService({ reading, writing, repo }: RolesServiceDeps) {
  async function resolveTenant(tx: Tx, workspaceId: string, owner: RoleOwner): Promise<Tenant | null> {
    if (owner.tenant === null) return null;
    const tenant = await repo.findTenant(tx, workspaceId, "id" in owner.tenant ? { id: owner.tenant.id } : { key: owner.tenant.key });
    if (!tenant) throw notFound("id" in owner.tenant ? "Your tenant" : `Tenant '${owner.tenant.key}'`);
    return tenant;
  }

  async function load(tx: Tx, workspaceId: string): Promise<Roles> {
    const rows = await repo.all(tx, workspaceId);
    const tenantIds = [...new Set(rows.flatMap((row) => (row.tenantId ? [row.tenantId] : [])))];
    const tenants = await repo.tenants(tx, workspaceId, tenantIds);
    return { rows, tenantKeys: new Map(tenants.map((tenant) => [tenant.id, tenant.key])) };
  }

  function respond(roles: Roles, shown: readonly RoleRow[], counts: Map<string, number>): RoleResponse[] {
    const levels = levelsOf(graph(shown));
    return shown
      .map((row) => ({
        id: row.id,
        key: row.key,
        name: row.name,
        description: row.description,
        inherits: row.inherits,
        inheritedBy: row.inheritedBy,
        tenantKey: row.tenantId ? (roles.tenantKeys.get(row.tenantId) ?? null) : null,
        level: levels.get(row.key) ?? 0,
        usedByFlags: counts.get(row.key) ?? 0,
        version: row.version,
        createdAt: iso(row.createdAt),
        updatedAt: iso(row.updatedAt),
      }))
      .sort((a, b) => a.level - b.level || a.key.localeCompare(b.key));
  }

  /** A role as it reads after a write: its level in the hierarchy it lives in. */
  function shownAfter(roles: Roles, tenant: Tenant | null, rows: RoleRow[], row: RoleRow, counts: Map<string, number>): RoleResponse {
    const tenantKeys = new Map(roles.tenantKeys);
    if (tenant) tenantKeys.set(tenant.id, tenant.key);
    return respond({ rows, tenantKeys }, hierarchyOf(rows, tenant?.id ?? null), counts).find((role) => role.id === row.id)!;
  }

  /**
   * The checks every write passes, against the roles as they would be after it: named roles
   * exist in the hierarchy the role lives in, `inheritedBy` only on tenant roles, and no
   * hierarchy (the workspace's, or any tenant's with the workspace's) has a cycle.
   */
  function check(roles: Roles, tenant: Tenant | null, after: readonly Placed[], changed: GraphRole) {
    const issues: FieldIssue[] = [];
    if (tenant === null && changed.inheritedBy.length > 0) {
      issues.push({ path: "body.inheritedBy", message: "only a tenant's own roles can be placed under a workspace role" });
    }
    const known = new Set(hierarchyOf(after, tenant?.id ?? null).map((row) => row.key));
    for (const field of ["inherits", "inheritedBy"] as const) {
      changed[field].forEach((key, index) => {
        if (key === changed.key) issues.push({ path: `body.${field}.${index}`, message: "a role cannot name itself" });
        else if (!known.has(key)) issues.push({ path: `body.${field}.${index}`, message: `there is no role '${key}'${tenant ? ` for tenant '${tenant.key}' or the workspace` : ""}` });
      });
    }
    if (issues.length > 0) throw invalid("The role names roles that cannot be used.", issues);
    const scopes = [null, ...new Set(after.flatMap((row) => (row.tenantId ? [row.tenantId] : [])))];
    for (const tenantId of scopes) {
      const cycle = findCycle(graph(hierarchyOf(after, tenantId)), changed.key);
      if (!cycle) continue;
      const where = tenantId ? ` for tenant '${roles.tenantKeys.get(tenantId) ?? tenant?.key}'` : "";
      throw new AppError("ROLE_CYCLE", `Roles cannot inherit themselves: this change would make ${cycle.join(" → ")}${where}.`, { details: { cycle } });
    }
  }

  /** A key is one role in a hierarchy: a workspace role's key is not reused by a tenant, nor the other way round. */
  function refuseTakenKey(roles: Roles, tenant: Tenant | null, key: string) {
    const clash = roles.rows.filter((row) => row.key === key && (tenant === null || row.tenantId === null || row.tenantId === tenant.id));
    if (clash.length === 0) return;
    const owners = clash.map((row) => (row.tenantId ? `tenant '${roles.tenantKeys.get(row.tenantId)}'` : "the workspace"));
    throw new AppError("ALREADY_EXISTS", `Role '${key}' already exists (defined by ${named([...new Set(owners)])}).`);
  }

  function find(roles: Roles, tenant: Tenant | null, key: string): RoleRow {
    const row = roles.rows.find((r) => r.key === key && r.tenantId === (tenant?.id ?? null));
    if (!row) throw notFound(tenant ? `Role '${key}' of tenant '${tenant.key}'` : `Role '${key}'`);
    return row;
  }

  /** A role write: locked, audited, every environment bumped (roles are in every snapshot). */
  function write<R>(workspaceId: string, owner: RoleOwner, fn: (tx: Tx, w: Write, roles: Roles, tenant: Tenant | null) => Promise<R>): Promise<R> {
    return writing(workspaceId, async (tx, w) => {
      await repo.lock(tx, workspaceId);
      const tenant = await resolveTenant(tx, workspaceId, owner);
      const result = await fn(tx, w, await load(tx, workspaceId), tenant);
      await w.bump();
      return result;
    });
  }

  const target = (row: RoleRow, tenant: Tenant | null) => ({ targetType: "role", targetId: row.id, targetKey: row.key, tenant });

  return {
    /** The hierarchy in effect: the workspace's roles, with the tenant's own when a tenant is named. */
    async list(workspaceId: string, owner: RoleOwner): Promise<RoleListResponse> {
      return reading(workspaceId, async (tx) => {
        const tenant = await resolveTenant(tx, workspaceId, owner);
        const roles = await load(tx, workspaceId);
        return { items: respond(roles, hierarchyOf(roles.rows, tenant?.id ?? null), await repo.flagCounts(tx, workspaceId)) };
      });
    },

    async create(workspaceId: string, owner: RoleOwner, body: CreateRoleBody, actor: Actor): Promise<RoleResponse> {
      return translating(`Role '${body.key}'`, () =>
        write(workspaceId, owner, async (tx, w, roles, tenant) => {
          refuseTakenKey(roles, tenant, body.key);
          const inScope = roles.rows.filter((row) => row.tenantId === (tenant?.id ?? null)).length;
          if (inScope >= ROLE_LIMITS.rolesPerScope) throw new AppError("LIMIT_EXCEEDED", `At most ${ROLE_LIMITS.rolesPerScope} roles ${tenant ? "per tenant" : "per workspace"}.`);
          const data = { ...dataOf(body), key: body.key, name: body.name, inherits: body.inherits, inheritedBy: body.inheritedBy ?? [] };
          check(roles, tenant, [...roles.rows, { ...data, tenantId: tenant?.id ?? null }], data);
          const row = await repo.create(tx, workspaceId, tenant?.id ?? null, data);
          await w.audit(actor, { workspaceId, action: "role.created", ...target(row, tenant), after: audited(row) });
          return shownAfter(roles, tenant, [...roles.rows, row], row, new Map());
        }),
      );
    },

    async update(workspaceId: string, owner: RoleOwner, key: string, expectedVersion: number, body: UpdateRoleBody, actor: Actor): Promise<RoleResponse> {
      return write(workspaceId, owner, async (tx, w, roles, tenant) => {
        const current = find(roles, tenant, key);
        if (current.version !== expectedVersion) throw staleVersion(`Role '${key}'`, current.version);
        const data = dataOf(body);
        const next = { ...current, ...data };
        check(roles, tenant, roles.rows.map((row) => (row.id === current.id ? next : row)), next);
        const updated = await repo.update(tx, workspaceId, current.id, expectedVersion, data);
        if (!updated) throw staleVersion(`Role '${key}'`, current.version);
        await w.audit(actor, { workspaceId, action: "role.updated", ...target(current, tenant), ...changes(audited(current), data as Partial<Audited>) });
        const rows = roles.rows.map((row) => (row.id === updated.id ? updated : row));
        return shownAfter(roles, tenant, rows, updated, await repo.flagCounts(tx, workspaceId));
      });
    },

    /** Refused while other roles inherit the role, or (when no other tenant defines the key) rules name it. */
    async delete(workspaceId: string, owner: RoleOwner, key: string, expectedVersion: number, actor: Actor): Promise<void> {
      await write(workspaceId, owner, async (tx, w, roles, tenant) => {
        const current = find(roles, tenant, key);
        const scope = tenant === null ? roles.rows : hierarchyOf(roles.rows, tenant.id);
        const dependants = dependantsOf(graph(scope), key);
        if (dependants.length > 0) {
          throw new AppError("CONFLICT", `Role '${key}' is inherited by ${named(dependants)}: change ${dependants.length === 1 ? "it" : "them"} first.`, { details: { roles: dependants } });
        }
        const isDefinedElsewhere = roles.rows.some((row) => row.key === key && row.id !== current.id);
        if (!isDefinedElsewhere) {
          const usage = await repo.usage(tx, workspaceId, key);
          const users = [...usage.flags.map((flag) => `flag ${flag}`), ...usage.segments.map((segment) => `segment ${segment}`)];
          if (users.length > 0) {
            throw new AppError("CONFLICT", `Role '${key}' is used by the rules of ${named(users)}.`, { details: usage });
          }
        }
        if (!(await repo.delete(tx, workspaceId, current.id, expectedVersion))) throw staleVersion(`Role '${key}'`, current.version);
        await w.audit(actor, { workspaceId, action: "role.deleted", ...target(current, tenant), before: audited(current) });
      });
    },
  };
}

export type RolesService = ReturnType<typeof createRolesService>;
