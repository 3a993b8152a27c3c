import type { FlagResponse, FlagStateResponse } from "@ensign/contracts/flags";
import type { ModuleResponse } from "@ensign/contracts/modules";
import type { TenantOverrideResponse, UserOverrideResponse } from "@ensign/contracts/overrides";
import type { Serve, Variant } from "@ensign/contracts/targeting";
import type { WorkspaceResponse } from "@ensign/contracts/workspaces";
import { listAll, seg, type ApiClient } from "../client";
import { CliError, EXIT } from "../errors";
import { canonicalServe, rolloutServe } from "../serve";
import { canonicalRule, canonicalVariant, same, show, showRules, showServe, sortedList } from "./compare";
import { overrideId, type ApplyFile, type FlagSpec, type OverrideSpec, type StateSpec } from "./spec";

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

/** One write `apply` makes, with what it changes; `run` makes it. */
export interface Change {
  action: "create" | "update" | "archive" | "restore" | "set";
  kind: "module" | "flag" | "state" | "override";
  target: string;
  fields: FieldChange[];
  run(client: ApiClient): Promise<void>;
}

export interface Plan {
  workspace: string;
  changes: Change[];
}

/** Progress while reading: how many of the file's items have been compared. */
export type OnRead = (done: number, total: number, what: string) => void;

const DEFINITION_FIELDS = ["name", "description", "module", "tags", "isBeta", "tenantManageable", "feedbackUrl", "dependsOn", "lifecycle", "owner", "variants", "offVariant", "onVariant"] as const;
type DefinitionField = (typeof DEFINITION_FIELDS)[number];
const SET_FIELDS = new Set<DefinitionField>(["tags", "dependsOn"]);

const BOOLEAN_VARIANTS: Variant[] = [
  { key: "on", value: true },
  { key: "off", value: false },
];

/** Reads what the file manages from the workspace and lists the writes that make them equal. */
export async function planApply(client: ApiClient, workspace: string, file: ApplyFile, onRead: OnRead = () => {}): Promise<Plan> {
  const ws = `/v1/workspaces/${seg(workspace)}`;
  const { environments } = await client.get<WorkspaceResponse>(ws);
  const envKeys = new Set(environments.map((e) => e.key));
  const unknownEnvs = [...new Set([...file.flags.flatMap((f) => Object.keys(f.states ?? {})), ...file.overrides.map((o) => o.environment)])].filter((env) => !envKeys.has(env));
  if (unknownEnvs.length) throw new CliError(`Workspace ${workspace} has no environment ${unknownEnvs.join(", ")} (it has ${[...envKeys].join(", ")}).`, EXIT.usage);

  const total = file.modules.length + file.flags.length + file.overrides.length;
  let read = 0;
  const tick = (what: string) => onRead(++read, total, what);

  const modules = new Map((await listAll<ModuleResponse>(client, `${ws}/modules`)).map((m) => [m.key, m]));
  const moduleChanges = file.modules.map((decl) => {
    tick(`module ${decl.key}`);
    return planModule(ws, decl, modules.get(decl.key));
  });

  const flagPlans = await mapLimit(file.flags, 6, async (decl) => {
    const existing = await client.find<FlagResponse>(`${ws}/flags/${seg(decl.key)}`);
    const states = new Map<string, FlagStateResponse>();
    if (existing) {
      for (const env of Object.keys(decl.states ?? {})) states.set(env, await client.get<FlagStateResponse>(`${ws}/flags/${seg(decl.key)}/environments/${seg(env)}`));
    }
    tick(`flag ${decl.key}`);
    return planFlag(ws, decl, existing, states);
  });

  const declared = new Map(flagPlans.map((p) => [p.decl.key, p]));
  const otherFlags = new Map<string, FlagResponse>();
  const overrideChanges = await mapLimit(file.overrides, 6, async (decl) => {
    const plan = declared.get(decl.flag);
    let onVariant = plan?.onVariant;
    if (!plan) {
      const flag = otherFlags.get(decl.flag) ?? (await client.find<FlagResponse>(`${ws}/flags/${seg(decl.flag)}`));
      if (!flag) throw new CliError(`Override ${overrideId(decl)}: no flag ${decl.flag} in ${workspace} or in the file.`, EXIT.usage);
      otherFlags.set(decl.flag, flag);
      onVariant = flag.onVariant;
    }
    const path = overridePath(ws, decl);
    const current = plan && !plan.existing ? undefined : await client.find<TenantOverrideResponse | UserOverrideResponse>(path);
    tick(`override ${overrideId(decl)}`);
    return planOverride(path, decl, onVariant, current);
  });

  const flagChanges = orderByDependencies(flagPlans).flatMap((p) => p.definition);
  const changes = [
    ...moduleChanges,
    ...flagChanges,
    ...flagPlans.flatMap((p) => p.states),
    ...overrideChanges,
    ...flagPlans.flatMap((p) => p.archive),
  ].filter((c): c is Change => c !== undefined);
  return { workspace, changes };
}

