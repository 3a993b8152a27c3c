import { Key } from "@ensign/contracts/common";
import { PatchTraitsBody } from "@ensign/contracts/identities";
import { TraitsBody, TraitsResponse } from "@ensign/contracts/portal";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import type { EvaluationDeps } from "./evaluation.routes";
import { apiKeySecurity } from "./json-serializer";

/**
 * `/v1/identities/:key/traits` (server key): a customer's backend reads, replaces (`PUT`, newest
 * write wins) or merges (`PATCH`) an identity's stored traits in the key's environment, through
 * the same identities service as the admin routes.
 */
export async function traitsRoutes(app: FastifyInstance, deps: EvaluationDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.put(
    "/:key/traits",
    {
      onRequest: deps.serverKey,
      bodyLimit: deps.bodyLimit,
      schema: {
        tags: ["evaluation"],
        summary: "Replace an identity's traits (server key)",
        description: "Traits are merged under the request context at evaluation (the context wins). Audited as the API key.",
        security: apiKeySecurity,
        params: z.object({ key: Key }),
        body: TraitsBody,
        response: { 200: TraitsResponse },
      },
    },
    async (request) => {
      const { workspaceId, environmentId } = request.apiKey!;
      const { identity } = await deps.identities.setTraits(workspaceId, { id: environmentId }, request.params.key, request.body.traits, actorOf(request));
      return identity;
    },
  );

  r.patch(
    "/:key/traits",
    {
      onRequest: deps.serverKey,
      bodyLimit: deps.bodyLimit,
      schema: {
        tags: ["evaluation"],
        summary: "Merge into an identity's traits (server key)",
        operationId: "mergeTraits",
        description: "Sets each trait named in the body and removes those set to `null`; the others stay. Concurrent merges all take effect. Audited as the API key.",
        security: apiKeySecurity,
        params: z.object({ key: Key }),
        body: PatchTraitsBody,
        response: { 200: TraitsResponse },
      },
    },
    async (request) => {
      const { workspaceId, environmentId } = request.apiKey!;
      const { identity } = await deps.identities.patchTraits(workspaceId, { id: environmentId }, request.params.key, request.body.traits, actorOf(request));
      return identity;
    },
  );

  r.get(
    "/:key/traits",
    {
      onRequest: deps.serverKey,
      schema: {
        tags: ["evaluation"],
        summary: "Read an identity's traits (server key)",
        description: "404 when the environment has no identity with this key.",
        security: apiKeySecurity,
        params: z.object({ key: Key }),
        response: { 200: TraitsResponse },
      },
    },
    async (request) => {
      const { workspaceId, environmentId } = request.apiKey!;
      return deps.identities.traitsOf(workspaceId, environmentId, request.params.key);
    },
  );
}
