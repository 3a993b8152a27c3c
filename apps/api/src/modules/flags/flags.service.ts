import type { FieldIssue } from "@ensign/contracts/common";
import type { CreateFlagBody, FlagResponse, UpdateFlagBody } from "@ensign/contracts/flags";
import type { Variant } from "@ensign/contracts/targeting";
import { MAX_PREREQUISITE_DEPTH } from "@ensign/evaluator";
import { randomBytes } from "node:crypto";
import { changes, type Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import { BOOLEAN_VARIANTS, findCycle, longestChain, pickOnOff, variantIssues } from "./flag-definition";
import { auditedDefinition, toFlagDefinition, toStateResponse, toSummary } from "./flag-responses";
import { defaultState } from "./flag-states.repository";
import type { FlagChanges, FlagRow, FlagsRepository } from "./flags.repository";

const unique = <T>(items: readonly T[]) => [...new Set(items)];

/** Refuses a body with issues: one 400 naming every bad field. */
function check(issues: FieldIssue[]): void {
  if (issues.length > 0) throw invalid(`The request is not valid: ${issues.map((i) => i.path).join(", ")}.`, issues);
}

export interface FlagsServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: FlagsRepository;
  now?: () => number;
}

const keyTaken = (key: string) => `Flag '${key}' (archived flags keep their keys)`;

