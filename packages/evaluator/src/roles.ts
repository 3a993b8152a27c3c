import { isRecord } from "./compile-condition";
import { tenantOf, type Session } from "./session";
import type { CompileIssue, RoleHierarchy } from "./types";

/** A role as the snapshot stores it: the roles it inherits, and (tenant roles) those that inherit it. */
export interface StoredRole {
  readonly key: string;
  readonly inherits: readonly string[];
  readonly inheritedBy: readonly string[];
}

/** No roles: every role is only itself. */
export const NO_ROLES: RoleHierarchy = new Map();

/** Reads a stored list of roles; entries without a key are reported and dropped. */
export function storedRoles(raw: unknown, path: string, issues: CompileIssue[]): StoredRole[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    issues.push({ path, message: "not a list; ignored" });
    return [];
  }
  const roles: StoredRole[] = [];
  (raw as unknown[]).forEach((entry, index) => {
    if (!isRecord(entry) || typeof entry.key !== "string" || entry.key.length === 0) {
      issues.push({ path: `${path}[${index}]`, message: "the role has no key; dropped" });
      return;
    }
    roles.push({ key: entry.key, inherits: strings(entry.inherits), inheritedBy: strings(entry.inheritedBy) });
  });
  return roles;
}

/**
 * The hierarchy as "role → every role it is at least" (itself included), computed once at
 * compile so that `role_at_least` is a set lookup. `extra` (a tenant's roles) adds roles and
 * edges: its `inheritedBy` makes existing roles inherit it, which places a tenant role between
 * two levels. Inheritance is walked with a visited set, so a cycle in stored data ends (every
 * role on it is then at least the others) instead of looping.
 */
export function compileHierarchy(base: readonly StoredRole[], extra: readonly StoredRole[] = []): RoleHierarchy {
  const parents = new Map<string, string[]>();
  for (const role of [...base, ...extra]) parents.set(role.key, [...role.inherits]);
  for (const role of extra) {
    for (const above of role.inheritedBy) {
      const list = parents.get(above);
      if (list && !list.includes(role.key)) list.push(role.key);
    }
  }
  const hierarchy = new Map<string, ReadonlySet<string>>();
  for (const key of parents.keys()) {
    const reached = new Set<string>([key]);
    const queue = [key];
    while (queue.length > 0) {
      for (const parent of parents.get(queue.pop() as string) ?? []) {
        if (reached.has(parent)) continue;
        reached.add(parent);
        queue.push(parent);
      }
    }
    hierarchy.set(key, reached);
  }
  return hierarchy;
}

/**
 * `role_at_least`: whether a role the context holds (a string, or any string of a list) is
 * one of `operands` or inherits one of them, in the hierarchy of the context's tenant (the
 * workspace's roles with that tenant's own) or else the workspace's. A role the hierarchy does
 * not know is only itself. `undefined` when the value holds no role.
 */
export function isRoleAtLeast(session: Session, value: unknown, operands: readonly string[]): boolean | undefined {
  const hierarchy = tenantOf(session)?.roles ?? session.compiled.roles;
  if (typeof value === "string") return value.length === 0 ? undefined : covers(hierarchy, value, operands);
  if (!Array.isArray(value)) return undefined;
  let sawRole = false;
  for (const item of value as unknown[]) {
    if (typeof item !== "string" || item.length === 0) continue;
    sawRole = true;
    if (covers(hierarchy, item, operands)) return true;
  }
  return sawRole ? false : undefined;
}

function covers(hierarchy: RoleHierarchy, role: string, operands: readonly string[]): boolean {
  const reached = hierarchy.get(role);
  for (const operand of operands) {
    if (reached === undefined ? operand === role : reached.has(operand)) return true;
  }
  return false;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? (value as unknown[]).filter((item): item is string => typeof item === "string") : [];
}
