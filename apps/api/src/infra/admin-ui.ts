import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createPages } from "../modules/pages/pages";
import type { SafeHtml } from "../modules/pages/html";
import { AppError } from "./errors";

/** The admin app's own routes (its router's): only these get its index.html. */
const isAppRoute = (pathname: string) =>
  pathname === "/" || pathname === "/login" || pathname === "/w" || pathname.startsWith("/w/") || /^\/(invite|reset)\/[^/]+$/.test(pathname);

/** The service worker (ADR 0026): its own scope is the whole app, and a new build must reach browsers at once. */
const SERVICE_WORKER = "sw.js";

export interface AdminUiOptions {
  dist: string;
  /** The API's secret: signs the no-JavaScript pages' session cookie and CSRF tokens. */
  secret: string;
  secureCookies: boolean;
  passwordLogin: boolean;
  oidcLabel: string | null;
}

/**
 * Serves the built admin app: its files, and its index.html for the paths of its own routes so
 * the client-side router can take them. That document also carries, in a `<noscript>`, the
 * server-rendered page of the URL for a browser with JavaScript off (ADR 0025). Every other path
 * (`/metrics`, `/api/…`) is a 404 in the one error shape, so a scraper or a script never mistakes
 * the page for an answer. Without a build, nothing is served.
 */
export const adminUiPlugin = fp(
  async (app: FastifyInstance, options: AdminUiOptions) => {
    const indexFile = path.join(options.dist, "index.html");
    if (!existsSync(indexFile)) {
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
        if (path.basename(file) === SERVICE_WORKER || path.basename(file) === "index.html") res.header("cache-control", "no-cache");
        if (path.basename(file) === SERVICE_WORKER) {
          res.header("content-type", "text/javascript; charset=utf-8");
          res.header("service-worker-allowed", "/");
        }
      },
    });

    // The index names the current build's hashed assets: read once, sent with each page's `<noscript>`.
    const index = readFileSync(indexFile, "utf8");
    const root = '<div id="root"></div>';
    const shell = (noscript: SafeHtml) => {
      const markup = `<noscript>${noscript.value}</noscript>`;
      if (index.includes(root)) return index.replace(root, () => root + markup);
      return index.includes("</body>") ? index.replace("</body>", () => `${markup}</body>`) : index + markup;
    };
    const pages = createPages(app, { shell, secret: options.secret, secureCookies: options.secureCookies, passwordLogin: options.passwordLogin, oidcLabel: options.oidcLabel });
    await app.register(async (scope) => pages.register(scope));

    app.get("/", { schema: { hide: true } }, (request, reply) => pages.elsewhere(request, reply, "/"));
    app.get("/*", { schema: { hide: true } }, (request, reply) => {
      const pathname = request.url.split("?")[0]!;
      if (!isAppRoute(pathname)) throw new AppError("NOT_FOUND", `No route ${request.method} ${pathname}.`);
      return pages.elsewhere(request, reply, pathname);
    });
  },
  { name: "admin-ui" },
);
