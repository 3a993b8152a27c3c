import type { ApiKeyResponse, CreateApiKeyBody, CreatedApiKeyResponse, ListApiKeysQuery } from "@ensign/contracts/api-keys";
import type { Page } from "@ensign/contracts/common";
import type { Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import { notFound } from "../../infra/errors";
import { iso, isoOrNull, pageFrom } from "../../infra/paging";
import type { Writer } from "../../infra/writer";
import { generateApiKey } from "../auth/secrets";
import type { ApiKeyRow, ApiKeysRepository } from "./api-keys.repository";

export function toApiKeyResponse(row: ApiKeyRow): ApiKeyResponse {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    prefix: row.prefix,
    environment: row.environment.key,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    lastUsedAt: isoOrNull(row.lastUsedAt),
    revokedAt: isoOrNull(row.revokedAt),
  };
}

/** What the audit log keeps of a key: never the secret or its hash. */
const audited = (row: ApiKeyRow) => ({ name: row.name, kind: row.kind, prefix: row.prefix, environment: row.environment.key });

export interface ApiKeysServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: ApiKeysRepository;
  now?: () => number;
}

export function createApiKeysService({ reading, writing, repo, now = Date.now }: ApiKeysServiceDeps) {
  async function requireEnvironment(tx: Tx, workspaceId: string, key: string) {
    const environment = await repo.findEnvironment(tx, workspaceId, key);
    if (!environment) throw notFound(`Environment '${key}'`);
    return environment;
  }

  return {
    /** The workspace's keys, of one environment when `environmentKey` is given. */
    async list(workspaceId: string, query: ListApiKeysQuery, environmentKey?: string): Promise<Page<ApiKeyResponse>> {
      const { rows, total } = await reading(workspaceId, async (tx) => {
        const environment = environmentKey ? await requireEnvironment(tx, workspaceId, environmentKey) : undefined;
        return repo.list(tx, workspaceId, query, environment?.id);
      });
      return pageFrom(rows.map(toApiKeyResponse), total, query);
    },

    /** A new key; its secret is in this answer and nowhere else, ever (only its SHA-256 is stored). */
    async create(workspaceId: string, environmentKey: string, body: CreateApiKeyBody, actor: Actor): Promise<CreatedApiKeyResponse> {
      const { secret, prefix, hash } = generateApiKey(body.kind);
      return writing(workspaceId, async (tx, w) => {
        const environment = await requireEnvironment(tx, workspaceId, environmentKey);
        const row = await repo.create(tx, workspaceId, {
          environmentId: environment.id,
          name: body.name,
          kind: body.kind,
          prefix,
          secretHash: hash,
          createdBy: actor.email ?? actor.id ?? null,
        });
        await w.audit(actor, { workspaceId, environment, action: "api_key.created", targetType: "api_key", targetId: row.id, targetKey: row.prefix, after: audited(row) });
        return { ...toApiKeyResponse(row), secret };
      });
    },

    /**
     * Revokes a key: stored at once, and announced on the `api-key-revoked` channel after the
     * commit so every replica's in-memory key cache drops it. Revoking twice changes nothing.
     */
    async revoke(workspaceId: string, environmentKey: string, id: string, actor: Actor): Promise<ApiKeyResponse> {
      const at = new Date(now());
      const row = await writing(workspaceId, async (tx, w) => {
        const environment = await requireEnvironment(tx, workspaceId, environmentKey);
        const current = await repo.find(tx, workspaceId, environment.id, id);
        if (!current) throw notFound("The API key");
        const { secretHash, ...row } = current;
        const revoked = await repo.revoke(tx, workspaceId, id, at);
        if (revoked) {
          await w.audit(actor, {
            workspaceId,
            environment,
            action: "api_key.revoked",
            targetType: "api_key",
            targetId: row.id,
            targetKey: row.prefix,
            before: { ...audited(row), revokedAt: null },
            after: { revokedAt: at.toISOString() },
          });
          w.revoke({ workspaceId, environmentId: environment.id, keys: [{ id, secretHash }], reason: "revoked", at: at.toISOString() });
        }
        return revoked ? { ...row, revokedAt: at } : row;
      });
      return toApiKeyResponse(row);
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
