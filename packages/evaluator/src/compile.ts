import { SNAPSHOT_SCHEMA_VERSION, type EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { compileCondition, isRecord, type IssueSink } from "./compile-condition";
import { compileFlag } from "./compile-flag";
import { compileLayers, compilePrecedence } from "./compile-layers";
import { errorText, jsonRecord } from "./json";
import { generateMatcher } from "./codegen";
import { FlagIndex } from "./flag-index";
import { NO_ROLES, compileHierarchy, storedRoles, type StoredRole } from "./roles";
import type { CompileIssue, CompileOptions, CompiledConditions, CompiledFlag, CompiledSegment, CompiledSnapshot, CompiledTenant, RoleHierarchy } from "./types";

/**
 * Turns a stored environment snapshot into the form evaluation runs on, once: flags, overrides,
 * segments, tenants and identities indexed by key; dates, semantic versions and regexes parsed;
 * segment references resolved. Never throws: defects are listed in `issues` and make only the
 * affected conditions never match or the affected flags answer `ERROR`; an input that is not a
 * snapshot at all compiles to one whose every evaluation answers `ERROR`.
 */
export function compile(snapshot: EnvironmentSnapshot, options?: CompileOptions): CompiledSnapshot {
  try {
    return compileSnapshot(snapshot as unknown, options?.generateCode !== false);
  } catch (error) {
    return broken(`the snapshot could not be compiled: ${errorText(error)}`, false);
  }
}

function compileSnapshot(raw: unknown, generateCode: boolean): CompiledSnapshot {
  if (!isRecord(raw)) return broken("the snapshot is not an object", generateCode);
  if (raw.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) {
    return broken(`snapshot schema version ${String(raw.schemaVersion)} is not supported (expected ${SNAPSHOT_SCHEMA_VERSION})`, generateCode);
  }
  const issues: CompileIssue[] = [];
  const layers = compileLayers(raw.layers, issues);
  const segments = compileSegments(raw.segments, issues, generateCode);
  const flags = new Map<string, CompiledFlag>();
  const flagOrder: string[] = [];
  forEachEntry(raw.flags, "flags", issues, (entry, path) => {
    const key = isRecord(entry) ? entry.key : undefined;
    if (typeof key !== "string" || key.length === 0) throw new Error("the flag has no key; dropped");
    if (flags.has(key)) throw new Error(`flag '${key}' appears twice; the first is used`);
    flags.set(key, compileFlag(entry, segments, { issues, flagKey: key, generateCode }, path));
    flagOrder.push(key);
  });
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    workspace: typeof raw.workspace === "string" ? raw.workspace : "",
    environment: typeof raw.environment === "string" ? raw.environment : "",
    version: typeof raw.version === "number" ? raw.version : 0,
    generatedAt: typeof raw.generatedAt === "string" ? raw.generatedAt : "",
    generateCode,
    isMasterSwitchOn: raw.masterSwitch === true,
    failure: null,
    issues,
    flags: FlagIndex.of(flags),
    flagOrder,
    activeFlags: activeFlags(flags, flagOrder),
    segments,
    ...compileRolesAndTenants(raw, issues),
    identities: compileIdentities(raw.identities, issues),
    layers,
    precedence: compilePrecedence(raw.precedence, layers, issues),
  };
}

/** The flags of `order` that are not archived. */
export function activeFlags(flags: { get(key: string): CompiledFlag | undefined }, order: readonly string[]): CompiledFlag[] {
  return order.map((key) => flags.get(key) as CompiledFlag).filter((flag) => !flag.isArchived);
}

/** A compiled snapshot whose every evaluation answers `ERROR` with `reason`. */
function broken(reason: string, generateCode: boolean): CompiledSnapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    workspace: "",
    environment: "",
    version: 0,
    generatedAt: "",
    generateCode,
    isMasterSwitchOn: false,
    failure: reason,
    issues: [{ path: "", message: reason }],
    flags: FlagIndex.of(new Map()),
    flagOrder: [],
    activeFlags: [],
    segments: new Map(),
    tenants: new Map(),
    roles: NO_ROLES,
    identities: new Map(),
    layers: [],
    precedence: null,
  };
}

/**
 * Segments compile in two passes: every segment exists before any rule is compiled, so
 * `in_segment` conditions can point at any segment, their own included.
 */
