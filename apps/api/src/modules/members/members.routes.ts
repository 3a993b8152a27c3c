import { pageOf } from "@ensign/contracts/common";
import { ListMembersQuery, MemberParams, MemberResponse, UpdateMemberBody } from "@ensign/contracts/members";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["members"];
const OWNER_RULES = "Only owners may grant or remove `owner`; the last owner cannot be demoted or removed (409).";
const IF_MATCH = 'Requires `If-Match: "<version>"` of the membership; answers 412 when it changed since.';

/** `/v1/workspaces/:workspace/members`: who may do what in the workspace. People join by invitation (`invitations.routes.ts`). */
export async function membersRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const members = app.services.members;

  r.get(
    "/:workspace/members",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "List members with their roles", security, params: WorkspaceParams, querystring: ListMembersQuery, response: { 200: pageOf(MemberResponse) } },
    },
    async (request) => members.list(scopeOf(request).workspaceId, request.query),
  );

  r.get(
    "/:workspace/members/:memberId",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "A member", security, params: MemberParams, response: { 200: MemberResponse } },
    },
    async (request, reply) => withVersion(reply, await members.get(scopeOf(request).workspaceId, request.params.memberId)),
  );

  r.patch(
    "/:workspace/members/:memberId",
    {
      onRequest: [app.requireCapability("members:manage")],
      schema: { tags, summary: "Change a member's role", description: `${OWNER_RULES} ${IF_MATCH}`, security, params: MemberParams, body: UpdateMemberBody, response: { 200: MemberResponse } },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const expected = requireIfMatch(request);
      const updated = await members.changeRole(scope.workspaceId, scope.role, request.params.memberId, expected, request.body, actorOf(request));
      return withVersion(reply, updated);
    },
  );

  r.delete(
    "/:workspace/members/:memberId",
    {
      onRequest: [app.requireCapability("members:manage")],
      schema: {
        tags,
        summary: "Remove a member",
        description: `The user's next request to this workspace is refused. ${OWNER_RULES} ${IF_MATCH}`,
        security,
        params: MemberParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const expected = requireIfMatch(request);
      await members.remove(scope.workspaceId, scope.role, request.params.memberId, expected, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
