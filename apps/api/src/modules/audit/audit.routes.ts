import { AuditPage, FlagAuditParams, FlagAuditQuery, ListAuditQuery } from "@ensign/contracts/audit";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { scopeOf } from "../../infra/auth";

const security = [{ bearerAuth: [] }];
const tags = ["audit"];
const PAGING = "Newest first. Pass `nextCursor` as `cursor` for the next page; `total` counts every entry matching the filters.";

/** `/v1/workspaces/:workspace/audit` and a flag's history. */
export async function auditRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const audit = app.services.audit;

  r.get(
    "/:workspace/audit",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags,
        operationId: "listAuditEntries",
        summary: "The audit log, filtered by flag, tenant, actor, action, environment and time",
        description: `\`action\` ending in \`.\` or \`*\` is a prefix (\`flag.\`); \`actor\` is a user id, an email or \`system\`. ${PAGING}`,
        security,
        params: WorkspaceParams,
        querystring: ListAuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => audit.list(scopeOf(request).workspaceId, request.query),
  );

  r.get(
    "/:workspace/flags/:key/audit",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags,
        operationId: "listFlagAuditEntries",
        summary: "A flag's history",
        description: `The flag's definition, state, rule and schedule changes and its tenant and user overrides, also after the flag is gone. ${PAGING}`,
        security,
        params: FlagAuditParams,
        querystring: FlagAuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => audit.list(scopeOf(request).workspaceId, { ...request.query, flag: request.params.key }),
  );
}
