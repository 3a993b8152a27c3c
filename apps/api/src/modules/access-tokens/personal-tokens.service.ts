import type { CreatedPersonalTokenResponse, CreatePersonalTokenBody, PersonalTokenResponse } from "@ensign/contracts/access-tokens";
import { notFound } from "../../infra/errors";
import { iso, isoOrNull } from "../../infra/paging";
import { generateAccessToken, sha256 } from "../auth/secrets";
import type { AccessTokensRepository, PersonalTokenRow } from "./access-tokens.repository";

const DAY_MS = 86_400_000;
/** A token's last use is written at most once a minute: a busy script does not write on every call. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function toPersonalTokenResponse(row: PersonalTokenRow): PersonalTokenResponse {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    maxRole: row.maxRole,
    createdAt: iso(row.createdAt),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: isoOrNull(row.lastUsedAt),
    revokedAt: isoOrNull(row.revokedAt),
  };
}

export function expiryIn(days: number, now: Date): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/** Whether a token's last use is old enough to be written again. */
export function isUseStale(lastUsedAt: Date | null, now: Date): boolean {
  return !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;
}

export function createPersonalTokensService({ repo, now = () => new Date() }: { repo: AccessTokensRepository; now?: () => Date }) {
  return {
    async list(userId: string): Promise<PersonalTokenResponse[]> {
      return (await repo.listPersonal(userId)).map(toPersonalTokenResponse);
    },

    /** A new token; its secret is in this answer and nowhere else, ever (only its SHA-256 is stored). */
    async create(userId: string, body: CreatePersonalTokenBody): Promise<CreatedPersonalTokenResponse> {
      const { secret, prefix, hash } = generateAccessToken("personal");
      const row = await repo.createPersonal({ userId, name: body.name, prefix, secretHash: hash, maxRole: body.maxRole, expiresAt: expiryIn(body.expiresInDays, now()) });
      return { ...toPersonalTokenResponse(row), secret };
    },

    /** Revokes one of the user's own tokens; revoking twice changes nothing. Others' tokens do not exist here. */
    async revoke(userId: string, id: string): Promise<PersonalTokenResponse> {
      const at = now();
      const row = await repo.findPersonal(userId, id);
      if (!row) throw notFound("The token");
      const revoked = await repo.revokePersonal(userId, id, at);
      return toPersonalTokenResponse(revoked ? { ...row, revokedAt: at } : row);
    },

    /**
     * The token behind a bearer secret and its user, or undefined when it is unknown, revoked,
     * expired, or its user is disabled. Records the use (at most once a minute).
     */
    async authenticate(secret: string) {
      const at = now();
      const token = await repo.findPersonalByHash(sha256(secret));
      if (!token || token.revokedAt || token.expiresAt <= at || token.user.disabledAt) return undefined;
      if (isUseStale(token.lastUsedAt, at)) await repo.touchPersonal(token.id, at, new Date(at.getTime() - LAST_USED_RESOLUTION_MS));
      return token;
    },
  };
}

export type PersonalTokensService = ReturnType<typeof createPersonalTokensService>;