function compileSegments(raw: unknown, issues: CompileIssue[], generateCode: boolean): ReadonlyMap<string, CompiledSegment> {
  const segments = new Map<string, CompiledSegment>();
  const storedRules = new Map<CompiledSegment, { rules: unknown; path: string }>();
  forEachEntry(raw, "segments", issues, (entry, path) => {
    if (!isRecord(entry) || typeof entry.key !== "string") throw new Error("the segment has no key; dropped");
    if (segments.has(entry.key)) throw new Error(`segment '${entry.key}' appears twice; the first is used`);
    const segment: CompiledSegment = {
      key: entry.key,
      includedUsers: keySet(entry.includedUsers),
      excludedUsers: keySet(entry.excludedUsers),
      includedTenants: keySet(entry.includedTenants),
      excludedTenants: keySet(entry.excludedTenants),
      rules: [],
    };
    segments.set(entry.key, segment);
    storedRules.set(segment, { rules: entry.rules, path });
  });
  for (const [segment, { rules, path }] of storedRules) {
    const sink: IssueSink = { issues, flagKey: undefined, generateCode };
    const compiled: CompiledConditions[] = [];
    forEachEntry(rules, `${path}.rules`, issues, (rule, rulePath) => {
      const conditions = isRecord(rule) && Array.isArray(rule.conditions) ? (rule.conditions as unknown[]) : [];
      // A rule without conditions would put everyone in the segment: surely a mistake, so it is dropped.
      if (conditions.length === 0) throw new Error("the segment rule has no conditions; dropped");
      const list = conditions.map((c, i) => compileCondition(c, segments, sink, `${rulePath}.conditions[${i}]`));
      compiled.push({ conditions: list, match: generateMatcher(list, generateCode) });
    });
    segment.rules = compiled;
  }
  return segments;
}

/** The workspace's role hierarchy, and each tenant with its own merged in when it defines roles. */
function compileRolesAndTenants(raw: Record<string, unknown>, issues: CompileIssue[]): { tenants: ReadonlyMap<string, CompiledTenant>; roles: RoleHierarchy } {
  const workspaceRoles = storedRoles(raw.roles, "roles", issues);
  const tenants = new Map<string, CompiledTenant>();
  forEachEntry(raw.tenants, "tenants", issues, (entry, path) => {
    const key = isRecord(entry) ? entry.key : undefined;
    if (typeof key !== "string") throw new Error("the tenant has no key; dropped");
    if (tenants.has(key)) return;
    tenants.set(key, compileTenant(entry as Record<string, unknown>, key, workspaceRoles, issues, path));
  });
  return { tenants, roles: workspaceRoles.length === 0 ? NO_ROLES : compileHierarchy(workspaceRoles) };
}

/** One stored tenant, its own roles placed in the workspace's. */
export function compileTenant(entry: Record<string, unknown>, key: string, workspaceRoles: readonly StoredRole[], issues: CompileIssue[], path: string): CompiledTenant {
  const own = storedRoles(entry.roles, `${path}.roles`, issues);
  return {
    key,
    attributes: jsonRecord(entry.attributes),
    disabledModules: keySet(entry.disabledModules),
    roles: own.length === 0 ? null : compileHierarchy(workspaceRoles, own),
  };
}

function compileIdentities(raw: unknown, issues: CompileIssue[]): ReadonlyMap<string, Readonly<Record<string, unknown>>> {
  const identities = new Map<string, Readonly<Record<string, unknown>>>();
  forEachEntry(raw, "identities", issues, (entry) => {
    if (!isRecord(entry) || typeof entry.key !== "string") throw new Error("the identity has no key; dropped");
    if (identities.has(entry.key)) return;
    identities.set(entry.key, jsonRecord(entry.traits));
  });
  return identities;
}

/** Runs `fn` on each entry of a stored list; a throwing entry is reported and skipped. */
function forEachEntry(list: unknown, path: string, issues: CompileIssue[], fn: (entry: unknown, path: string) => void): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) {
    issues.push({ path, message: "not a list; ignored" });
    return;
  }
  (list as unknown[]).forEach((entry, index) => {
    try {
      fn(entry, `${path}[${index}]`);
    } catch (error) {
      issues.push({ path: `${path}[${index}]`, message: errorText(error) });
    }
  });
}

function keySet(value: unknown): ReadonlySet<string> {
  if (!Array.isArray(value)) return new Set();
  return new Set((value as unknown[]).filter((item): item is string => typeof item === "string"));
}
