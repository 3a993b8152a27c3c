import { ApiKeyParams, ApiKeyResponse, CreateApiKeyBody, CreatedApiKeyResponse, ListApiKeysQuery } from "@ensign/contracts/api-keys";
import { pageOf } from "@ensign/contracts/common";
import { EnvironmentParams } from "@ensign/contracts/environments";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";

const security = [{ bearerAuth: [] }];
const tags = ["api-keys"];

/** API keys per environment: `/v1/workspaces/:workspace/environments/:env/api-keys`, and a workspace-wide list. */
export async function apiKeysRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const apiKeys = app.services.apiKeys;
  const guard = { onRequest: [app.requireCapability("keys:manage")] };

  r.get(
    "/:workspace/api-keys",
    {
      ...guard,
      schema: { tags, operationId: "listWorkspaceApiKeys", summary: "List the workspace's API keys (never their secrets)", security, params: WorkspaceParams, querystring: ListApiKeysQuery, response: { 200: pageOf(ApiKeyResponse) } },
    },
    async (request) => apiKeys.list(scopeOf(request).workspaceId, request.query),
  );

  r.get(
    "/:workspace/environments/:env/api-keys",
    {
      ...guard,
      schema: { tags, summary: "List an environment's API keys (never their secrets)", security, params: EnvironmentParams, querystring: ListApiKeysQuery, response: { 200: pageOf(ApiKeyResponse) } },
    },
    async (request) => apiKeys.list(scopeOf(request).workspaceId, request.query, request.params.env),
  );

  r.post(
    "/:workspace/environments/:env/api-keys",
    {
      ...guard,
      schema: {
        tags,
        summary: "Create an API key; its secret is shown in this answer only",
        description: "`server` keys download the environment's full configuration for local evaluation; `client` keys are public and only evaluate.",
        security,
        params: EnvironmentParams,
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKeyResponse },
      },
    },
    async (request, reply) => {
      const created = await apiKeys.create(scopeOf(request).workspaceId, request.params.env, request.body, actorOf(request));
      return reply.code(201).header("cache-control", "no-store").send(created);
    },
  );

  r.post(
    "/:workspace/environments/:env/api-keys/:id/revoke",
    {
      ...guard,
      schema: {
        tags,
        summary: "Revoke an API key",
        description: "Every API replica stops accepting the key within a second. Revoking a revoked key changes nothing.",
        security,
        params: ApiKeyParams,
        response: { 200: ApiKeyResponse },
      },
    },
    async (request) => apiKeys.revoke(scopeOf(request).workspaceId, request.params.env, request.params.id, actorOf(request)),
  );
}
