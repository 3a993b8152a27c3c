import type { Role } from "@ensign/contracts/auth";
import type { Page } from "@ensign/contracts/common";
import type {
  AcceptedInvitationResponse,
  CreateInvitationBody,
  InvitationInfo,
  InvitationResponse,
  InvitationStatus,
  ListInvitationsQuery,
} from "@ensign/contracts/invitations";
import type { Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { Write, Writer } from "../../infra/writer";
import { AppError, forbidden, invalid, notFound } from "../../infra/errors";
import { iso, isoOrNull, pageFrom } from "../../infra/paging";
import { translating } from "../../infra/prisma-errors";
import { hashPassword } from "../auth/passwords";
import { generateLinkToken, sha256 } from "../auth/secrets";
import type { InvitationRow, InvitationsRepository, ResolvedInvitation } from "./invitations.repository";

export interface InvitationsServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: InvitationsRepository;
  /** How long an invitation can be accepted. */
  ttlMs: number;
  now?: () => Date;
}

/** Where a request came from, for the audit entry of an acceptance made by the invitee. */
export type Origin = Pick<Actor, "ip" | "userAgent" | "requestId">;

function statusOf(row: Pick<InvitationRow, "acceptedAt" | "revokedAt" | "expiresAt">, now: Date): InvitationStatus {
  if (row.acceptedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  return row.expiresAt <= now ? "expired" : "pending";
}

function toResponse(row: InvitationRow, now: Date): InvitationResponse {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    tenant: row.tenant,
    status: statusOf(row, now),
    invitedBy: row.invitedByEmail,
    expiresAt: iso(row.expiresAt),
    acceptedAt: isoOrNull(row.acceptedAt),
    revokedAt: isoOrNull(row.revokedAt),
    createdAt: iso(row.createdAt),
  };
}

const target = (row: { id: string; email: string }) => ({ targetType: "invitation", targetId: row.id, targetKey: row.email });
const audited = (row: InvitationRow) => ({ email: row.email, role: row.role, tenantKey: row.tenant?.key ?? null, expiresAt: iso(row.expiresAt) });

/** The 4xx of a link that can no longer be used, or null when it still can. */
function unusable(row: Pick<InvitationRow, "acceptedAt" | "revokedAt" | "expiresAt">, now: Date): AppError | null {
  switch (statusOf(row, now)) {
    case "accepted":
      return new AppError("LINK_USED", "This invitation was already accepted; sign in instead.");
    case "revoked":
      return new AppError("LINK_REVOKED", "This invitation was revoked; ask the workspace's admins for a new one.");
    case "expired":
      return new AppError("LINK_EXPIRED", "This invitation has expired; ask the workspace's admins for a new one.");
    case "pending":
      return null;
  }
}

