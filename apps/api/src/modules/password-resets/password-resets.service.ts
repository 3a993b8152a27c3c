import type { PasswordResetInfo } from "@ensign/contracts/auth";
import type { Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { AppError, forbidden, notFound } from "../../infra/errors";
import { iso } from "../../infra/paging";
import { hashPassword } from "../auth/passwords";
import { generateLinkToken, sha256 } from "../auth/secrets";
import type { PasswordResetsRepository, ResolvedReset } from "./password-resets.repository";

export interface PasswordResetsServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: PasswordResetsRepository;
  /** How long a reset link can be used. */
  ttlMs: number;
  now?: () => Date;
}

/** Who issues the link: the signed-in owner (or platform superadmin). */
export interface Issuer {
  userId: string;
  isSuperadmin: boolean;
}

/** Where a request came from, for the audit entry of a redemption. */
export type Origin = Pick<Actor, "ip" | "userAgent" | "requestId">;

function unusable(row: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now: Date): AppError | null {
  if (row.usedAt) return new AppError("LINK_USED", "This reset link was already used; ask an owner of your workspace for a new one.");
  if (row.revokedAt) return new AppError("LINK_REVOKED", "This reset link was replaced by a newer one or is no longer valid.");
  if (row.expiresAt <= now) return new AppError("LINK_EXPIRED", "This reset link has expired; ask an owner of your workspace for a new one.");
  return null;
}

export function createPasswordResetsService({ reading, writing, repo, ttlMs, now = () => new Date() }: PasswordResetsServiceDeps) {
  async function resolve(token: string): Promise<ResolvedReset> {
    const row = await repo.findByTokenHash(sha256(token));
    if (!row || row.workspace.archivedAt || row.user.disabledAt) throw notFound("The reset link");
    const error = unusable(row, now());
    if (error) throw error;
    return row;
  }

  async function consume(tx: Tx, reset: ResolvedReset, at: Date) {
    if (await repo.consume(tx, reset.workspaceId, reset.id, at)) return;
    const current = await repo.find(tx, reset.workspaceId, reset.id);
    throw (current && unusable(current, at)) ?? notFound("The reset link");
  }

  return {
    /**
     * Issues a one-time reset link for a member. An owner may reset only users whose every
     * workspace they own (a user shared with a workspace they do not own is the superadmin's
     * to reset), and never a platform superadmin. The token is returned this once.
     */
    async issue(workspaceId: string, issuer: Issuer, memberId: string, actor: Actor): Promise<{ token: string; email: string; expiresAt: string }> {
      const member = await reading(workspaceId, (tx) => repo.member(tx, workspaceId, memberId));
      if (!member) throw notFound("The member");
      if (!issuer.isSuperadmin) {
        if (member.user.isSuperadmin) throw forbidden("Only a platform superadmin may reset a superadmin's password.");
        if ((await repo.membershipsBeyondOwnership(member.user.id, issuer.userId)) > 0) {
          throw forbidden("This user also belongs to a workspace you do not own; ask the platform superadmin to reset the password.");
        }
      }
      const { token, hash } = generateLinkToken("password_reset");
      const at = now();
      return writing(workspaceId, async (tx, w) => {
        // Read again in the transaction: the member may have left since.
        if (!(await repo.member(tx, workspaceId, memberId))) throw notFound("The member");
        await repo.revokeUnused(tx, workspaceId, member.user.id, at);
        const row = await repo.create(tx, workspaceId, {
          userId: member.user.id,
          tokenHash: hash,
          issuedById: issuer.userId,
          createdAt: at,
          expiresAt: new Date(at.getTime() + ttlMs),
        });
        await w.audit(actor, {
          workspaceId,
          action: "member.password_reset_issued",
          targetType: "member",
          targetId: member.id,
          targetKey: member.user.email,
          after: { email: member.user.email, expiresAt: iso(row.expiresAt) },
        });
        return { token, email: member.user.email, expiresAt: iso(row.expiresAt) };
      });
    },

    /** What the reset page shows: whose password it sets, and until when. */
    async info(token: string): Promise<PasswordResetInfo> {
      const row = await resolve(token);
      return { email: row.user.email, expiresAt: iso(row.expiresAt) };
    },

    /** Sets the new password, uses up the link and ends every session of the user, together. */
    async redeem(token: string, newPassword: string, origin: Origin): Promise<void> {
      const reset = await resolve(token);
      // Hashing is slow: it happens before the transaction.
      const passwordHash = await hashPassword(newPassword);
      await writing(reset.workspaceId, async (tx, w) => {
        const at = now();
        await consume(tx, reset, at);
        const membership = await repo.membershipOf(tx, reset.workspaceId, reset.userId);
        // Issued by this workspace's owner: it holds only while the user is a member here.
        if (!membership) throw new AppError("LINK_REVOKED", "This reset link is no longer valid.");
        const sessionsEnded = await repo.setPasswordAndEndSessions(tx, reset.userId, passwordHash, at);
        const actor: Actor = { ...origin, type: "user", id: reset.userId, email: reset.user.email, role: membership.role };
        await w.audit(actor, {
          workspaceId: reset.workspaceId,
          action: "member.password_reset",
          targetType: "member",
          targetId: membership.id,
          targetKey: reset.user.email,
          after: { email: reset.user.email, sessionsEnded },
        });
      });
    },
  };
}

export type PasswordResetsService = ReturnType<typeof createPasswordResetsService>;
