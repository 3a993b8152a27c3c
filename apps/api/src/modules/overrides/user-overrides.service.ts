import type {
  EnvironmentUserOverrideList,
  ListEnvironmentUserOverridesQuery,
  ListUserOverridesQuery,
  SetUserOverrideBody,
  UserOverrideListResponse,
  UserOverrideResponse,
} from "@ensign/contracts/overrides";
import type { Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { EnvironmentLimitsChecker } from "../../infra/environment-limits";
import { AppError, notFound } from "../../infra/errors";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import type { Write, Writer } from "../../infra/writer";
import type { UserOverrideRow } from "./overrides.repository";
import { flagInEnvironment, requireFutureExpiry, requireVariant, toUserOverrideResponse } from "./overrides.rules";
import type { UserOverridesRepository } from "./user-overrides.repository";

export interface UserOverridesServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: UserOverridesRepository;
  limits: Pick<EnvironmentLimitsChecker, "assertEnvironments">;
  now?: () => number;
}

export interface UserOverrideRef {
  flag: string;
  env: string;
  userKey: string;
}

const audited = (row: Pick<UserOverrideRow, "userKey" | "variant" | "expiresAt">) => ({
  userKey: row.userKey,
  variant: row.variant,
  expiresAt: row.expiresAt?.toISOString() ?? null,
});

/** Overrides of one flag for one user key in one environment, optionally expiring. */
export function createUserOverridesService({ reading, writing, repo, limits, now = Date.now }: UserOverridesServiceDeps) {
  async function resolve(tx: Tx, workspaceId: string, ref: UserOverrideRef, isWrite: boolean) {
    const { flag, environment } = await flagInEnvironment(tx, workspaceId, ref.flag, ref.env, { isWrite }, repo);
    const current = await repo.find(tx, workspaceId, flag.id, environment.id, ref.userKey);
    return { flag, environment, current };
  }

  const what = (ref: UserOverrideRef) => `The override of '${ref.flag}' for user '${ref.userKey}' in '${ref.env}'`;

  function audit(w: Write, target: Awaited<ReturnType<typeof resolve>>, id: string, action: string, before: unknown, after: unknown, actor: Actor) {
    return w.audit(actor, {
      workspaceId: w.workspaceId,
      environment: target.environment,
      action,
      targetType: "user_override",
      targetId: id,
      targetKey: target.flag.key,
      before,
      after,
    });
  }

  return {
    async list(workspaceId: string, flagKey: string, envKey: string, query: ListUserOverridesQuery): Promise<UserOverrideListResponse> {
      return reading(workspaceId, async (tx) => {
        const { flag, environment } = await flagInEnvironment(tx, workspaceId, flagKey, envKey, { isWrite: false }, repo);
        const filter = { flagId: flag.id, environmentId: environment.id, search: query.search };
        const { total, items } = await repo.list(tx, workspaceId, filter, (query.page - 1) * query.pageSize, query.pageSize);
        const at = now();
        return { items: items.map((row) => toUserOverrideResponse(row, flag.key, environment.key, at)), total, page: query.page, pageSize: query.pageSize };
      });
    },

    /** The user overrides page: every live flag's user overrides in one environment, searchable by user key. */
    async listInEnvironment(workspaceId: string, envKey: string, query: ListEnvironmentUserOverridesQuery): Promise<EnvironmentUserOverrideList> {
      return reading(workspaceId, async (tx) => {
        const environment = await repo.findEnvironment(tx, workspaceId, envKey);
        if (!environment) throw notFound(`Environment '${envKey}'`);
        const at = now();
        const filter = { environmentId: environment.id, flagKey: query.flag, search: query.q, liveAt: query.expired === false ? new Date(at) : undefined };
        const { total, items } = await repo.listInEnvironment(tx, workspaceId, filter, (query.page - 1) * query.pageSize, query.pageSize);
        return {
          items: items.map((row) => ({ ...toUserOverrideResponse(row, row.flag.key, environment.key, at), flagName: row.flag.name })),
          total,
          page: query.page,
          pageSize: query.pageSize,
        };
      });
    },

    async get(workspaceId: string, ref: UserOverrideRef): Promise<UserOverrideResponse> {
      return reading(workspaceId, async (tx) => {
        const { current } = await resolve(tx, workspaceId, ref, false);
        if (!current) throw notFound(what(ref));
        return toUserOverrideResponse(current, ref.flag, ref.env, now());
      });
    },

    /** Sets the user's override; an existing one needs `If-Match`. */
    async set(workspaceId: string, ref: UserOverrideRef, body: SetUserOverrideBody, expected: number | undefined, actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await resolve(tx, workspaceId, ref, true);
        const { flag, environment, current } = target;
        if (current && expected === undefined) {
          throw new AppError("PRECONDITION_REQUIRED", `${what(ref)} exists: send If-Match with the version you read, e.g. If-Match: "${current.version}".`);
        }
        if (expected !== undefined && (current?.version ?? 0) !== expected) throw staleVersion(what(ref), current?.version ?? 0);
        requireVariant(flag, body.variant);
        const data = { variant: body.variant, expiresAt: requireFutureExpiry(body.expiresAt, now()), updatedBy: actor.email ?? null };
        if (current && JSON.stringify(audited(current)) === JSON.stringify(audited({ userKey: ref.userKey, ...data }))) {
          return { override: toUserOverrideResponse(current, flag.key, environment.key, now()), isCreated: false };
        }
        let row: UserOverrideRow;
        if (current) {
          if (!(await repo.update(tx, workspaceId, current.id, current.version, data))) throw staleVersion(what(ref), current.version + 1);
          row = (await repo.find(tx, workspaceId, flag.id, environment.id, ref.userKey))!;
        } else {
          row = await translating(what(ref), () => repo.create(tx, workspaceId, { flagId: flag.id, environmentId: environment.id, userKey: ref.userKey }, data));
          await limits.assertEnvironments(tx, [environment.id]);
        }
        await audit(w, target, row.id, "user_override.set", current ? audited(current) : null, audited(row), actor);
        await w.bump([environment.id], { flags: [flag.id] });
        return { override: toUserOverrideResponse(row, flag.key, environment.key, now()), isCreated: !current };
      });
    },

    /** Clears the user's override; `If-Match` is optional. */
    async clear(workspaceId: string, ref: UserOverrideRef, expected: number | undefined, actor: Actor): Promise<void> {
      await writing(workspaceId, async (tx, w) => {
        const target = await resolve(tx, workspaceId, ref, true);
        const current = target.current;
        if (!current) throw notFound(what(ref));
        if (expected !== undefined && current.version !== expected) throw staleVersion(what(ref), current.version);
        if (!(await repo.delete(tx, workspaceId, current.id, current.version))) throw staleVersion(what(ref), current.version + 1);
        await audit(w, target, current.id, "user_override.cleared", audited(current), null, actor);
        await w.bump([target.environment.id], { flags: [target.flag.id] });
      });
    },
  };
}

export type UserOverridesService = ReturnType<typeof createUserOverridesService>;