export function createInvitationsService({ reading, writing, repo, ttlMs, now = () => new Date() }: InvitationsServiceDeps) {
  /** The pending invitation behind a link, or the 4xx saying why it cannot be used. */
  async function resolve(token: string): Promise<ResolvedInvitation> {
    const row = await repo.findByTokenHash(sha256(token));
    if (!row || row.workspace.archivedAt) throw notFound("The invitation");
    const error = unusable(row, now());
    if (error) throw error;
    return row;
  }

  /** Marks the invitation used in the transaction, or throws why it no longer can be. */
  async function consume(tx: Tx, invitation: ResolvedInvitation, at: Date) {
    if (await repo.consume(tx, invitation.workspaceId, invitation.id, at)) return;
    const current = await repo.find(tx, invitation.workspaceId, invitation.id);
    throw (current && unusable(current, at)) ?? notFound("The invitation");
  }

  async function join(w: Write, invitation: ResolvedInvitation, user: { id: string; email: string }, origin: Origin, userCreated: boolean) {
    const { tx } = w;
    const at = now();
    await consume(tx, invitation, at);
    const membership = await repo.createMembership(tx, invitation.workspaceId, { userId: user.id, role: invitation.role, tenantId: invitation.tenantId });
    const actor: Actor = { ...origin, type: "user", id: user.id, email: user.email, role: invitation.role };
    await w.audit(actor, {
      workspaceId: invitation.workspaceId,
      action: "invitation.accepted",
      ...target(invitation),
      tenant: invitation.tenant,
      after: { ...audited(invitation), membershipId: membership.id, userCreated },
    });
  }

  const accepted = (invitation: ResolvedInvitation): AcceptedInvitationResponse => ({
    workspace: { slug: invitation.workspace.slug, name: invitation.workspace.name },
    email: invitation.email,
    role: invitation.role,
  });

  return {
    async list(workspaceId: string, query: ListInvitationsQuery): Promise<Page<InvitationResponse>> {
      const at = now();
      const { rows, total } = await reading(workspaceId, (tx) => repo.list(tx, workspaceId, query, at));
      return pageFrom(
        rows.map((row) => toResponse(row, at)),
        total,
        query,
      );
    },

    /**
     * Invites an email with a role. The answer is the same whether or not the email already has
     * an account anywhere: the inviter learns nothing of other workspaces' users. The token is
     * returned this once; only its hash is stored.
     */
    async create(workspaceId: string, callerRole: Role, body: CreateInvitationBody, actor: Actor): Promise<{ invitation: InvitationResponse; token: string }> {
      if (body.role === "owner" && callerRole !== "owner") throw forbidden("Only owners may grant the owner role.");
      const { token, hash } = generateLinkToken("invitation");
      const at = now();
      return translating("This invitation", () =>
        writing(workspaceId, async (tx, w) => {
          let tenant: { id: string; key: string } | null = null;
          if (body.role === "tenant_admin" && body.tenantKey) {
            tenant = await repo.tenantByKey(tx, workspaceId, body.tenantKey);
            if (!tenant) throw invalid(`Tenant '${body.tenantKey}' was not found.`, [{ path: "body.tenantKey", message: "no tenant with this key" }]);
          }
          if (await repo.memberByEmail(tx, workspaceId, body.email)) {
            throw new AppError("ALREADY_EXISTS", `${body.email} is already a member of this workspace.`);
          }
          if (await repo.findPendingFor(tx, workspaceId, body.email, at)) {
            throw new AppError("ALREADY_EXISTS", `${body.email} already has a pending invitation; revoke it to send a new one.`);
          }
          const row = await repo.create(tx, workspaceId, {
            email: body.email,
            role: body.role,
            tenantId: tenant?.id ?? null,
            tokenHash: hash,
            invitedById: actor.type === "user" ? (actor.id ?? null) : null,
            invitedByEmail: actor.email ?? null,
            createdAt: at,
            expiresAt: new Date(at.getTime() + ttlMs),
          });
          await w.audit(actor, { workspaceId, action: "invitation.created", ...target(row), tenant, after: audited(row) });
          return { invitation: toResponse(row, at), token };
        }),
      );
    },

    async revoke(workspaceId: string, callerRole: Role, id: string, actor: Actor): Promise<void> {
      await writing(workspaceId, async (tx, w) => {
        const row = await repo.find(tx, workspaceId, id);
        if (!row) throw notFound("The invitation");
        if (row.role === "owner" && callerRole !== "owner") throw forbidden("Only owners may revoke an invitation to the owner role.");
        const at = now();
        if (!(await repo.revoke(tx, workspaceId, id, at))) {
          throw new AppError("CONFLICT", `The invitation is ${statusOf(row, at)}; only pending invitations can be revoked.`);
        }
        await w.audit(actor, { workspaceId, action: "invitation.revoked", ...target(row), tenant: row.tenant, before: audited(row) });
      });
    },

    /** What the accept page shows: the workspace, the invited email and role. Nothing about accounts. */
    async info(token: string): Promise<InvitationInfo> {
      const row = await resolve(token);
      return {
        workspace: { slug: row.workspace.slug, name: row.workspace.name },
        email: row.email,
        role: row.role,
        tenant: row.tenant ? { key: row.tenant.key, name: row.tenant.name } : null,
        expiresAt: iso(row.expiresAt),
      };
    },

    /**
     * Accepts for a new user, created with the name and password given. An email that already
     * has an account must sign in and accept as that account: nobody sets another's password here.
     */
    async acceptAsNewUser(token: string, name: string, password: string, origin: Origin): Promise<AcceptedInvitationResponse> {
      const invitation = await resolve(token);
      // Hashing is slow: it happens before the transaction.
      const passwordHash = await hashPassword(password);
      await translating("This account", () =>
        writing(invitation.workspaceId, async (tx, w) => {
          if (await repo.findUserByEmail(tx, invitation.email)) {
            throw new AppError("ALREADY_EXISTS", `An account for ${invitation.email} already exists; sign in as it to accept the invitation.`);
          }
          const user = await repo.createUser(tx, { email: invitation.email, name, passwordHash });
          await join(w, invitation, user, origin, true);
        }),
      );
      return accepted(invitation);
    },

    /** Accepts as the signed-in user, who must be the account of the invited email. */
    async acceptAsUser(token: string, user: { id: string; email: string }, origin: Origin): Promise<AcceptedInvitationResponse> {
      const invitation = await resolve(token);
      if (user.email !== invitation.email) {
        throw forbidden(`This invitation is for ${invitation.email}; sign in as that account to accept it.`);
      }
      await translating("This membership", () =>
        writing(invitation.workspaceId, async (tx, w) => {
          if (await repo.memberByEmail(tx, invitation.workspaceId, invitation.email)) {
            throw new AppError("ALREADY_EXISTS", `You are already a member of ${invitation.workspace.name}.`);
          }
          await join(w, invitation, user, origin, false);
        }),
      );
      return accepted(invitation);
    },
  };
}

export type InvitationsService = ReturnType<typeof createInvitationsService>;
