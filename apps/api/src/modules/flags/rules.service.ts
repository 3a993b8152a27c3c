import type { CreateRuleBody, UpdateRuleBody } from "@ensign/contracts/flags";
import { LIMITS } from "@ensign/contracts/targeting";
import type { Actor } from "../../infra/audit";
import { changes } from "../../infra/audit";
import type { Writer } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import { toStateResponse } from "./flag-responses";
import type { StoredRule } from "./flag-states.repository";
import type { RulesRepository } from "./flag-state.repository";
import { changeState, checkTargeting, loadTarget, type StateTarget } from "./state-writes";
import { createEnvironmentLimits, type EnvironmentLimitsChecker } from "../../infra/environment-limits";

const audited = (rule: StoredRule | undefined) => rule && { id: rule.id, position: rule.position, name: rule.name, conditions: rule.conditions, serve: rule.serve };

function ruleOf(target: StateTarget, ruleId: string): StoredRule {
  const rule = target.state.rules.find((r) => r.id === ruleId);
  if (!rule) throw notFound(`Rule '${ruleId}' of '${target.flag.key}' in ${target.environment.key}`);
  return rule;
}

/** Targeting rules of a flag state. Every write moves the state's version (one version covers state and rules). */
export function createRulesService({
  writing,
  repo,
  limits = createEnvironmentLimits(),
}: {
  writing: Writer;
  repo: RulesRepository;
  limits?: Pick<EnvironmentLimitsChecker, "assertEnvironments">;
}) {
  return {
    /** Adds a rule at `position` (appended when absent). Deprecated flags take no new rules. */
    add(workspaceId: string, flagKey: string, envKey: string, expectedVersion: number, body: CreateRuleBody, actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await loadTarget(tx, workspaceId, flagKey, envKey, true, repo);
        if (target.flag.deprecatedAt) throw new AppError("FLAG_DEPRECATED", `Flag '${flagKey}' is deprecated: it takes no new rules.`);
        if (target.state.rules.length >= LIMITS.rulesPerFlag) {
          throw new AppError("CONFLICT", `A flag state holds at most ${LIMITS.rulesPerFlag} rules.`);
        }
        const { position: asked, ...rule } = body;
        const position = Math.min(asked ?? target.state.rules.length, target.state.rules.length);
        await checkTargeting(tx, workspaceId, target.flag, { rules: [{ rule, path: "body" }] }, "body", repo);
        let ruleId = "";
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_rule.created",
          apply: async () => {
            ruleId = await repo.insertRule(tx, workspaceId, target.state.id, position, rule);
          },
          describe: (_before, after) => ({ after: audited(after.rules.find((r) => r.id === ruleId)) }),
        }, limits, repo);
        return { state: toStateResponse(target.flag.key, target.environment.key, state), ruleId };
      });
    },

    update(workspaceId: string, flagKey: string, envKey: string, ruleId: string, expectedVersion: number, body: UpdateRuleBody, actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await loadTarget(tx, workspaceId, flagKey, envKey, true, repo);
        ruleOf(target, ruleId);
        await checkTargeting(tx, workspaceId, target.flag, { rules: [{ rule: { conditions: body.conditions, serve: body.serve }, path: "body" }] }, "body", repo);
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_rule.updated",
          apply: () => repo.updateRule(tx, workspaceId, ruleId, body),
          describe: (before, after) => {
            const diff = changes(audited(before.rules.find((r) => r.id === ruleId))!, audited(after.rules.find((r) => r.id === ruleId))!);
            return { before: { id: ruleId, ...diff.before }, after: { id: ruleId, ...diff.after } };
          },
        }, limits, repo);
        return { state: toStateResponse(target.flag.key, target.environment.key, state) };
      });
    },

    remove(workspaceId: string, flagKey: string, envKey: string, ruleId: string, expectedVersion: number, actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await loadTarget(tx, workspaceId, flagKey, envKey, true, repo);
        const rule = ruleOf(target, ruleId);
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_rule.deleted",
          apply: () => repo.deleteRule(tx, workspaceId, target.state.id, rule),
          describe: () => ({ before: audited(rule) }),
        }, undefined, repo);
        return { state: toStateResponse(target.flag.key, target.environment.key, state) };
      });
    },

    /** `ruleIds` must be exactly the current rules, in their new order. */
    reorder(workspaceId: string, flagKey: string, envKey: string, expectedVersion: number, ruleIds: string[], actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await loadTarget(tx, workspaceId, flagKey, envKey, true, repo);
        const current = target.state.rules.map((r) => r.id);
        const same = ruleIds.length === current.length && new Set(ruleIds).size === ruleIds.length && ruleIds.every((id) => current.includes(id));
        if (!same) {
          throw invalid("ruleIds must list every current rule exactly once.", [
            { path: "body.ruleIds", message: `must be exactly the current rules (${current.length}) in the new order` },
          ]);
        }
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_rules.reordered",
          apply: () => repo.reorderRules(tx, workspaceId, target.state.id, ruleIds),
          describe: (before, after) => ({ before: { order: before.rules.map((r) => r.id) }, after: { order: after.rules.map((r) => r.id) } }),
        }, undefined, repo);
        return { state: toStateResponse(target.flag.key, target.environment.key, state) };
      });
    },
  };
}

export type RulesService = ReturnType<typeof createRulesService>;
