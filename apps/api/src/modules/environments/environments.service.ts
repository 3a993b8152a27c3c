import type { Role } from "@ensign/contracts/auth";
import type { Page } from "@ensign/contracts/common";
import type {
  ContextSecretResponse,
  CreateEnvironmentBody,
  EnvironmentResponse,
  ListEnvironmentsQuery,
  UpdateEnvironmentBody,
} from "@ensign/contracts/environments";
import type { MasterSwitchState, SetMasterSwitchBody } from "@ensign/contracts/master-switch";
import { changes, type Actor } from "../../infra/audit";
import type { EnvironmentChange } from "../../infra/changes";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import { outboundUrlProblem, parseOutboundAllow, type OutboundPolicy } from "../../infra/outbound";
import { iso, pageFrom } from "../../infra/paging";
import { staleVersion } from "../../infra/versioning";
import { generateSigningSecret } from "../auth/secrets";
import type { EnvironmentRow, EnvironmentsRepository } from "./environments.repository";

export interface EnvironmentsServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: EnvironmentsRepository;
  /** Where a JWKS URL may point (not at loopback, private or link-local addresses, unless allowed). */
  outbound?: OutboundPolicy;
}

/**
 * Opting an environment out of signed context tokens lets any holder of its public client key
 * read any tenant's or user's flags, so only owners may do it; admins may only switch it on.
 */
function requireOwnerToOptOut(callerRole: Role, requireContextToken: boolean | undefined, key: string) {
  if (requireContextToken !== false || callerRole === "owner") return;
  throw new AppError(
    "FORBIDDEN",
    `Only owners may let client keys of '${key}' evaluate without a signed context token: any holder of the public key could then read any tenant's flags.`,
  );
}

/** The columns an environment's master switch is stored in. */
export interface MasterSwitchColumns {
  masterSwitchOn: boolean;
  masterSwitchReason: string | null;
  masterSwitchChangedAt: Date | null;
  masterSwitchChangedBy: string | null;
}

/** An environment row's master switch columns as the read shape tells them, and the rest of the row. */
export function withMasterSwitch<T extends MasterSwitchColumns>(row: T): Omit<T, keyof MasterSwitchColumns> & { masterSwitch: MasterSwitchState } {
  const { masterSwitchOn, masterSwitchReason, masterSwitchChangedAt, masterSwitchChangedBy, ...rest } = row;
  return {
    ...rest,
    masterSwitch: { enabled: masterSwitchOn, reason: masterSwitchReason, changedAt: masterSwitchChangedAt?.toISOString() ?? null, changedBy: masterSwitchChangedBy },
  };
}