function planModule(ws: string, decl: ApplyFile["modules"][number], current: ModuleResponse | undefined): Change | undefined {
  if (!current) {
    return {
      action: "create",
      kind: "module",
      target: decl.key,
      fields: Object.entries(decl).map(([field, value]) => ({ field, before: "", after: show(value) })),
      run: async (client) => void (await client.request("POST", `${ws}/modules`, { body: decl })),
    };
  }
  const body: Record<string, unknown> = {};
  const fields: FieldChange[] = [];
  const compare = (field: "name" | "description" | "keyPrefix" | "tenantManageable", want: unknown, have: unknown) => {
    if (want === undefined || same(want, have)) return;
    body[field] = want;
    fields.push({ field, before: show(have), after: show(want) });
  };
  compare("name", decl.name, current.name);
  compare("description", decl.description, current.description);
  compare("keyPrefix", decl.keyPrefix, current.keyPrefix);
  compare("tenantManageable", decl.tenantManageable, current.tenantManageable);
  if (fields.length === 0) return undefined;
  return {
    action: "update",
    kind: "module",
    target: decl.key,
    fields,
    run: async (client) => void (await client.request("PATCH", `${ws}/modules/${seg(decl.key)}`, { body, ifMatch: current.version })),
  };
}

interface FlagPlan {
  decl: FlagSpec;
  existing: FlagResponse | undefined;
  onVariant: string | undefined;
  definition: Change[];
  states: Change[];
  archive: Change[];
}

