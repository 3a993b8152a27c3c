import { existsSync } from "node:fs";
import cookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import { createClient, type FlagGetters, type FlagMap } from "@ensign/sdk";
import { requireFeature } from "@ensign/sdk/fastify";
import { createLocalClient } from "@ensign/sdk/node";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { PortalConfig } from "./config";
import { mintContextToken } from "./context-token";
import { PRODUCERS, producerByKey, type Producer } from "./producers";

const SESSION_COOKIE = "portal_session";

/** A flag client the guard can ask, with its lifecycle. */
type GuardClient = Pick<FlagGetters<FlagMap>, "evaluate"> & { start(): Promise<void>; close(): void };

/**
 * The demo portal's backend: a fake producer sign-in, context tokens for the signed-in
 * producer, the AI Assistant API behind `requireFeature`, and the built frontend.
 */
export async function buildPortalServer(config: PortalConfig, options: { logger?: boolean | object } = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? { level: "info" } });
  await app.register(cookie, { secret: config.sessionSecret });

  // Local evaluation when a server key is configured: no network per request. Otherwise ask Ensign.
  const flags: GuardClient = config.serverKey
    ? createLocalClient({ url: config.ensignUrl, serverKey: config.serverKey })
    : createClient({ url: config.ensignUrl, clientKey: config.clientKey!, stream: false, cacheTtlMs: 5_000 });
  flags.start().catch(() => {});
  app.addHook("onClose", async () => flags.close());

  const producerOf = (request: FastifyRequest): Producer | undefined => {
    const raw = request.cookies[SESSION_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    return unsigned?.valid ? producerByKey(unsigned.value) : undefined;
  };
  const contextOf = (producer: Producer) => ({ targetingKey: `${producer.key}:owner`, tenantKey: producer.key, role: "producer" });

  app.get("/api/config", async () => ({ ensignUrl: config.ensignUrl, clientKey: config.clientKey ?? null }));
  app.get("/api/producers", async () => ({ producers: PRODUCERS }));

  app.get("/api/session", async (request, reply) => {
    const producer = producerOf(request);
    if (!producer) return reply.code(401).send({ error: { code: "UNAUTHENTICATED", message: "Sign in as a producer first." } });
    return { producer };
  });

  app.post<{ Body: { producerKey?: unknown } | null }>("/api/session", async (request, reply) => {
    const producer = producerByKey(request.body?.producerKey);
    if (!producer) return reply.code(400).send({ error: { code: "VALIDATION_FAILED", message: "Unknown producer.", details: [{ path: "producerKey", message: "pick a producer from the list" }] } });
    reply.setCookie(SESSION_COOKIE, producer.key, { path: "/", httpOnly: true, sameSite: "lax", signed: true });
    return { producer };
  });

  app.delete("/api/session", async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return reply.code(204).send();
  });

  // The browser's credential for Ensign: who it is, signed by us, short-lived.
  app.post("/api/ensign-token", async (request, reply) => {
    const producer = producerOf(request);
    if (!producer) return reply.code(401).send({ error: { code: "UNAUTHENTICATED", message: "Sign in as a producer first." } });
    const context = contextOf(producer);
    return mintContextToken({ sub: context.targetingKey, tenantKey: context.tenantKey, role: context.role, attributes: { producerName: producer.name } }, config.contextSecret, config.contextTokenTtlS);
  });

  app.get(
    "/api/ai-assistant/suggestions",
    {
      preHandler: requireFeature("ai_agents_enabled", {
        client: flags,
        context: (request) => {
          const producer = producerOf(request);
          return producer && contextOf(producer);
        },
        message: "The AI Assistant is not enabled for your account. Contact your account manager to join the beta.",
      }),
    },
    async (request) => {
      const producer = producerOf(request)!;
      return {
        suggestions: [
          `Add a late show on Saturday: ${producer.name}'s Friday shows sold out three weeks running.`,
          "Raise early-bird prices by 10 %: last month's early birds sold out in two days.",
          "Send a reminder to the 48 buyers who left tickets in their cart this week.",
        ],
      };
    },
  );

  if (existsSync(config.distDir)) {
    await app.register(fastifyStatic, { root: config.distDir, wildcard: false });
    app.setNotFoundHandler((request, reply) =>
      request.url.startsWith("/api/") ? reply.code(404).send({ error: { code: "NOT_FOUND", message: "No such route." } }) : reply.sendFile("index.html"),
    );
  }
  return app;
}
