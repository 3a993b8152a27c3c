import { pageOf } from "@ensign/contracts/common";
import {
  CreateSegmentBody,
  ListSegmentsQuery,
  SegmentDetailResponse,
  SegmentParams,
  SegmentResponse,
  UpdateSegmentBody,
} from "@ensign/contracts/segments";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["segments"];
const IF_MATCH = 'Requires `If-Match: "<version>"`; answers 412 when the segment changed since.';

/** `/v1/workspaces/:workspace/segments`: reusable audiences that flag rules read with `in_segment`. */
export async function segmentsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const segments = app.services.segments;

  r.get(
    "/:workspace/segments",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "List segments with how many flags use each", security, params: WorkspaceParams, querystring: ListSegmentsQuery, response: { 200: pageOf(SegmentResponse) } },
    },
    async (request) => segments.list(scopeOf(request).workspaceId, request.query),
  );

  r.post(
    "/:workspace/segments",
    {
      onRequest: [app.requireCapability("state:write")],
      schema: {
        tags,
        summary: "Create a segment",
        description: "Rules are `[{conditions: [...]}]`; a context is in the segment when it is listed, or when any rule's conditions all hold, and it is not excluded. Rules cannot use `in_segment`.",
        security,
        params: WorkspaceParams,
        body: CreateSegmentBody,
        response: { 201: SegmentResponse },
      },
    },
    async (request, reply) => {
      const created = await segments.create(scopeOf(request).workspaceId, request.body, actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.get(
    "/:workspace/segments/:segment",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "A segment and the flags that use it", security, params: SegmentParams, response: { 200: SegmentDetailResponse } },
    },
    async (request, reply) => withVersion(reply, await segments.get(scopeOf(request).workspaceId, request.params.segment)),
  );

  r.patch(
    "/:workspace/segments/:segment",
    {
      onRequest: [app.requireCapability("state:write")],
      schema: { tags, summary: "Change a segment", description: IF_MATCH, security, params: SegmentParams, body: UpdateSegmentBody, response: { 200: SegmentResponse } },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      return withVersion(reply, await segments.update(scopeOf(request).workspaceId, request.params.segment, expected, request.body, actorOf(request)));
    },
  );

  r.delete(
    "/:workspace/segments/:segment",
    {
      onRequest: [app.requireCapability("state:write")],
      schema: {
        tags,
        summary: "Delete a segment no flag uses",
        description: `A segment still read by flag rules is refused with 409 naming the flags (\`details.flags\`). ${IF_MATCH}`,
        security,
        params: SegmentParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      await segments.delete(scopeOf(request).workspaceId, request.params.segment, expected, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
