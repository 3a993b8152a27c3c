import type { CreatedServiceTokenResponse, CreateServiceTokenBody, ServiceTokenResponse, TokenRole } from "@ensign/contracts/access-tokens";
import type { Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { notFound } from "../../infra/errors";
import { iso, isoOrNull } from "../../infra/paging";
import { generateAccessToken, sha256 } from "../auth/secrets";
import type { ServiceTokenRow, ServiceTokensRepository } from "./access-tokens.repository";
import { expiryIn, isUseStale, LAST_USED_RESOLUTION_MS } from "./personal-tokens.service";

export function toServiceTokenResponse(row: ServiceTokenRow): ServiceTokenResponse {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role as TokenRole,
    environment: row.environment?.key ?? null,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: isoOrNull(row.lastUsedAt),
    revokedAt: isoOrNull(row.revokedAt),
  };
}

/** What the audit log keeps of a token: never the secret or its hash. */
const audited = (row: ServiceTokenRow) => ({ name: row.name, prefix: row.prefix, role: row.role, environment: row.environment?.key ?? null, expiresAt: iso(row.expiresAt) });

export interface ServiceTokensServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: ServiceTokensRepository;
  now?: () => Date;
}

export function createServiceTokensService({ reading, writing, repo, now = () => new Date() }: ServiceTokensServiceDeps) {
  async function requireEnvironment(tx: Tx, workspaceId: string, key: string) {
    const environment = await repo.findEnvironment(tx, workspaceId, key);
    if (!environment) throw notFound(`Environment '${key}'`);
    return environment;
  }

  return {
    async list(workspaceId: string): Promise<ServiceTokenResponse[]> {
      const rows = await reading(workspaceId, (tx) => repo.list(tx, workspaceId));
      return rows.map(toServiceTokenResponse);
    },

    /** A new token; its secret is in this answer and nowhere else, ever (only its SHA-256 is stored). */
    async create(workspaceId: string, body: CreateServiceTokenBody, actor: Actor): Promise<CreatedServiceTokenResponse> {
      const { secret, prefix, hash } = generateAccessToken("service");
      return writing(workspaceId, async (tx, w) => {
        const environment = body.environment ? await requireEnvironment(tx, workspaceId, body.environment) : null;
        const row = await repo.create(tx, workspaceId, {
          environmentId: environment?.id ?? null,
          name: body.name,
          prefix,
          secretHash: hash,
          role: body.role,
          createdBy: actor.email ?? actor.id ?? null,
          expiresAt: expiryIn(body.expiresInDays, now()),
        });
        await w.audit(actor, { workspaceId, environment, action: "service_token.created", targetType: "service_token", targetId: row.id, targetKey: row.prefix, after: audited(row) });
        return { ...toServiceTokenResponse(row), secret };
      });
    },

    /** Revokes a token at once: the next request with it is refused. Revoking twice changes nothing. */
    async revoke(workspaceId: string, id: string, actor: Actor): Promise<ServiceTokenResponse> {
      const at = now();
      return writing(workspaceId, async (tx, w) => {
        const row = await repo.find(tx, workspaceId, id);
        if (!row) throw notFound("The service token");
        if (!(await repo.revoke(tx, workspaceId, id, at))) return toServiceTokenResponse(row);
        await w.audit(actor, {
          workspaceId,
          action: "service_token.revoked",
          targetType: "service_token",
          targetId: row.id,
          targetKey: row.prefix,
          before: { ...audited(row), revokedAt: null },
          after: { revokedAt: at.toISOString() },
        });
        return toServiceTokenResponse({ ...row, revokedAt: at });
      });
    },

    /**
     * The token behind a bearer secret, or undefined when it is unknown, revoked, expired, or its
     * workspace is archived. Records the use (at most once a minute).
     */
    async authenticate(secret: string) {
      const at = now();
      const token = await repo.findByHash(sha256(secret));
      if (!token || token.revokedAt || token.expiresAt <= at || token.workspace.archivedAt) return undefined;
      if (isUseStale(token.lastUsedAt, at)) await repo.touch(token.id, at, new Date(at.getTime() - LAST_USED_RESOLUTION_MS));
      return token;
    },
  };
}

export type ServiceTokensService = ReturnType<typeof createServiceTokensService>;
