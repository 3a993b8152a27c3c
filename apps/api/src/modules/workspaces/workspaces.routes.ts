import {
  CreateWorkspaceBody,
  UpdateWorkspaceBody,
  WorkspaceParams,
  WorkspaceResponse,
} from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { principalOf, scopeOf } from "../../infra/auth";
import { requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];

export async function workspacesRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const workspaces = app.services.workspaces;

  r.get(
    "/",
    {
      onRequest: [app.authenticate],
      schema: { tags: ["workspaces"], summary: "The workspaces the caller belongs to (all, for superadmins)", security, response: { 200: z.object({ items: z.array(WorkspaceResponse) }) } },
    },
    async (request) => ({ items: await workspaces.listFor(principalOf(request)) }),
  );

  r.post(
    "/",
    {
      onRequest: [app.requireSuperadmin],
      schema: { tags: ["workspaces"], summary: "Create a workspace (superadmin)", security, body: CreateWorkspaceBody, response: { 201: WorkspaceResponse } },
    },
    async (request, reply) => {
      const created = await workspaces.create(request.body, principalOf(request), actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.get(
    "/:workspace",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags: ["workspaces"], summary: "A workspace and its environments", security, params: WorkspaceParams, response: { 200: WorkspaceResponse } },
    },
    async (request, reply) => withVersion(reply, await workspaces.get(scopeOf(request).workspaceId)),
  );

  r.patch(
    "/:workspace",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags: ["workspaces"],
        summary: "Rename a workspace",
        description: 'Requires `If-Match: "<version>"`; answers 412 when the workspace changed since.',
        security,
        params: WorkspaceParams,
        body: UpdateWorkspaceBody,
        response: { 200: WorkspaceResponse },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      const updated = await workspaces.update(scopeOf(request).workspaceId, expected, request.body, actorOf(request));
      return withVersion(reply, updated);
    },
  );

  r.delete(
    "/:workspace",
    {
      onRequest: [app.requireSuperadmin],
      schema: { tags: ["workspaces"], summary: "Archive a workspace (superadmin)", security, params: WorkspaceParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await workspaces.archive(await workspaces.idOf(request.params.workspace), actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
