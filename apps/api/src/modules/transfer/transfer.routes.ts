import { ImportBody, ImportResponse, WorkspaceExport } from "@ensign/contracts/export";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";

const security = [{ bearerAuth: [] }];
const tags = ["import-export"];
/** An export of a large workspace is far bigger than an ordinary request; only admins get this far (auth runs before the body is read). */
const IMPORT_BODY_LIMIT = 50 * 1_048_576;

/** `/v1/workspaces/:workspace/export` and `/import`. */
export async function transferRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const transfer = app.services.transfer;

  r.get(
    "/:workspace/export",
    {
      onRequest: [app.requireCapability("workspace:export")],
      schema: {
        tags,
        operationId: "exportWorkspace",
        summary: "Export the whole workspace as one JSON document",
        description:
          "Environments, modules, flags with variants and per-environment states (rules, allow/deny lists, pending schedules), segments, tenants with attributes and module switches, tenant and user overrides, identities. Never API keys, signing secrets, members or passwords.",
        security,
        params: WorkspaceParams,
        response: { 200: WorkspaceExport },
      },
    },
    async (request, reply) => {
      const doc = await transfer.export(scopeOf(request).workspaceId, actorOf(request));
      reply.header("content-disposition", `attachment; filename="${doc.workspace.slug}-export.json"`);
      return doc;
    },
  );

  r.post(
    "/:workspace/import",
    {
      onRequest: [app.requireCapability("definitions:write")],
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        operationId: "importWorkspace",
        summary: "Import an export document into an empty workspace",
        description:
          "`mode: \"empty-only\"`: the workspace must have no flags, modules, segments, tenants or identities (409 otherwise). One transaction, one audit entry; keys kept, ids new. Environments are matched by key; missing ones are created with fresh signing secrets.",
        security,
        params: WorkspaceParams,
        body: ImportBody,
        response: { 200: ImportResponse },
      },
    },
    async (request) => transfer.import(scopeOf(request).workspaceId, request.body, actorOf(request)),
  );
}
