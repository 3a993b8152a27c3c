import { pageOf } from "@ensign/contracts/common";
import {
  AcceptedInvitationResponse,
  AcceptInvitationAsNewUserBody,
  AcceptInvitationBody,
  CreatedInvitationResponse,
  CreateInvitationBody,
  InvitationInfo,
  InvitationParams,
  InvitationResponse,
  ListInvitationsQuery,
} from "@ensign/contracts/invitations";
import { LinkTokenBody } from "@ensign/contracts/auth";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { principalOf, scopeOf } from "../../infra/auth";
import { publicOrigin } from "../../infra/public-url";

const security = [{ bearerAuth: [] }];
const tags = ["invitations"];
const LINK_ERRORS = "An unknown link answers 404; an expired, used or revoked one 410 (`LINK_EXPIRED`, `LINK_USED`, `LINK_REVOKED`).";

export interface InvitationsRoutesOptions {
  publicUrl: string | null;
}

/** `/v1/workspaces/:workspace/invitations`: the workspace's admins invite people by email. */
export async function invitationsRoutes(app: FastifyInstance, options: InvitationsRoutesOptions) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const invitations = app.services.invitations;

  r.get(
    "/:workspace/invitations",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags,
        summary: "List invitations (pending by default)",
        description: "Shows the invited email, role and expiry only: nothing of an account that email may have, until it is accepted.",
        security,
        params: WorkspaceParams,
        querystring: ListInvitationsQuery,
        response: { 200: pageOf(InvitationResponse) },
      },
    },
    async (request) => invitations.list(scopeOf(request).workspaceId, request.query),
  );

  r.post(
    "/:workspace/invitations",
    {
      onRequest: [app.requireCapability("members:manage")],
      schema: {
        tags,
        summary: "Invite someone by email",
        description:
          "Answers the same whether or not the email has an account. `acceptUrl` is shown this once (only its hash is kept) and no email is sent: pass it on. It can be used once, until it expires. `tenant_admin` needs `tenantKey`; only owners may invite owners. 409 when the email is already a member or has a pending invitation.",
        security,
        params: WorkspaceParams,
        body: CreateInvitationBody,
        response: { 201: CreatedInvitationResponse },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const { invitation, token } = await invitations.create(scope.workspaceId, scope.role, request.body, actorOf(request));
      const acceptUrl = `${publicOrigin(request, options.publicUrl)}/invite/${token}`;
      return reply.code(201).send({ ...invitation, acceptUrl });
    },
  );

  r.delete(
    "/:workspace/invitations/:invitationId",
    {
      onRequest: [app.requireCapability("members:manage")],
      schema: {
        tags,
        summary: "Revoke a pending invitation",
        description: "Its link answers 410 from then on. 409 when it was already accepted, revoked or expired.",
        security,
        params: InvitationParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      await invitations.revoke(scope.workspaceId, scope.role, request.params.invitationId, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}

const originOf = (request: FastifyRequest) => {
  const { ip, userAgent, requestId } = actorOf(request);
  return { ip, userAgent, requestId };
};

/** `/v1/invitations`: the invitee's side, from the accept link. The token travels in the body, never in a URL the API logs. */
export async function invitationAcceptRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const invitations = app.services.invitations;

  r.post(
    "/lookup",
    {
      schema: { tags, operationId: "lookupInvitation", summary: "What an invitation link is for", description: LINK_ERRORS, security: [], body: LinkTokenBody, response: { 200: InvitationInfo } },
    },
    async (request) => invitations.info(request.body.token),
  );

  r.post(
    "/accept-new",
    {
      schema: {
        tags,
        operationId: "acceptInvitationAsNewUser",
        summary: "Accept as a new user",
        security: [],
        description: `Creates the account of the invited email with this name and password, and its membership. 409 when the email already has an account: sign in as it and accept with \`POST /v1/invitations/accept\`. ${LINK_ERRORS}`,
        body: AcceptInvitationAsNewUserBody,
        response: { 201: AcceptedInvitationResponse },
      },
    },
    async (request, reply) => {
      const accepted = await invitations.acceptAsNewUser(request.body.token, request.body.name, request.body.password, originOf(request));
      return reply.code(201).send(accepted);
    },
  );

  r.post(
    "/accept",
    {
      // Joining a workspace changes the account: a sign-in session, never an access token.
      onRequest: [app.requireSession],
      schema: {
        tags,
        summary: "Accept as the signed-in user",
        description: `The signed-in account's email must be the invited one (403 otherwise). ${LINK_ERRORS}`,
        security,
        body: AcceptInvitationBody,
        response: { 201: AcceptedInvitationResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const accepted = await invitations.acceptAsUser(request.body.token, { id: principal.userId, email: principal.email }, originOf(request));
      return reply.code(201).send(accepted);
    },
  );
}
