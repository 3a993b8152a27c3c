import { CONTEXT_TOKEN_HEADER, StreamQuery } from "@ensign/contracts/portal";
import { z } from "zod";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { eventFor, openSse } from "./stream-hub";
import type { EvaluationDeps } from "../evaluation/evaluation.routes";
import { apiKeyOrQuerySecurity } from "../evaluation/json-serializer";

/** The event id a reconnecting client last saw: `Last-Event-ID`, or `?lastEventId=`. */
function lastEventId(headers: Record<string, unknown>, query: unknown): number | undefined {
  const raw = headers["last-event-id"] ?? (query as { lastEventId?: unknown } | undefined)?.lastEventId;
  const id = Number(raw);
  return raw !== undefined && raw !== "" && Number.isInteger(id) ? id : undefined;
}

/** A signed context token: `X-Ensign-Context`, or `?contextToken=` for EventSource. */
function contextToken(request: FastifyRequest): string | undefined {
  const raw = request.headers[CONTEXT_TOKEN_HEADER] ?? (request.query as { contextToken?: unknown } | undefined)?.contextToken;
  return typeof raw === "string" && raw ? raw : undefined;
}

/**
 * `GET /v1/stream`: Server-Sent Events for SDKs (client or server key; `?apiKey=` for
 * EventSource). `event: change` with `{environment, version}` and `id: <version>` whenever the
 * environment's snapshot changes; `: ping` every 15 s. On connect the current version is sent at
 * once unless `Last-Event-ID` already names it, so a client that missed changes catches up.
 * In an environment that requires signed context tokens, a client key must bring a valid one
 * (checked when the stream opens). When the environment is deleted, its streams end with an
 * `environment-deleted` event. Server keys' streams also get `event: identity` with
 * `{environment, key}` when an identity's stored traits change, and a change that touched only
 * some flags carries them (`delta: {fromVersion, flags}`) so a local-evaluation SDK holding
 * `fromVersion` applies it without downloading `/v1/config`. Client keys never get rules.
 */
export async function streamRoutes(app: FastifyInstance, deps: EvaluationDeps) {
  app.get(
    "/",
    {
      onRequest: deps.anyKeyOrQuery,
      // JSON for programs, not pages: helmet's HTML headers would only cost time on the hot path.
      helmet: false,
      schema: {
        tags: ["evaluation"],
        operationId: "streamChanges",
        summary: "Server-Sent Events: snapshot changes of the key's environment",
        description:
          "`text/event-stream`. Events: `change` (`id: <version>`, data `{environment, version}`); for server keys, `change` also carries `delta: {fromVersion, flags}` when the change touched only some flags (the flags as the new version's `/v1/config` holds them: a client holding exactly `fromVersion` replaces those flags by key and is at `version`; otherwise, or without `delta`, it refetches `/v1/config`), and `identity` (data `{environment, key}`) when an identity's traits change; `: ping` comments every 15 s. Honours `Last-Event-ID`. `?format=ofrep` sends OFREP's `refetchEvaluation` messages instead.",
        security: apiKeyOrQuerySecurity,
        querystring: StreamQuery,
        response: { 200: { description: "The event stream, open until the client leaves.", content: { "text/event-stream": { schema: z.string() } } } },
      },
    },
    async (request, reply) => {
      const entry = await deps.evaluation.entryFor(request.apiKey!);
      if (deps.evaluation.needsToken(request.apiKey!, entry)) await deps.evaluation.contextFromToken(request.apiKey!, entry, contextToken(request));
      const environmentId = request.apiKey!.environmentId;
      const release = deps.hub.admit(`key:${request.apiKey!.id}`, request.ip);
      let leave = () => {};
      const client = openSse(request, reply, () => {
        leave();
        release();
      });
      if ((request.query as { format?: unknown }).format === "ofrep") client.format = "ofrep";
      if (request.apiKey!.kind === "server") client.isServer = true;
      leave = deps.hub.subscribeEnvironment(environmentId, client);
      const seen = lastEventId(request.headers, request.query);
      if (seen === undefined || seen < entry.version) client.send(eventFor(client, entry.meta.environmentKey, entry.version));
    },
  );
}
