import { pageOf } from "@ensign/contracts/common";
import { CreateModuleBody, ListModulesQuery, ModuleParams, ModuleResponse, UpdateModuleBody } from "@ensign/contracts/modules";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["modules"];
const IF_MATCH = 'Requires `If-Match: "<version>"`; answers 412 when the module changed since.';

/** `/v1/workspaces/:workspace/modules`: groups of flags that tenants can have switched off. */
export async function modulesRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const modules = app.services.modules;

  r.get(
    "/:workspace/modules",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "List modules with their flag counts", security, params: WorkspaceParams, querystring: ListModulesQuery, response: { 200: pageOf(ModuleResponse) } },
    },
    async (request) => modules.list(scopeOf(request).workspaceId, request.query),
  );

  r.post(
    "/:workspace/modules",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: { tags, summary: "Create a module", security, params: WorkspaceParams, body: CreateModuleBody, response: { 201: ModuleResponse } },
    },
    async (request, reply) => {
      const created = await modules.create(scopeOf(request).workspaceId, request.body, actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.get(
    "/:workspace/modules/:module",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "A module", security, params: ModuleParams, response: { 200: ModuleResponse } },
    },
    async (request, reply) => withVersion(reply, await modules.get(scopeOf(request).workspaceId, request.params.module)),
  );

  r.patch(
    "/:workspace/modules/:module",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: { tags, summary: "Rename or describe a module", description: IF_MATCH, security, params: ModuleParams, body: UpdateModuleBody, response: { 200: ModuleResponse } },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      return withVersion(reply, await modules.update(scopeOf(request).workspaceId, request.params.module, expected, request.body, actorOf(request)));
    },
  );

  r.delete(
    "/:workspace/modules/:module",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        summary: "Delete a module that has no flags",
        description: `A module that still has flags is refused with 409 naming how many (\`details.flagCount\`, \`details.flags\`). ${IF_MATCH}`,
        security,
        params: ModuleParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      await modules.delete(scopeOf(request).workspaceId, request.params.module, expected, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
