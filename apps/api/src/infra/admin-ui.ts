import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { existsSync } from "node:fs";
import path from "node:path";
import { AppError } from "./errors";

/** The admin app's own routes (its router's): only these get its index.html. */
const isAppRoute = (pathname: string) =>
  pathname === "/" || pathname === "/login" || pathname === "/w" || pathname.startsWith("/w/") || /^\/(invite|reset)\/[^/]+$/.test(pathname);

/**
 * Serves the built admin app: its files, and its index.html for the paths of its own routes so
 * the client-side router can take them. Every other path (`/metrics`, `/sw.js`, `/api/…`) is a
 * 404 in the one error shape, so a scraper or a script never mistakes the page for an answer.
 * Without a build, nothing is served.
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
      // Source maps would publish the admin app's sources; an older build's stray map stays private.
      allowedPath: (pathname) => !pathname.endsWith(".map"),
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
      const pathname = request.url.split("?")[0]!;
      if (!isAppRoute(pathname)) throw new AppError("NOT_FOUND", `No route ${request.method} ${pathname}.`);
      return index(request, reply);
    });
  },
  { name: "admin-ui" },
);
