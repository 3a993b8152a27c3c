import {
  AuditExportParams,
  AuditExportResponse,
  AuditPage,
  AuditRetention,
  FlagAuditParams,
  FlagAuditQuery,
  ListAuditQuery,
  SetAuditRetentionBody,
} from "@ensign/contracts/audit";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";

const security = [{ bearerAuth: [] }];
const tags = ["audit"];
const PAGING = "Newest first. Pass `nextCursor` as `cursor` for the next page; `total` counts every entry matching the filters.";

/** `/v1/workspaces/:workspace/audit`, a flag's history, and the audit log's retention. */
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

  const retention = app.services.auditRetention;

  r.get(
    "/:workspace/audit/retention",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "How long the workspace keeps its audit entries", description: "`days: null` keeps them forever (the default).", security, params: WorkspaceParams, response: { 200: AuditRetention } },
    },
    async (request) => retention.get(scopeOf(request).workspaceId),
  );

  r.put(
    "/:workspace/audit/retention",
    {
      onRequest: [app.requireCapability("audit:retention")],
      schema: {
        tags,
        summary: "Set how long audit entries are kept (owner)",
        description:
          "Entries older than `days` are exported as JSON Lines (downloadable below) and then purged by a job in every replica (hourly by default, `AUDIT_RETENTION_INTERVAL`); each purge writes its own `audit.purged` entry. `null` keeps entries forever. Audited.",
        security,
        params: WorkspaceParams,
        body: SetAuditRetentionBody,
        response: { 200: AuditRetention },
      },
    },
    async (request) => retention.set(scopeOf(request).workspaceId, request.body.days, actorOf(request)),
  );

  r.get(
    "/:workspace/audit/exports",
    {
      onRequest: [app.requireCapability("audit:retention")],
      schema: { tags, summary: "Exports of purged audit entries, newest first (owner)", security, params: WorkspaceParams, response: { 200: z.object({ items: z.array(AuditExportResponse) }) } },
    },
    async (request) => ({ items: await retention.listExports(scopeOf(request).workspaceId) }),
  );

  r.get(
    "/:workspace/audit/exports/:id",
    {
      onRequest: [app.requireCapability("audit:retention")],
      schema: {
        tags,
        summary: "Download an export of purged audit entries as JSON Lines (owner)",
        description: "One audit entry per line, in the shape of the audit log's entries, oldest first.",
        security,
        params: AuditExportParams,
        response: { 200: { description: "The export's JSON Lines, as an attachment.", content: { "application/x-ndjson": { schema: z.string() } } } },
      },
    },
    async (request, reply) => {
      const { summary, jsonLines } = await retention.download(scopeOf(request).workspaceId, request.params.id);
      const name = `audit-${request.params.workspace}-${summary.from.slice(0, 10)}-${summary.to.slice(0, 10)}.jsonl`;
      return reply.type("application/x-ndjson; charset=utf-8").header("content-disposition", `attachment; filename="${name}"`).send(jsonLines.toString("utf8"));
    },
  );
}
