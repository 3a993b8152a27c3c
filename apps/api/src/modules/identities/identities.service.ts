import type { Page } from "@ensign/contracts/common";
import { MAX_TRAITS, type IdentityResponse, type IdentityTraitStats, type ListIdentitiesQuery } from "@ensign/contracts/identities";
import type { JsonValue } from "@ensign/contracts/targeting";
import type { PrismaClient } from "../../generated/prisma/client";
import type { Actor } from "../../infra/audit";
import { inWorkspace, type Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import { iso, pageFrom } from "../../infra/paging";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import { environmentsRepository as environments } from "../environments/environments.repository";
import { requireEnvironment } from "../environments/environments.service";
import { contextIssue } from "../evaluation/context-limits";
import { identitiesRepository as repo, type IdentityRow, type Traits } from "./identities.repository";
import type { TraitsCache } from "./traits-cache";

/** Values of a trait listed one by one in its statistics; the rest are counted together. */
const TRAIT_VALUES_SHOWN = 50;

export function toIdentityResponse(row: IdentityRow, environment: string): IdentityResponse {
  return {
    id: row.id,
    key: row.key,
    environment,
    traits: row.traits as Record<string, JsonValue>,
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** JSON with object keys sorted: PostgreSQL's jsonb keeps its own key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * How a traits write meets concurrent ones. Without either option the newest write wins: a
 * customer's backend (`PUT /v1/identities/:key/traits`, server key) states facts as they happen.
 */
export interface SetTraitsOptions {
  /** The version the write is based on (`If-Match`); when given and stale, 412. */
  expectedVersion?: number;
  /** Admin writes to an existing identity must name the version they read (428 without). */
  requireVersion?: boolean;
}

/**
 * Identity traits of one environment: the one place they are read and written, for the admin
 * API (environment by key, If-Match) and for the server-key route (the key's environment, last
 * write wins). Traits obey the context limits (they are merged into every context of their
 * user); a write that changes nothing writes nothing; every other write is audited and, once
 * committed, goes through the traits cache: held by this replica, written through to Redis and
 * announced to the others. Traits are not part of the environment's snapshot, so a traits
 * write leaves the snapshot version alone.
 */
export function createIdentitiesService({ prisma, writing, traits: traitsCache }: { prisma: PrismaClient; writing: Writer; traits: TraitsCache }) {
  async function requireIdentity(tx: Tx, workspaceId: string, environmentId: string, key: string) {
    const row = await repo.find(tx, workspaceId, environmentId, key);
    if (!row) throw notFound(`Identity '${key}'`);
    return row;
  }

  /**
   * The one traits write: reads the identity, computes its next traits from the current ones,
   * and writes them with their audit entry and the environment's bump in one transaction.
   */
  async function writeTraits(
    workspaceId: string,
    environmentRef: string | { id: string },
    key: string,
    nextTraits: (current: Record<string, JsonValue> | undefined) => Record<string, JsonValue>,
    actor: Actor,
    options: SetTraitsOptions & { mergeOnVersion?: boolean },
    replacedAction: string,
  ): Promise<{ identity: IdentityResponse; created: boolean }> {
    const isLastWriteWins = options.expectedVersion === undefined && !options.requireVersion && !options.mergeOnVersion;
    const { row, created, isChanged, environment, traits } = await translating(`Identity '${key}'`, () =>
      writing(workspaceId, async (tx, w) => {
        const environment = await requireEnvironment(environments, tx, workspaceId, environmentRef);
        const current = await repo.find(tx, workspaceId, environment.id, key);
        if (current && options.requireVersion && options.expectedVersion === undefined) {
          throw new AppError("PRECONDITION_REQUIRED", `Identity '${key}' exists: send If-Match with the version you read, e.g. If-Match: "${current.version}".`);
        }
        if (current && options.expectedVersion !== undefined && current.version !== options.expectedVersion) {
          throw staleVersion(`Identity '${key}'`, current.version);
        }
        const traits = nextTraits(current?.traits as Record<string, JsonValue> | undefined);
        const issue = contextIssue(traits) ?? (Object.keys(traits).length > MAX_TRAITS ? `at most ${MAX_TRAITS} traits` : undefined);
        if (issue) throw invalid(`The traits are not valid: ${issue}.`, [{ path: "body.traits", message: issue }]);
        // The same traits again: nothing to record, no snapshot churn.
        if (current && canonical(current.traits) === canonical(traits)) return { row: current, created: false, isChanged: false, environment, traits };
        let row: IdentityRow;
        if (isLastWriteWins) {
          row = await repo.upsert(tx, workspaceId, environment.id, key, traits as Traits);
        } else if (!current) {
          row = await repo.create(tx, workspaceId, environment.id, key, traits as Traits);
        } else {
          const updated = await repo.replaceTraits(tx, workspaceId, current.id, traits as Traits, options.expectedVersion ?? (options.mergeOnVersion ? current.version : undefined));
          if (!updated) throw staleVersion(`Identity '${key}'`, current.version);
          row = updated;
        }
        await w.audit(actor, {
          workspaceId,
          environment,
          action: current ? replacedAction : "identity.created",
          targetType: "identity",
          targetId: row.id,
          targetKey: key,
          before: current ? { traits: current.traits } : null,
          after: { traits: row.traits },
        });
        // The environment's first identity: its snapshot learns that traits must now be looked up.
        const isFirst = !current && (await repo.countUpTo(tx, workspaceId, environment.id, 2)) === 1;
        if (isFirst) await w.bump([environment.id]);
        return { row, created: !current, isChanged: true, environment, traits };
      }),
    );
    if (isChanged) await traitsCache.written({ workspaceId, environmentId: environment.id, environmentKey: environment.key, key, traits });
    return { identity: toIdentityResponse(row, environment.key), created };
  }

  return {
    async list(workspaceId: string, environmentKey: string, query: ListIdentitiesQuery): Promise<Page<IdentityResponse>> {
      const { rows, total } = await inWorkspace(prisma, workspaceId, async (tx) => {
        const environment = await requireEnvironment(environments, tx, workspaceId, environmentKey);
        return repo.list(tx, workspaceId, environment.id, query);
      });
      return pageFrom(rows.map((row) => toIdentityResponse(row, environmentKey)), total, query);
    },

    /** How the environment's identities spread over the values of one trait. */
    async traitStats(workspaceId: string, environmentKey: string, trait: string): Promise<IdentityTraitStats> {
      const { values, total, withTrait } = await inWorkspace(prisma, workspaceId, async (tx) => {
        const environment = await requireEnvironment(environments, tx, workspaceId, environmentKey);
        return repo.traitStats(tx, workspaceId, environment.id, trait, TRAIT_VALUES_SHOWN);
      });
      const shown = values.reduce((sum, row) => sum + row.count, 0);
      return { trait, total, missing: total - withTrait, values: values as IdentityTraitStats["values"], other: withTrait - shown };
    },

    async get(workspaceId: string, environmentKey: string, key: string): Promise<IdentityResponse> {
      const row = await inWorkspace(prisma, workspaceId, async (tx) => {
        const environment = await requireEnvironment(environments, tx, workspaceId, environmentKey);
        return requireIdentity(tx, workspaceId, environment.id, key);
      });
      return toIdentityResponse(row, environmentKey);
    },

    /**
     * Replaces an identity's traits, creating the identity when the key is new. `environment` is
     * the environment's key, or `{id}` for an API key's own environment.
     */
    setTraits(
      workspaceId: string,
      environmentRef: string | { id: string },
      key: string,
      traits: Record<string, JsonValue>,
      actor: Actor,
      options: SetTraitsOptions = {},
    ): Promise<{ identity: IdentityResponse; created: boolean }> {
      return writeTraits(workspaceId, environmentRef, key, () => traits, actor, options, "identity.traits_replaced");
    },

    /**
     * Merges `patch` into an identity's traits (`null` removes a trait), creating the identity
     * when the key is new. Concurrent patches of different traits all take effect: without
     * `expectedVersion`, a patch that meets a newer version is merged again into that one.
     */
    async patchTraits(
      workspaceId: string,
      environmentRef: string | { id: string },
      key: string,
      patch: Record<string, JsonValue | null>,
      actor: Actor,
      options: Pick<SetTraitsOptions, "expectedVersion"> = {},
    ): Promise<{ identity: IdentityResponse; created: boolean }> {
      const merge = (current: Record<string, JsonValue> | undefined) => {
        const next: Record<string, JsonValue> = { ...current };
        for (const [name, value] of Object.entries(patch)) {
          if (value === null) delete next[name];
          else next[name] = value;
        }
        return next;
      };
      for (let attempt = 1; ; attempt++) {
        try {
          return await writeTraits(workspaceId, environmentRef, key, merge, actor, { ...options, mergeOnVersion: true }, "identity.traits_patched");
        } catch (error) {
          // Another write got in between the read and ours: merge again into what it left.
          const raced = error instanceof AppError && (error.code === "VERSION_MISMATCH" || error.code === "ALREADY_EXISTS");
          if (!raced || options.expectedVersion !== undefined || attempt >= 5) throw error;
        }
      }
    },

    /** Reads an identity's traits in an API key's own environment (404 when the key has none). */
    async traitsOf(workspaceId: string, environmentId: string, key: string): Promise<IdentityResponse> {
      const { row, environment } = await inWorkspace(prisma, workspaceId, async (tx) => {
        const environment = await requireEnvironment(environments, tx, workspaceId, { id: environmentId });
        return { row: await requireIdentity(tx, workspaceId, environment.id, key), environment };
      });
      return toIdentityResponse(row, environment.key);
    },

    async delete(workspaceId: string, environmentKey: string, key: string, expectedVersion: number, actor: Actor): Promise<void> {
      const environment = await writing(workspaceId, async (tx, w) => {
        const environment = await requireEnvironment(environments, tx, workspaceId, environmentKey);
        const current = await requireIdentity(tx, workspaceId, environment.id, key);
        if (!(await repo.delete(tx, workspaceId, current.id, expectedVersion))) throw staleVersion(`Identity '${key}'`, current.version);
        await w.audit(actor, {
          workspaceId,
          environment,
          action: "identity.deleted",
          targetType: "identity",
          targetId: current.id,
          targetKey: key,
          before: { traits: current.traits },
        });
        return environment;
      });
      await traitsCache.written({ workspaceId, environmentId: environment.id, environmentKey: environment.key, key, traits: null });
    },
  };
}

export type IdentitiesService = ReturnType<typeof createIdentitiesService>;
