/**
 * The role hierarchy as a graph, for the checks a write must pass: what exists, what a change
 * would make cyclic, and each role's level. Pure, so it is tested without a database.
 */
export interface GraphRole {
  key: string;
  inherits: readonly string[];
  inheritedBy: readonly string[];
}

/** Each role's direct parents (the roles it inherits): its own `inherits`, plus tenant roles' `inheritedBy` edges. */
export function parentsOf(roles: readonly GraphRole[]): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const role of roles) parents.set(role.key, [...role.inherits]);
  for (const role of roles) {
    for (const above of role.inheritedBy) parents.get(above)?.push(role.key);
  }
  return parents;
}

/**
 * A cycle as the chain of keys that closes it (`a → b → a`), or `undefined` when there is none.
 * The search starts at `from` when given (the role being changed), so the chain reads from it.
 */
export function findCycle(roles: readonly GraphRole[], from?: string): string[] | undefined {
  const parents = parentsOf(roles);
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (key: string): string[] | undefined => {
    const seen = state.get(key);
    if (seen === "done") return undefined;
    if (seen === "visiting") return [...path.slice(path.indexOf(key)), key];
    state.set(key, "visiting");
    path.push(key);
    for (const parent of parents.get(key) ?? []) {
      const cycle = visit(parent);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(key, "done");
    return undefined;
  };
  for (const key of [...(from === undefined ? [] : [from]), ...roles.map((role) => role.key)]) {
    const cycle = visit(key);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Each role's level: the length of the longest chain of roles below it (0 for a base role). Needs an acyclic graph. */
export function levelsOf(roles: readonly GraphRole[]): Map<string, number> {
  const parents = parentsOf(roles);
  const levels = new Map<string, number>();
  const level = (key: string, depth: number): number => {
    const known = levels.get(key);
    if (known !== undefined) return known;
    // The depth guard keeps stored data that is somehow cyclic from recursing forever.
    if (depth > parents.size) return 0;
    const below = (parents.get(key) ?? []).filter((parent) => parents.has(parent));
    const value = below.length === 0 ? 0 : 1 + Math.max(...below.map((parent) => level(parent, depth + 1)));
    levels.set(key, value);
    return value;
  };
  for (const role of roles) level(role.key, 0);
  return levels;
}

/** The roles that name `key` in their `inherits` or `inheritedBy`: deleting it would leave them pointing at nothing. */
export function dependantsOf(roles: readonly GraphRole[], key: string): string[] {
  return roles.filter((role) => role.key !== key && (role.inherits.includes(key) || role.inheritedBy.includes(key))).map((role) => role.key);
}
