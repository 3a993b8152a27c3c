import {
  ImpactBody,
  ImpactResponse,
  LiveEvaluationBody,
  LiveEvaluationParams,
  LiveEvaluationResponse,
} from "@ensign/contracts/live-evaluation";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { scopeOf } from "../../infra/auth";
import { accessTokenKindOf } from "../auth/secrets";
import { openSse } from "../streams/stream-hub";

const security = [{ bearerAuth: [] }];

/**
 * The admin's live tools (JWT, `workspace:read`): the evaluation tester, the blast radius of a
 * proposed change, and the live-updates stream that tells the admin app which environment moved.
 */
export async function liveRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { evaluation, streams } = app.services;

  r.post(
    "/:workspace/environments/:env/evaluate",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags: ["live"],
        operationId: "traceEvaluation",
        summary: "Evaluate one flag (or all) for a context, with the full trace and server-side latency",
        security,
        params: LiveEvaluationParams,
        body: LiveEvaluationBody,
        response: { 200: LiveEvaluationResponse },
      },
    },
    async (request) => evaluation.live(scopeOf(request).workspaceId, request.params.env, request.body.flag, request.body.context),
  );

  r.post(
    "/:workspace/environments/:env/impact",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags: ["live"],
        operationId: "previewImpact",
        summary: "Blast radius: which tenants a proposed flag state change would turn on, off or change",
        description: "Nothing is written. `state` holds the proposed fields; missing ones keep their current value.",
        security,
        params: LiveEvaluationParams,
        body: ImpactBody,
        response: { 200: ImpactResponse },
      },
    },
    async (request) => evaluation.impact(scopeOf(request).workspaceId, request.params.env, request.body),
  );

  r.get(
    "/:workspace/events",
    {
      // EventSource cannot send headers: this route alone also takes the access token as `?accessToken=`.
      // Only a session's short-lived one: long-lived personal and service tokens stay out of URLs.
      onRequest: [
        async (request) => {
          const token = (request.query as { accessToken?: unknown }).accessToken;
          if (!request.headers.authorization && typeof token === "string" && token && !accessTokenKindOf(token)) request.headers.authorization = `Bearer ${token}`;
        },
        app.requireCapability("workspace:read"),
      ],
      schema: {
        tags: ["live"],
        operationId: "streamWorkspaceEvents",
        summary: "Live updates for the admin app (Server-Sent Events)",
        description:
          "`event: change` with data `{environment, version}` whenever any environment of the workspace changes. Authenticate with `Authorization: Bearer` or `?accessToken=` (a session's access token only: personal and service tokens go in the header).",
        security,
        params: z.object({ workspace: z.string().min(1).max(64) }),
        querystring: z.object({ accessToken: z.string().max(4_096).optional() }),
        response: { 200: { description: "The event stream, open until the client leaves.", content: { "text/event-stream": { schema: z.string() } } } },
      },
    },
    async (request, reply) => {
      const { workspaceId } = scopeOf(request);
      const environments = await evaluation.environments(workspaceId);
      const release = streams.admit(request.principal ? `user:${request.principal.userId}` : `service_token:${request.serviceToken!.id}`, request.ip);
      let leave = () => {};
      const client = openSse(request, reply, () => {
        leave();
        release();
      });
      leave = streams.subscribeWorkspace(workspaceId, environments, client);
    },
  );
}