function planFlag(ws: string, decl: FlagSpec, existing: FlagResponse | undefined, states: Map<string, FlagStateResponse>): FlagPlan {
  const flagPath = `${ws}/flags/${seg(decl.key)}`;
  const { states: stateSpecs = {}, archived = false, ...definition } = decl;
  // The flag's version as the writes of this run move it on: the next write's If-Match.
  const live = { version: existing?.version };
  const versionOf = async (client: ApiClient) => live.version ?? (live.version = (await client.get<FlagResponse>(flagPath)).version);
  const track = (flag: FlagResponse) => void (live.version = flag.version);

  const type = decl.type ?? existing?.type ?? "boolean";
  const variants = decl.variants ?? existing?.variants ?? (type === "boolean" ? BOOLEAN_VARIANTS : []);
  const onVariant = decl.onVariant ?? existing?.onVariant ?? (type === "boolean" ? variants.find((v) => v.value === true)?.key : undefined);
  const offVariant = decl.offVariant ?? existing?.offVariant ?? (type === "boolean" ? variants.find((v) => v.value === false)?.key : undefined);
  const plan: FlagPlan = { decl, existing, onVariant, definition: [], states: [], archive: [] };

  if (!existing) {
    const body = { ...definition, name: decl.name ?? decl.key, type };
    plan.definition.push({
      action: "create",
      kind: "flag",
      target: decl.key,
      fields: Object.entries(body).filter(([field]) => field !== "key").map(([field, value]) => ({ field, before: "", after: show(value) })),
      run: async (client) => track(await client.request<FlagResponse>("POST", `${ws}/flags`, { body })),
    });
  } else {
    if (decl.type !== undefined && decl.type !== existing.type) {
      throw new CliError(`Flag ${decl.key} is a ${existing.type} flag in the workspace and ${decl.type} in the file: a flag's type cannot change (create another key).`, EXIT.usage);
    }
    const body: Record<string, unknown> = {};
    const fields: FieldChange[] = [];
    for (const field of DEFINITION_FIELDS) {
      const want = definition[field];
      if (want === undefined) continue;
      const have = existing[field];
      const norm = (v: unknown) => (SET_FIELDS.has(field) ? sortedList(v as string[]) : field === "variants" ? (v as Variant[]).map(canonicalVariant) : v);
      if (same(norm(want), norm(have))) continue;
      body[field] = want;
      fields.push({ field, before: show(have), after: show(want) });
    }
    if (fields.length) {
      plan.definition.push({
        action: "update",
        kind: "flag",
        target: decl.key,
        fields,
        run: async (client) => track(await client.request<FlagResponse>("PATCH", flagPath, { body, ifMatch: await versionOf(client) })),
      });
    }
    if (existing.archivedAt && !archived) plan.definition.push(lifecycle("restore", decl.key, flagPath, versionOf, track));
  }
  if (archived && !existing?.archivedAt) plan.archive.push(lifecycle("archive", decl.key, flagPath, versionOf, track));

  for (const [env, spec] of Object.entries(stateSpecs)) {
    const change = planState(`${flagPath}/environments/${seg(env)}`, `${decl.key} @ ${env}`, spec, states.get(env), { onVariant, offVariant });
    if (change) plan.states.push(change);
  }
  return plan;
}

function lifecycle(action: "archive" | "restore", key: string, flagPath: string, versionOf: (client: ApiClient) => Promise<number>, track: (flag: FlagResponse) => void): Change {
  const [before, after] = action === "archive" ? ["live", "archived"] : ["archived", "live"];
  return {
    action,
    kind: "flag",
    target: key,
    fields: [{ field: "lifecycle", before, after }],
    run: async (client) => track(await client.request<FlagResponse>("POST", `${flagPath}/${action}`, { ifMatch: await versionOf(client) })),
  };
}

/** The state a new flag starts with in every environment: disabled, serving the off variant. */
function initialState(offVariant: string | undefined): Omit<FlagStateResponse, "flag" | "environment" | "version" | "updatedAt"> {
  return { enabled: false, fallthrough: { variant: offVariant ?? "(off variant)" }, tenantAllow: [], tenantDeny: [], rules: [] };
}

function planState(path: string, target: string, spec: StateSpec, current: FlagStateResponse | undefined, variants: { onVariant?: string; offVariant?: string }): Change | undefined {
  const have = current ?? initialState(variants.offVariant);
  let fallthrough: Serve | undefined = spec.fallthrough;
  if (spec.rollout !== undefined) {
    const { percent, by } = typeof spec.rollout === "number" ? { percent: spec.rollout, by: undefined } : spec.rollout;
    if (!variants.onVariant || !variants.offVariant) throw new CliError(`${target}: a rollout needs the flag's onVariant and offVariant; name them in the file.`, EXIT.usage);
    fallthrough = rolloutServe({ onVariant: variants.onVariant, offVariant: variants.offVariant }, percent, by);
  }

  const patch: Record<string, unknown> = {};
  const fields: FieldChange[] = [];
  if (spec.enabled !== undefined && spec.enabled !== have.enabled) {
    patch.enabled = spec.enabled;
    fields.push({ field: "enabled", before: String(have.enabled), after: String(spec.enabled) });
  }
  if (fallthrough && !same(canonicalServe(fallthrough), canonicalServe(have.fallthrough))) {
    patch.fallthrough = fallthrough;
    fields.push({ field: "fallthrough", before: showServe(have.fallthrough), after: showServe(fallthrough) });
  }
  for (const list of ["tenantAllow", "tenantDeny"] as const) {
    const want = spec[list];
    if (want === undefined || same(sortedList(want), sortedList(have[list]))) continue;
    patch[list] = want;
    fields.push({ field: list, before: show(have[list]), after: show(want) });
  }
  const rules = spec.rules;
  const isRulesChanged = rules !== undefined && !same(rules.map(canonicalRule), have.rules.map(canonicalRule));
  if (isRulesChanged) fields.push({ field: "rules", before: showRules(have.rules), after: showRules(rules) });
  if (fields.length === 0) return undefined;

  return {
    action: current ? "update" : "set",
    kind: "state",
    target,
    fields,
    async run(client) {
      // A flag created by this run: its states exist now, read their version.
      let state = current ?? (await client.get<FlagStateResponse>(path));
      if (Object.keys(patch).length) state = await client.request<FlagStateResponse>("PATCH", path, { body: patch, ifMatch: state.version });
      if (!isRulesChanged) return;
      // The rules in the file replace the list: the old ones go, the file's are added in order.
      for (const rule of state.rules) state = await client.request<FlagStateResponse>("DELETE", `${path}/rules/${seg(rule.id)}`, { ifMatch: state.version });
      for (const rule of rules) state = await client.request<FlagStateResponse>("POST", `${path}/rules`, { body: rule, ifMatch: state.version });
    },
  };
}

