import type { CopyFlagStateBody, FlagStateResponse, UpdateFlagStateBody } from "@ensign/contracts/flags";
import type { PrismaClient } from "../../generated/prisma/client";
import { type Actor } from "../../infra/audit";
import { inWorkspace } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { AppError, invalid } from "../../infra/errors";
import { auditedState, toStateResponse } from "./flag-responses";
import { flagStatesRepository as states } from "./flag-states.repository";
import { changeState, checkTargeting, loadTarget } from "./state-writes";
import { createEnvironmentLimits, type EnvironmentLimitsChecker } from "../../infra/environment-limits";

const unique = (keys: string[] | undefined) => (keys ? [...new Set(keys)] : undefined);

export function createFlagStateService({
  prisma,
  writing,
  limits = createEnvironmentLimits(),
}: {
  prisma: PrismaClient;
  writing: Writer;
  limits?: EnvironmentLimitsChecker;
}) {
  return {
    get(workspaceId: string, flagKey: string, envKey: string): Promise<FlagStateResponse> {
      return inWorkspace(prisma, workspaceId, async (tx) => {
        const { flag, environment, state } = await loadTarget(tx, workspaceId, flagKey, envKey, false);
        return toStateResponse(flag.key, environment.key, state);
      });
    },

    /** Kill switch, fallthrough, allow and deny lists: missing fields stay as they are. */
    update(workspaceId: string, flagKey: string, envKey: string, expectedVersion: number, body: UpdateFlagStateBody, actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await loadTarget(tx, workspaceId, flagKey, envKey, true);
        const data = { ...body, tenantAllow: unique(body.tenantAllow), tenantDeny: unique(body.tenantDeny) };
        // The lists are checked together, as they will be after the write.
        await checkTargeting(tx, workspaceId, target.flag, {
          fallthrough: data.fallthrough,
          tenantAllow: data.tenantAllow ?? (data.tenantDeny ? target.state.tenantAllow : undefined),
          tenantDeny: data.tenantDeny ?? (data.tenantAllow ? target.state.tenantDeny : undefined),
        });
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_state.updated",
          apply: () => states.update(tx, workspaceId, target.state.id, data),
        }, limits);
        return toStateResponse(target.flag.key, target.environment.key, state);
      });
    },

    /** The inline switch of the flags table. */
    toggle(workspaceId: string, flagKey: string, envKey: string, expectedVersion: number, enabled: boolean, actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await loadTarget(tx, workspaceId, flagKey, envKey, true);
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_state.toggled",
          apply: () => states.update(tx, workspaceId, target.state.id, { enabled }),
          describe: (before, after) => ({ before: { enabled: before.enabled }, after: { enabled: after.enabled } }),
        });
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
        const source = await loadTarget(tx, workspaceId, flagKey, body.from, false);
        const target = await loadTarget(tx, workspaceId, flagKey, body.to, true);
        const rules = source.state.rules;
        if (target.flag.deprecatedAt && rules.length > 0) {
          throw new AppError("FLAG_DEPRECATED", `Flag '${flagKey}' is deprecated: copying would add rules to ${body.to}.`);
        }
        const state = await changeState(w, target, expectedVersion, actor, {
          action: "flag_state.copied",
          apply: async () => {
            const { enabled, fallthrough, tenantAllow, tenantDeny } = source.state;
            await states.update(tx, workspaceId, target.state.id, { enabled, fallthrough, tenantAllow, tenantDeny });
            await states.replaceRules(tx, workspaceId, target.state.id, rules);
          },
          describe: (before, after) => ({ before: auditedState(before), after: { ...auditedState(after), copiedFrom: body.from } }),
        }, limits);
        return toStateResponse(target.flag.key, target.environment.key, state);
      });
    },
  };
}

export type FlagStateService = ReturnType<typeof createFlagStateService>;
