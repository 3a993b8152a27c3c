import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { existsSync } from "node:fs";
import path from "node:path";
import { AppError } from "./errors";

const API_PREFIXES = ["/v1/", "/ofrep/", "/docs", "/healthz", "/readyz"];

/**
 * Serves the built admin app, with every other GET that is not an API path answered by its
 * index.html so the client-side router can take it. Without a build, nothing is served.
 */
export const adminUiPlugin = fp(
  async (app: FastifyInstance, options: { dist: string }) => {
    if (!existsSync(path.join(options.dist, "index.html"))) {
      app.log.warn({ dist: options.dist }, "admin app is not built; run `pnpm build` to serve it");
      return;
    }
    await app.register(fastifyStatic, {
      root: options.dist,
      prefix: "/",
      wildcard: false,
      index: false,
      maxAge: "1h",
      immutable: false,
      setHeaders(res, file) {
        if (file.includes(`${path.sep}assets${path.sep}`)) res.header("cache-control", "public, max-age=31536000, immutable");
      },
    });
    // The index names the current build's hashed assets: revalidated on every load, so a deploy shows at once.
    const index = (_: unknown, reply: { header: (k: string, v: string) => unknown; sendFile: (f: string, options: object) => unknown }) => {
      reply.header("cache-control", "no-cache");
      return reply.sendFile("index.html", { cacheControl: false });
    };
    app.get("/", { schema: { hide: true } }, (request, reply) => index(request, reply));
    app.get("/*", { schema: { hide: true } }, (request, reply) => {
      if (API_PREFIXES.some((prefix) => request.url.startsWith(prefix))) {
        throw new AppError("NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0]}.`);
      }
      return index(request, reply);
    });
  },
  { name: "admin-ui" },
);