function overridePath(ws: string, o: OverrideSpec): string {
  const base = `${ws}/flags/${seg(o.flag)}/environments/${seg(o.environment)}`;
  return "tenant" in o ? `${base}/tenant-overrides/${seg(o.tenant)}` : `${base}/user-overrides/${seg(o.user)}`;
}

function planOverride(path: string, decl: OverrideSpec, onVariant: string | undefined, current: TenantOverrideResponse | UserOverrideResponse | undefined): Change | undefined {
  const variant = decl.variant ?? onVariant;
  if (!variant) throw new CliError(`Override ${overrideId(decl)}: name its variant (the flag has no on variant to default to).`, EXIT.usage);
  const body: Record<string, unknown> = { variant };
  const fields: FieldChange[] = [];
  if (current?.variant !== variant) fields.push({ field: "variant", before: current ? current.variant : "", after: variant });
  if ("locked" in decl && decl.locked !== undefined) {
    body.locked = decl.locked;
    const have = current && "locked" in current ? current.locked : undefined;
    if (have !== decl.locked && (current || decl.locked)) fields.push({ field: "locked", before: current ? String(have) : "", after: String(decl.locked) });
  }
  if (decl.expiresAt !== undefined) {
    body.expiresAt = decl.expiresAt;
    const have = current?.expiresAt ?? null;
    const isSame = have === null || decl.expiresAt === null ? have === decl.expiresAt : Date.parse(have) === Date.parse(decl.expiresAt);
    if (!isSame) fields.push({ field: "expiresAt", before: current ? show(have) : "", after: show(decl.expiresAt) });
  }
  if (fields.length === 0) return undefined;
  return {
    action: current ? "update" : "set",
    kind: "override",
    target: overrideId(decl),
    fields,
    run: async (client) => void (await client.request("PUT", path, { body, ifMatch: current?.version })),
  };
}

/** Flags a file's other flags depend on are written first, so `dependsOn` names flags that exist. */
function orderByDependencies(plans: FlagPlan[]): FlagPlan[] {
  const byKey = new Map(plans.map((p) => [p.decl.key, p]));
  const ordered: FlagPlan[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (plan: FlagPlan, trail: string[]) => {
    const key = plan.decl.key;
    if (state.get(key) === "done") return;
    if (state.get(key) === "visiting") throw new CliError(`The file's flags depend on each other in a cycle: ${[...trail, key].join(" -> ")}.`, EXIT.usage);
    state.set(key, "visiting");
    for (const dep of plan.decl.dependsOn ?? []) {
      const other = byKey.get(dep);
      if (other) visit(other, [...trail, key]);
    }
    state.set(key, "done");
    ordered.push(plan);
  };
  for (const plan of plans) visit(plan, []);
  return ordered;
}

/** `fn` over `items`, at most `limit` at a time, answers in the items' order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
