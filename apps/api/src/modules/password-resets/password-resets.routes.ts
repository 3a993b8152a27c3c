import { IssuedPasswordResetResponse, LinkTokenBody, PasswordResetInfo, RedeemPasswordResetBody } from "@ensign/contracts/auth";
import { MemberParams } from "@ensign/contracts/members";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { principalOf, scopeOf } from "../../infra/auth";
import { publicOrigin } from "../../infra/public-url";

const tags = ["password resets"];
const LINK_ERRORS = "An unknown link answers 404; an expired, used or replaced one 410 (`LINK_EXPIRED`, `LINK_USED`, `LINK_REVOKED`).";

export interface PasswordResetsRoutesOptions {
  publicUrl: string | null;
}

/** `/v1/workspaces/:workspace/members/:memberId/password-reset`: an owner issues a one-time reset link. */
export async function passwordResetIssueRoutes(app: FastifyInstance, options: PasswordResetsRoutesOptions) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/:workspace/members/:memberId/password-reset",
    {
      onRequest: [app.requireCapability("members:reset_password")],
      schema: {
        tags,
        summary: "Issue a one-time password-reset link for a member (owners)",
        description:
          "`resetUrl` is shown this once (only its hash is kept) and no email is sent: pass it on. It works once, until it expires; a newer link replaces older unused ones. Redeeming it ends every session of the user. 403 for a platform superadmin's account, or a user who also belongs to a workspace the caller does not own (the platform superadmin may reset anyone).",
        security: [{ bearerAuth: [] }],
        params: MemberParams,
        response: { 201: IssuedPasswordResetResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const issued = await app.services.passwordResets.issue(
        scopeOf(request).workspaceId,
        { userId: principal.userId, isSuperadmin: principal.isSuperadmin },
        request.params.memberId,
        actorOf(request),
      );
      const resetUrl = `${publicOrigin(request, options.publicUrl)}/reset/${issued.token}`;
      return reply.code(201).send({ email: issued.email, expiresAt: issued.expiresAt, resetUrl });
    },
  );
}

/** `/v1/password-resets`: the user's side, from the reset link. The token travels in the body, never in a URL the API logs. */
export async function passwordResetRedeemRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const resets = app.services.passwordResets;

  r.post(
    "/lookup",
    { schema: { tags, operationId: "lookupPasswordReset", summary: "Whose password a reset link sets", description: LINK_ERRORS, security: [], body: LinkTokenBody, response: { 200: PasswordResetInfo } } },
    async (request) => resets.info(request.body.token),
  );

  r.post(
    "/redeem",
    {
      schema: {
        tags,
        operationId: "redeemPasswordReset",
        summary: "Set a new password with a reset link",
        security: [],
        description: `Uses up the link and ends every session of the user; sign in with the new password. ${LINK_ERRORS}`,
        body: RedeemPasswordResetBody,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const { ip, userAgent, requestId } = actorOf(request);
      await resets.redeem(request.body.token, request.body.newPassword, { ip, userAgent, requestId });
      return reply.code(204).send(null);
    },
  );
}