export function toEnvironmentResponse(row: EnvironmentRow): EnvironmentResponse {
  return { ...withMasterSwitch(row), createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}

/** What the audit log keeps of an environment: never its signing secret. */
const audited = (row: EnvironmentRow) => ({
  key: row.key,
  name: row.name,
  color: row.color,
  sortOrder: row.sortOrder,
  contextIssuer: row.contextIssuer,
  contextJwksUrl: row.contextJwksUrl,
  requireContextToken: row.requireContextToken,
  isProduction: row.isProduction,
  exposedHeaders: row.exposedHeaders,
});

/** Where an environment is looked up by key or id. */
export type EnvironmentLookups = Pick<EnvironmentsRepository, "findByKey" | "findById">;

/** The environment named by the path (its key) or by an API key (`{id}`), or a 404. */
export async function requireEnvironment(repo: EnvironmentLookups, tx: Tx, workspaceId: string, ref: string | { id: string }): Promise<EnvironmentRow> {
  const row = typeof ref === "string" ? await repo.findByKey(tx, workspaceId, ref) : await repo.findById(tx, workspaceId, ref.id);
  if (!row) throw notFound(typeof ref === "string" ? `Environment '${ref}'` : "The environment");
  return row;
}

export function createEnvironmentsService({ reading, writing, repo, outbound = parseOutboundAllow(undefined) }: EnvironmentsServiceDeps) {
  const requireByKey = (tx: Tx, workspaceId: string, key: string) => requireEnvironment(repo, tx, workspaceId, key);
  const target = (row: { id: string; key: string }) => ({ targetType: "environment", targetId: row.id, targetKey: row.key, environment: row });

  return {
    async list(workspaceId: string, query: ListEnvironmentsQuery): Promise<Page<EnvironmentResponse>> {
      const { rows, total } = await reading(workspaceId, (tx) => repo.list(tx, workspaceId, query));
      return pageFrom(rows.map(toEnvironmentResponse), total, query);
    },

    async get(workspaceId: string, key: string): Promise<EnvironmentResponse> {
      return toEnvironmentResponse(await reading(workspaceId, (tx) => requireByKey(tx, workspaceId, key)));
    },

    /** A new environment: a fresh signing secret, and every existing flag's state there, off. */
    async create(workspaceId: string, callerRole: Role, body: CreateEnvironmentBody, actor: Actor): Promise<EnvironmentResponse> {
      requireOwnerToOptOut(callerRole, body.requireContextToken, body.key);
      const created = await writing(workspaceId, async (tx, w) => {
        await repo.lockWorkspace(tx, workspaceId);
        const row = await repo.create(tx, workspaceId, {
          key: body.key,
          name: body.name,
          color: body.color ?? null,
          sortOrder: body.sortOrder ?? (await repo.nextSortOrder(tx, workspaceId)),
          contextSecret: generateSigningSecret(),
          requireContextToken: body.requireContextToken ?? true,
          isProduction: body.isProduction ?? body.key === "production",
        });
        if (!row) throw new AppError("ALREADY_EXISTS", `Environment '${body.key}' already exists.`);
        const flagStates = await repo.createDefaultStates(tx, workspaceId, row.id);
        await w.audit(actor, { workspaceId, action: "environment.created", ...target(row), after: { ...audited(row), flagStates } });
        w.announce(changeOf(workspaceId, row));
        return row;
      });
      return toEnvironmentResponse(created);
    },

    async update(workspaceId: string, callerRole: Role, key: string, expectedVersion: number, body: UpdateEnvironmentBody, actor: Actor): Promise<EnvironmentResponse> {
      // Only the context-token settings and exposed headers change what evaluation does; names and order do not.
      const affectsEvaluation =
        body.contextIssuer !== undefined || body.contextJwksUrl !== undefined || body.requireContextToken !== undefined || body.exposedHeaders !== undefined;
      if (body.contextJwksUrl) {
        const problem = await outboundUrlProblem(body.contextJwksUrl, outbound);
        if (problem) throw invalid(`The JWKS URL cannot be used: ${problem}. Set OUTBOUND_ALLOW to reach an on-premises identity provider.`, [{ path: "body.contextJwksUrl", message: problem }]);
      }
      const row = await writing(workspaceId, async (tx, w) => {
        const current = await requireByKey(tx, workspaceId, key);
        if (current.requireContextToken) requireOwnerToOptOut(callerRole, body.requireContextToken, key);
        const updated = await repo.update(tx, workspaceId, current.id, expectedVersion, body);
        if (!updated) throw staleVersion(`Environment '${key}'`, current.version);
        const diff = changes(audited(current), body);
        await w.audit(actor, { workspaceId, action: "environment.updated", ...target(current), ...diff });
        if (affectsEvaluation) await w.bump([current.id]);
        return (await repo.findByKey(tx, workspaceId, key)) ?? updated;
      });
      return toEnvironmentResponse(row);
    },

    /**
     * Deletes an environment and, by cascade, its flag states and rules, overrides, identities,
     * schedules and API keys. The caller confirms with the key; the last environment stays.
     */
    async delete(workspaceId: string, key: string, expectedVersion: number, confirm: string, actor: Actor): Promise<void> {
      if (confirm !== key) {
        throw invalid(`Type the environment's key ('${key}') to confirm.`, [{ path: "body.confirm", message: `must be '${key}'` }]);
      }
      await writing(workspaceId, async (tx, w) => {
        await repo.lockWorkspace(tx, workspaceId);
        const current = await requireByKey(tx, workspaceId, key);
        if ((await repo.count(tx, workspaceId)) <= 1) {
          throw new AppError("CONFLICT", "A workspace keeps at least one environment; create another before deleting this one.");
        }
        const { apiKeys, ...taken } = await repo.dependants(tx, workspaceId, current.id);
        if (!(await repo.delete(tx, workspaceId, current.id, expectedVersion))) throw staleVersion(`Environment '${key}'`, current.version);
        await w.audit(actor, {
          workspaceId,
          action: "environment.deleted",
          ...target(current),
          before: { ...audited(current), ...taken, apiKeys: apiKeys.length },
        });
        // Replicas stop accepting its keys, then drop its snapshot and end its streams.
        w.revoke({
          workspaceId,
          environmentId: current.id,
          keys: apiKeys.filter((key) => !key.revokedAt).map(({ id, secretHash }) => ({ id, secretHash })),
          reason: "environment_deleted",
          at: new Date().toISOString(),
        });
        w.announce({ ...changeOf(workspaceId, current), version: current.snapshotVersion + 1, isDeleted: true });
      });
    },

    /**
     * Turns the environment's master switch on or lifts it: the flip, its audit entry and the
     * snapshot version bump commit together, then every replica and server SDK hears of it as of
     * any other change. Asking for the state it is already in changes and records nothing.
     */
    async setMasterSwitch(workspaceId: string, key: string, body: SetMasterSwitchBody, actor: Actor): Promise<EnvironmentResponse> {
      const isOn = body.enabled;
      const reason = body.reason ?? null;
      const row = await writing(workspaceId, async (tx, w) => {
        const current = await requireByKey(tx, workspaceId, key);
        if (current.masterSwitchOn === isOn) return current;
        const updated = await repo.setMasterSwitch(tx, workspaceId, current.id, { isOn, reason, changedBy: actor.email ?? actor.id ?? null });
        // A concurrent request flipped it first: that one is recorded, this one changes nothing.
        if (!updated) return requireByKey(tx, workspaceId, key);
        await w.audit(actor, {
          workspaceId,
          action: isOn ? "environment.master_switch_on" : "environment.master_switch_off",
          ...target(current),
          before: { masterSwitch: current.masterSwitchOn },
          after: { masterSwitch: isOn, reason },
        });
        const bumped = await w.bump([current.id]);
        return { ...updated, snapshotVersion: bumped[0]?.version ?? updated.snapshotVersion };
      });
      return toEnvironmentResponse(row);
    },

    /** Reading the signing secret is recorded (without the value): who has seen it matters when it leaks. */
    async contextSecret(workspaceId: string, key: string, actor: Actor): Promise<ContextSecretResponse> {
      return writing(workspaceId, async (tx, w) => {
        const row = await repo.contextSecret(tx, workspaceId, key);
        if (!row) throw notFound(`Environment '${key}'`);
        await w.audit(actor, { workspaceId, action: "environment.context_secret_viewed", ...target(row) });
        return { environment: row.key, secret: row.contextSecret, version: row.version };
      });
    },

    /** A new signing secret: tokens signed with the old one stop verifying once replicas reload. */
    async rotateContextSecret(workspaceId: string, key: string, expectedVersion: number, actor: Actor): Promise<ContextSecretResponse> {
      const secret = generateSigningSecret();
      const row = await writing(workspaceId, async (tx, w) => {
        const current = await requireByKey(tx, workspaceId, key);
        const updated = await repo.update(tx, workspaceId, current.id, expectedVersion, { contextSecret: secret });
        if (!updated) throw staleVersion(`Environment '${key}'`, current.version);
        await w.audit(actor, {
          workspaceId,
          action: "environment.context_secret_rotated",
          ...target(current),
          before: { version: current.version },
          after: { version: updated.version },
        });
        await w.bump([current.id]);
        return updated;
      });
      return { environment: row.key, secret, version: row.version };
    },
  };
}

function changeOf(workspaceId: string, row: EnvironmentRow): EnvironmentChange {
  return { workspaceId, environmentId: row.id, environmentKey: row.key, version: row.snapshotVersion };
}

export type EnvironmentsService = ReturnType<typeof createEnvironmentsService>;