export function createFlagsService({ reading, writing, repo, now = Date.now }: FlagsServiceDeps) {
  async function found(tx: Tx, workspaceId: string, key: string): Promise<FlagRow> {
    const flag = await repo.find(tx, workspaceId, key);
    if (!flag) throw notFound(`Flag '${key}'`);
    return flag;
  }

  async function claim(tx: Tx, workspaceId: string, flag: FlagRow, expectedVersion: number): Promise<void> {
    if (await repo.claimVersion(tx, workspaceId, flag.id, expectedVersion)) return;
    throw staleVersion(`Flag '${flag.key}'`, await repo.currentVersion(tx, workspaceId, flag.id));
  }

  /** The module's id, checking that it exists and that `flagKey` follows its key prefix, if it has one. */
  async function moduleIdOf(tx: Tx, workspaceId: string, key: string | null | undefined, flagKey: string): Promise<string | null | undefined> {
    if (key === undefined || key === null) return key;
    const module = await repo.module(tx, workspaceId, key);
    if (!module) throw invalid(`The request is not valid: body.module.`, [{ path: "body.module", message: `module '${key}' does not exist in this workspace` }]);
    if (module.keyPrefix !== null && !flagKey.startsWith(module.keyPrefix)) {
      check([{ path: "body.key", message: `flags of module '${key}' have keys starting with '${module.keyPrefix}' (the module's key prefix)` }]);
    }
    return module.id;
  }

  /** Prerequisites must be live flags, and must not lead back to `key`. */
  async function checkPrerequisites(tx: Tx, workspaceId: string, key: string, dependsOn: string[]): Promise<void> {
    await repo.lockDependencyGraph(tx, workspaceId);
    const graph = await repo.dependencyGraph(tx, workspaceId);
    const live = new Set(graph.filter((f) => !f.archivedAt).map((f) => f.key));
    check(
      dependsOn.flatMap((dep, i) =>
        dep !== key && !live.has(dep) ? [{ path: `body.dependsOn.${i}`, message: `flag '${dep}' does not exist` }] : [],
      ),
    );
    const edges = new Map(graph.map((f) => [f.key, f.dependsOn]));
    edges.set(key, dependsOn);
    const cycle = findCycle(edges, key);
    if (cycle) {
      throw new AppError("PREREQUISITE_CYCLE", `These prerequisites would form a cycle: ${cycle.join(" → ")}.`, { details: { cycle } });
    }
    // The evaluator refuses deeper chains at evaluation time; refuse them here, where they are made.
    if (longestChain(edges) > MAX_PREREQUISITE_DEPTH) {
      check([{ path: "body.dependsOn", message: `prerequisite chains are limited to ${MAX_PREREQUISITE_DEPTH} flags` }]);
    }
  }

  async function view(tx: Tx, workspaceId: string, flag: FlagRow, envKey?: string): Promise<FlagResponse> {
    let environments = await repo.environments(tx, workspaceId);
    if (envKey !== undefined) {
      environments = environments.filter((env) => env.key === envKey);
      if (environments.length === 0) throw notFound(`Environment '${envKey}'`);
    }
    const summaries = await repo.stateSummaries(tx, workspaceId, flag.id, new Date(now()));
    const response: FlagResponse = {
      ...toFlagDefinition(flag),
      environments: environments.map((env) => {
        const summary = summaries.find((s) => s.environmentId === env.id);
        return toSummary(env.key, summary ?? { ...defaultState(flag, env.id), ruleCount: 0, overrideCount: 0, userOverrideCount: 0 }, flag);
      }),
    };
    if (envKey !== undefined) {
      const environmentId = environments[0]!.id;
      response.state = toStateResponse(flag.key, envKey, (await repo.findState(tx, workspaceId, flag.id, environmentId)) ?? defaultState(flag, environmentId));
    }
    return response;
  }

  return {
    get(workspaceId: string, key: string, envKey?: string): Promise<FlagResponse> {
      return reading(workspaceId, async (tx) => view(tx, workspaceId, await found(tx, workspaceId, key), envKey));
    },

    async create(workspaceId: string, body: CreateFlagBody, actor: Actor): Promise<FlagResponse> {
      const variants: Variant[] = body.variants ?? (body.type === "boolean" ? BOOLEAN_VARIANTS : []);
      const issues = body.variants || body.type === "boolean" ? variantIssues(body.type, variants) : [{ path: "body.variants", message: `is required for ${body.type} flags` }];
      const { offVariant, onVariant, issues: onOffIssues } = pickOnOff(body.type, variants, body);
      issues.push(...(body.variants || body.type === "boolean" ? onOffIssues : []));
      const initialVariant = body.initialState?.variant ?? offVariant;
      if (body.initialState?.variant && !variants.some((v) => v.key === body.initialState?.variant)) {
        issues.push({ path: "body.initialState.variant", message: `'${body.initialState.variant}' is not one of the flag's variants` });
      }
      check(issues);
      const dependsOn = unique(body.dependsOn ?? []);

      return translating(keyTaken(body.key), () =>
        writing(workspaceId, async (tx, w) => {
          const moduleId = await moduleIdOf(tx, workspaceId, body.module, body.key);
          if (dependsOn.length > 0) await checkPrerequisites(tx, workspaceId, body.key, dependsOn);
          if (await repo.find(tx, workspaceId, body.key)) throw new AppError("ALREADY_EXISTS", `${keyTaken(body.key)} already exists.`);
          const flag = await repo.create(tx, workspaceId, {
            key: body.key,
            name: body.name,
            description: body.description ?? "",
            moduleId: moduleId ?? null,
            type: body.type,
            variants,
            offVariant: offVariant!,
            onVariant: onVariant!,
            salt: randomBytes(8).toString("base64url"),
            tags: unique(body.tags ?? []),
            isBeta: body.isBeta ?? false,
            tenantManageable: body.tenantManageable ?? false,
            feedbackUrl: body.feedbackUrl ?? null,
            dependsOn,
            lifecycle: body.lifecycle ?? "temporary",
            owner: body.owner ?? null,
            trackAnalytics: body.trackAnalytics ?? true,
          });
          const environments = await repo.environments(tx, workspaceId);
          const initial = { enabled: body.initialState?.enabled ?? false, variant: initialVariant! };
          await repo.ensureStates(tx, workspaceId, flag.id, environments.map((env) => env.id), initial);
          await w.audit(actor, {
            workspaceId,
            action: "flag.created",
            targetType: "flag",
            targetId: flag.id,
            targetKey: flag.key,
            after: { ...auditedDefinition(toFlagDefinition(flag)), initialState: initial },
          });
          // Replicas add the new flag to the snapshots they hold instead of loading them again.
          await w.bump(undefined, { flags: [flag.id] });
          return view(tx, workspaceId, flag);
        }),
      );
    },

    async update(workspaceId: string, key: string, expectedVersion: number, body: UpdateFlagBody, actor: Actor): Promise<FlagResponse> {
      return writing(workspaceId, async (tx, w) => {
        const current = await found(tx, workspaceId, key);
        const refused: FieldIssue[] = [];
        if (body.key !== undefined && body.key !== current.key) refused.push({ path: "body.key", message: "is immutable once the flag is created" });
        if (body.type !== undefined && body.type !== current.type) refused.push({ path: "body.type", message: "is immutable once the flag is created" });
        check(refused);
        await claim(tx, workspaceId, current, expectedVersion);
        if (current.archivedAt) throw new AppError("CONFLICT", `Flag '${key}' is archived; restore it before editing.`);

        const data: FlagChanges = {};
        if (body.variants || body.offVariant !== undefined || body.onVariant !== undefined) {
          const variants = body.variants ?? (current.variants as Variant[]);
          const kept = (name: string) => variants.some((v) => v.key === name);
          // Without an explicit off or on variant, the current one stays if it survives the edit.
          const picked = pickOnOff(current.type, variants, {
            offVariant: body.offVariant ?? (kept(current.offVariant) ? current.offVariant : undefined),
            onVariant: body.onVariant ?? (kept(current.onVariant) ? current.onVariant : undefined),
          });
          check([...variantIssues(current.type, variants), ...picked.issues]);
          const { offVariant, onVariant } = picked;
          const removed = (current.variants as Variant[]).map((v) => v.key).filter((k) => !kept(k));
          const uses = removed.length > 0 ? await repo.variantUses(tx, workspaceId, current.id, removed) : [];
          if (uses.length > 0) {
            throw new AppError("CONFLICT", `Variants still in use cannot be removed: ${uses.map((u) => `'${u.variant}' (${u.where})`).join("; ")}.`, {
              details: { references: uses },
            });
          }
          Object.assign(data, { variants, offVariant, onVariant });
        }
        if (body.dependsOn !== undefined) {
          data.dependsOn = unique(body.dependsOn);
          await checkPrerequisites(tx, workspaceId, current.key, data.dependsOn);
        }
        if (body.module !== undefined) data.moduleId = await moduleIdOf(tx, workspaceId, body.module, current.key);
        if (body.tags !== undefined) data.tags = unique(body.tags);
        for (const field of ["name", "description", "isBeta", "tenantManageable", "feedbackUrl", "lifecycle", "owner", "trackAnalytics"] as const) {
          if (body[field] !== undefined) Object.assign(data, { [field]: body[field] });
        }

        const updated = await repo.write(tx, workspaceId, current.id, data);
        const diff = changes(auditedDefinition(toFlagDefinition(current)), auditedDefinition(toFlagDefinition(updated)));
        await w.audit(actor, { workspaceId, action: "flag.updated", targetType: "flag", targetId: current.id, targetKey: key, ...diff });
        const evaluated = ["variants", "offVariant", "onVariant", "dependsOn", "module", "trackAnalytics"].some((field) => field in diff.after);
        if (evaluated) await w.bump(undefined, { flags: [current.id] });
        return view(tx, workspaceId, updated);
      });
    },

    /**
     * Deletes an archived flag for good, the caller typing its key to confirm: its state in every
     * environment, overrides, schedules and statistics go with it, in one transaction with one
     * audit entry that counts them. The key is free again afterwards.
     */
    async delete(workspaceId: string, key: string, expectedVersion: number, confirm: string, actor: Actor): Promise<void> {
      if (confirm !== key) throw invalid(`Type the flag's key ('${key}') to confirm.`, [{ path: "body.confirm", message: `must be '${key}'` }]);
      await writing(workspaceId, async (tx, w) => {
        const current = await found(tx, workspaceId, key);
        if (!current.archivedAt) throw new AppError("CONFLICT", `Flag '${key}' is not archived; archive it before deleting it.`);
        await claim(tx, workspaceId, current, expectedVersion);
        const removed = await repo.remove(tx, workspaceId, current);
        await w.audit(actor, {
          workspaceId,
          action: "flag.deleted",
          targetType: "flag",
          targetId: current.id,
          targetKey: key,
          before: { ...auditedDefinition(toFlagDefinition(current)), archivedAt: current.archivedAt.toISOString() },
          after: { removed },
        });
        await w.bump();
      });
    },

    /** Marks the flag deprecated, archived, or neither (restore); see the routes for the rules of each. */
    async setLifecycle(workspaceId: string, key: string, expectedVersion: number, to: "deprecated" | "archived" | "restored", actor: Actor): Promise<FlagResponse> {
      return writing(workspaceId, async (tx, w) => {
        const current = await found(tx, workspaceId, key);
        await claim(tx, workspaceId, current, expectedVersion);
        const at = new Date(now());
        let data: FlagChanges;
        if (to === "deprecated") {
          if (current.archivedAt) throw new AppError("CONFLICT", `Flag '${key}' is archived; restore it first.`);
          if (current.deprecatedAt) throw new AppError("CONFLICT", `Flag '${key}' is already deprecated.`);
          data = { deprecatedAt: at };
        } else if (to === "archived") {
          if (current.archivedAt) throw new AppError("CONFLICT", `Flag '${key}' is already archived.`);
          // Under the graph lock: no edit can make this flag a prerequisite while it is archived.
          await repo.lockDependencyGraph(tx, workspaceId);
          const dependants = await repo.dependants(tx, workspaceId, key);
          if (dependants.length > 0) {
            throw new AppError("HAS_DEPENDANTS", `Flag '${key}' is a prerequisite of ${dependants.map((d) => `'${d}'`).join(", ")}; change those first.`, {
              details: { dependants },
            });
          }
          data = { archivedAt: at };
        } else {
          if (!current.archivedAt && !current.deprecatedAt) throw new AppError("CONFLICT", `Flag '${key}' is neither deprecated nor archived.`);
          await repo.lockDependencyGraph(tx, workspaceId);
          const graph = await repo.dependencyGraph(tx, workspaceId);
          const archived = current.dependsOn.filter((dep) => graph.find((f) => f.key === dep)?.archivedAt);
          if (archived.length > 0) {
            throw new AppError("DEPENDENCY_NOT_MET", `Restore its prerequisites first: ${archived.map((d) => `'${d}'`).join(", ")}.`, {
              details: { prerequisites: archived },
            });
          }
          data = { deprecatedAt: null, archivedAt: null };
        }
        const updated = await repo.write(tx, workspaceId, current.id, data);
        const before = { deprecatedAt: current.deprecatedAt?.toISOString() ?? null, archivedAt: current.archivedAt?.toISOString() ?? null };
        const after = { deprecatedAt: updated.deprecatedAt?.toISOString() ?? null, archivedAt: updated.archivedAt?.toISOString() ?? null };
        await w.audit(actor, { workspaceId, action: `flag.${to}`, targetType: "flag", targetId: current.id, targetKey: key, ...changes(before, after) });
        await w.bump(undefined, { flags: [current.id] });
        return view(tx, workspaceId, updated);
      });
    },
  };
}

export type FlagsService = ReturnType<typeof createFlagsService>;
