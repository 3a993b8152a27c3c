import type { CopyFlagStateBody, FlagStateResponse, UpdateFlagStateBody } from "@ensign/contracts/flags";
import { type Actor } from "../../infra/audit";
import type { Reader } from "../../infra/db/scoped";
import type { EnvironmentLimitsChecker } from "../../infra/environment-limits";
import type { Writer } from "../../infra/writer";
import { AppError, invalid } from "../../infra/errors";
import { auditedState, toStateResponse } from "./flag-responses";
import type { FlagStateRepository } from "./flag-state.repository";
import { changeState, checkTargeting, loadTarget } from "./state-writes";

const unique = (keys: string[] | undefined) => (keys ? [...new Set(keys)] : undefined);

export interface FlagStateServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: FlagStateRepository;
  limits: Pick<EnvironmentLimitsChecker, "assertEnvironments">;
}

/** A flag's state in one environment: kill switch, fallthrough, allow and deny lists, and copies between environments. */
export function createFlagStateService({ reading, writing, repo, limits }: FlagStateServiceDeps) {
  return {
    get(workspaceId: string, flagKey: string, envKey: string): Promise<FlagStateResponse> {
      return reading(workspaceId, async (tx) => {
        const { flag, environment, state } = await loadTarget(tx, workspaceId, flagKey, envKey, false, repo);
        return toStateResponse(flag.key, environment.key, state);
      });
    },

    /** Kill switch, fallthrough, allow and deny lists: missing fields stay as they are. */
    update(workspaceId: string, flagKey: string, envKey: string, expectedVersion: number, body: UpdateFlagStateBody, actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await loadTarget(tx, workspaceId, flagKey, envKey, true, repo);
        const data = { ...body, tenantAllow: unique(body.tenantAllow), tenantDeny: unique(body.tenantDeny) };
        // The lists are checked together, as they will be after the write.
        await checkTargeting(tx, workspaceId, target.flag, {
          fallthrough: data.fallthrough,
          tenantAllow: data.tenantAllow ?? (data.tenantDeny ? target.state.tenantAllow : undefined),
          tenantDeny: data.tenantDeny ?? (data.tenantAllow ? target.state.tenantDeny : undefined),
        }, "body", repo);
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_state.updated",
          apply: () => repo.update(tx, workspaceId, target.state.id, data),
        }, limits, repo);
        return toStateResponse(target.flag.key, target.environment.key, state);
      });
    },

    /** The inline switch of the flags table. */
    toggle(workspaceId: string, flagKey: string, envKey: string, expectedVersion: number, enabled: boolean, actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await loadTarget(tx, workspaceId, flagKey, envKey, true, repo);
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_state.toggled",
          apply: () => repo.update(tx, workspaceId, target.state.id, { enabled }),
          describe: (before, after) => ({ before: { enabled: before.enabled }, after: { enabled: after.enabled } }),
        }, undefined, repo);
        return toStateResponse(target.flag.key, target.environment.key, state);
      });
    },

    /**
     * Makes the state in `to` a copy of the state in `from`: enabled, fallthrough, allow and deny
     * lists, and rules (with new ids). `expectedVersion` is the version of the state in `to`.
     */
    copy(workspaceId: string, flagKey: string, expectedVersion: number, body: CopyFlagStateBody, actor: Actor) {
      if (body.from === body.to) throw invalid("Copy between two different environments.", [{ path: "body.to", message: "must differ from 'from'" }]);
      return writing(workspaceId, async (tx, w) => {
        const source = await loadTarget(tx, workspaceId, flagKey, body.from, false, repo);
        const target = await loadTarget(tx, workspaceId, flagKey, body.to, true, repo);
        const rules = source.state.rules;
        if (target.flag.deprecatedAt && rules.length > 0) {
          throw new AppError("FLAG_DEPRECATED", `Flag '${flagKey}' is deprecated: copying would add rules to ${body.to}.`);
        }
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_state.copied",
          apply: async () => {
            const { enabled, fallthrough, tenantAllow, tenantDeny } = source.state;
            await repo.update(tx, workspaceId, target.state.id, { enabled, fallthrough, tenantAllow, tenantDeny });
            await repo.replaceRules(tx, workspaceId, target.state.id, rules);
          },
          describe: (before, after) => ({ before: auditedState(before), after: { ...auditedState(after), copiedFrom: body.from } }),
        }, limits, repo);
        return toStateResponse(target.flag.key, target.environment.key, state);
      });
    },
  };
}

export type FlagStateService = ReturnType<typeof createFlagStateService>;
