import { pageOf } from "@ensign/contracts/common";
import { EnvironmentParams } from "@ensign/contracts/environments";
import {
  IdentityParams,
  IdentityResponse,
  IdentityTraitStats,
  IdentityTraitStatsQuery,
  ListIdentitiesQuery,
  PatchTraitsBody,
  SetTraitsBody,
} from "@ensign/contracts/identities";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { optionalIfMatch, requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["identities"];

/** `/v1/workspaces/:workspace/environments/:env/identities`: user keys' server-side traits. */
export async function identitiesRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const identities = app.services.identities;

  r.get(
    "/:workspace/environments/:env/identities",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "List identities (search by key prefix)", security, params: EnvironmentParams, querystring: ListIdentitiesQuery, response: { 200: pageOf(IdentityResponse) } },
    },
    async (request) => identities.list(scopeOf(request).workspaceId, request.params.env, request.query),
  );

  r.get(
    "/:workspace/environments/:env/identity-stats",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags,
        summary: "How identities spread over the values of one trait",
        description: "For example `?trait=stage`: how many end users are at each onboarding stage. The 50 most common values, then `other` and `missing`.",
        security,
        params: EnvironmentParams,
        querystring: IdentityTraitStatsQuery,
        response: { 200: IdentityTraitStats },
      },
    },
    async (request) => identities.traitStats(scopeOf(request).workspaceId, request.params.env, request.query.trait),
  );

  r.get(
    "/:workspace/environments/:env/identities/:key",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "An identity and its traits", security, params: IdentityParams, response: { 200: IdentityResponse } },
    },
    async (request, reply) => withVersion(reply, await identities.get(scopeOf(request).workspaceId, request.params.env, request.params.key)),
  );

  r.put(
    "/:workspace/environments/:env/identities/:key/traits",
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: {
        tags,
        operationId: "setIdentityTraits",
        summary: "Replace an identity's traits (creating it when new)",
        description: 'Creates the identity (201) when the key is new; an existing one needs `If-Match: "<version>"` (428 without, 412 when stale).',
        security,
        params: IdentityParams,
        body: SetTraitsBody,
        response: { 200: IdentityResponse, 201: IdentityResponse },
      },
    },
    async (request, reply) => {
      const { workspace: _, env, key } = request.params;
      const { identity, created } = await identities.setTraits(scopeOf(request).workspaceId, env, key, request.body.traits, actorOf(request), {
        expectedVersion: optionalIfMatch(request),
        requireVersion: true,
      });
      return reply.code(created ? 201 : 200).send(withVersion(reply, identity));
    },
  );

  r.patch(
    "/:workspace/environments/:env/identities/:key/traits",
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: {
        tags,
        summary: "Merge into an identity's traits (creating it when new)",
        operationId: "mergeIdentityTraits",
        description:
          'Sets each trait named in the body and removes those set to `null`; the others stay. Creates the identity (201) when the key is new. With `If-Match: "<version>"` the merge applies only to that version (412 when stale); without it, concurrent merges all take effect.',
        security,
        params: IdentityParams,
        body: PatchTraitsBody,
        response: { 200: IdentityResponse, 201: IdentityResponse },
      },
    },
    async (request, reply) => {
      const { env, key } = request.params;
      const { identity, created } = await identities.patchTraits(scopeOf(request).workspaceId, env, key, request.body.traits, actorOf(request), {
        expectedVersion: optionalIfMatch(request),
      });
      return reply.code(created ? 201 : 200).send(withVersion(reply, identity));
    },
  );

  r.delete(
    "/:workspace/environments/:env/identities/:key",
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: { tags, summary: "Delete an identity", description: 'Requires `If-Match: "<version>"`.', security, params: IdentityParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      await identities.delete(scopeOf(request).workspaceId, request.params.env, request.params.key, expected, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
