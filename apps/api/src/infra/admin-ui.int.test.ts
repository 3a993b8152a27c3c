import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app";

describe("the admin app", () => {
  let t: TestApp;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), "ensign-admin-"));
    mkdirSync(path.join(dist, "assets"));
    writeFileSync(path.join(dist, "index.html"), '<!doctype html><script type="module" src="/assets/app-1a2b.js"></script>');
    writeFileSync(path.join(dist, "assets", "app-1a2b.js"), "export {};");
    writeFileSync(path.join(dist, "assets", "app-1a2b.js.map"), '{"version":3,"sources":["src/secret.ts"]}');
    writeFileSync(path.join(dist, "sw.js"), "self.addEventListener('install', () => self.skipWaiting());");
    t = await createTestApp({ config: { ADMIN_DIST: dist } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("revalidates its index on every load and caches its hashed assets for good", async () => {
    for (const url of ["/", "/login", "/w/demo/flags/kb?env=production", "/w/demo/flags", "/invite/ein_token", "/reset/epr_token"]) {
      const res = await t.app.inject({ method: "GET", url });
      // The document carries the page for browsers without JavaScript, which may be a workspace's: private.
      expect({ url, status: res.statusCode, cacheControl: res.headers["cache-control"] }).toEqual({ url, status: 200, cacheControl: "no-cache, private" });
      expect(res.body).toContain("/assets/app-1a2b.js");
    }
    const asset = await t.app.inject({ method: "GET", url: "/assets/app-1a2b.js" });
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("serves the service worker as a script for the whole app, revalidated on every load", async () => {
    const res = await t.app.inject({ method: "GET", url: "/sw.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(res.headers["service-worker-allowed"]).toBe("/");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.body).toContain("skipWaiting");
  });

  it("never serves a source map, even one left in the build", async () => {
    const res = await t.app.inject({ method: "GET", url: "/assets/app-1a2b.js.map" });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain("secret.ts");
  });

  it("answers every path that is not one of its routes with a 404 in the error shape, not the index", async () => {
    for (const url of ["/v1/nothing", "/ofrep/v1/nothing", "/docs/nothing.html", "/metrics", "/sw.js.map", "/workbox.js", "/api/flags", "/v2/flags", "/wp-admin", "/favicon.ico.bak", "/invite", "/reset/a/b"]) {
      const res = await t.app.inject({ method: "GET", url });
      expect({ url, status: res.statusCode, code: res.json().error?.code }).toEqual({ url, status: 404, code: "NOT_FOUND" });
    }
  });
});
