import type { LightMyRequestResponse } from "fastify";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app";
import { createWorld, type World } from "./world";

const PORTAL = "https://portal.example";
const EVIL = "https://evil.example";

/** The CSP directives of a response, by name. */
function csp(res: LightMyRequestResponse): Record<string, string> {
  const header = String(res.headers["content-security-policy"] ?? "");
  return Object.fromEntries(
    header
      .split(";")
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => [part.split(/\s+/)[0]!, part.split(/\s+/).slice(1).join(" ")]),
  );
}

/** What every page of the admin app and every admin API answer carries. */
function expectBrowserHeaders(res: LightMyRequestResponse, what: string) {
  const directives = csp(res);
  expect({ what, defaultSrc: directives["default-src"], frameAncestors: directives["frame-ancestors"], objectSrc: directives["object-src"], baseUri: directives["base-uri"] }).toEqual({
    what,
    defaultSrc: "'self'",
    frameAncestors: "'none'",
    objectSrc: "'none'",
    baseUri: "'self'",
  });
  expect(directives["script-src"]).toBe("'self'");
  expect(res.headers).toMatchObject({ "x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer" });
  expect(String(res.headers["strict-transport-security"])).toMatch(/max-age=(\d{8,}|[2-9]\d{7}|1[6-9]\d{6}|15[5-9]\d{5})/);
}

describe("security headers and CORS", () => {
  let t: TestApp;
  let world: World;
  let dist: string;
  let checks = 0;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), "ensign-admin-"));
    mkdirSync(path.join(dist, "assets"));
    writeFileSync(path.join(dist, "index.html"), '<!doctype html><html><head><script type="module" src="/assets/app-1a2b.js"></script></head></html>');
    writeFileSync(path.join(dist, "assets", "app-1a2b.js"), "export {};");
    t = await createTestApp({ config: { ADMIN_DIST: dist, CORS_ORIGINS: `${PORTAL},https://other-portal.example` } });
    world = await createWorld(t);
  });
  afterAll(async () => {
    console.info(`security header and CORS checks: ${checks}`);
    await t.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("serves the admin app with a strict CSP, no framing, no sniffing, no referrer, HSTS, and an index that is never cached", async () => {
    for (const url of ["/", "/w/demo/flags/kb", "/w/demo/tenants?flag=kb"]) {
      checks++;
      const res = await t.app.inject({ method: "GET", url });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expectBrowserHeaders(res, url);
      expect(res.headers["cache-control"]).toBe("no-cache, private");
    }
    checks++;
    const asset = await t.app.inject({ method: "GET", url: "/assets/app-1a2b.js" });
    expect(asset.headers).toMatchObject({ "x-content-type-options": "nosniff", "cache-control": "public, max-age=31536000, immutable" });
  });

  it("sends the same headers with admin API answers, allowed or refused", async () => {
    const ws = `/v1/workspaces/${world.a.slug}`;
    for (const [url, headers] of [
      [`${ws}/flags`, world.headers.viewer],
      [`${ws}/flags`, {}],
      [`${ws}/api-keys`, world.headers.viewer],
      ["/v1/auth/me", world.headers.owner],
      ["/v1/tenant/features", world.headers.tenantAdmin],
    ] as const) {
      checks++;
      const res = await t.app.inject({ method: "GET", url, headers });
      expectBrowserHeaders(res, url);
    }
  });

  it("keeps the API docs framed only by themselves", async () => {
    checks++;
    const res = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(res.statusCode).toBe(200);
    expect(csp(res)["frame-ancestors"]).toMatch(/'self'|'none'/);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("never lets a browser sniff an evaluation, health, stream or not-found answer into something else", async () => {
    const key = { "x-api-key": world.keys.clientKey.secret };
    for (const [method, url, headers] of [
      ["GET", "/v1/flags?targetingKey=u", key],
      ["GET", "/v1/flags?targetingKey=u", {}],
      ["POST", "/ofrep/v1/evaluate/flags/kb", key],
      ["GET", "/ofrep/v1/configuration", key],
      ["GET", "/v1/config", { "x-api-key": world.keys.serverKey.secret }],
      ["GET", "/healthz", {}],
      ["GET", "/v1/nothing-here", {}],
    ] as const) {
      checks++;
      const res = await t.app.inject({ method, url, headers, ...(method === "POST" ? { payload: { context: { targetingKey: "u" } } } : {}) });
      expect({ url, nosniff: res.headers["x-content-type-options"] }).toEqual({ url, nosniff: "nosniff" });
    }
    checks++;
    const base = await t.app.listen({ host: "127.0.0.1", port: 0 });
    const controller = new AbortController();
    const stream = await fetch(`${base}/v1/stream`, { headers: key, signal: controller.signal });
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.headers.get("x-content-type-options")).toBe("nosniff");
    controller.abort();
  });

  it("answers cross-origin evaluation requests from configured origins only, and never with credentials", async () => {
    const key = { "x-api-key": world.keys.clientKey.secret };
    for (const [method, url] of [
      ["GET", "/v1/flags?targetingKey=u"],
      ["POST", "/ofrep/v1/evaluate/flags"],
      ["POST", "/ofrep/v1/evaluate/flags/kb"],
      ["GET", "/ofrep/v1/configuration"],
    ] as const) {
      const payload = method === "POST" ? { payload: { context: { targetingKey: "u" } } } : {};
      checks += 4;
      const allowed = await t.app.inject({ method, url, headers: { ...key, origin: PORTAL }, ...payload });
      expect(allowed.headers["access-control-allow-origin"]).toBe(PORTAL);
      expect(String(allowed.headers.vary)).toMatch(/Origin/i);
      expect(allowed.headers["access-control-allow-credentials"]).toBeUndefined();
      const refused = await t.app.inject({ method, url, headers: { ...key, origin: EVIL }, ...payload });
      expect(refused.headers["access-control-allow-origin"]).toBeUndefined();

      const preflight = await t.app.inject({ method: "OPTIONS", url, headers: { origin: PORTAL, "access-control-request-method": method, "access-control-request-headers": "x-api-key, x-ensign-context" } });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers["access-control-allow-origin"]).toBe(PORTAL);
      expect(String(preflight.headers["access-control-allow-headers"])).toMatch(/x-api-key.*x-ensign-context/);
      expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined();
      const evilPreflight = await t.app.inject({ method: "OPTIONS", url, headers: { origin: EVIL, "access-control-request-method": method } });
      expect(evilPreflight.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });

  it("gives admin routes no CORS at all, even to a configured origin", async () => {
    const ws = `/v1/workspaces/${world.a.slug}`;
    for (const [method, url, headers] of [
      ["GET", `${ws}/flags`, world.headers.owner],
      ["GET", `${ws}/environments/production/context-secret`, world.headers.owner],
      ["POST", "/v1/auth/login", {}],
      ["POST", "/v1/auth/refresh", {}],
      ["GET", "/v1/tenant/features", world.headers.tenantAdmin],
      ["GET", `${ws}/events`, {}],
    ] as const) {
      for (const origin of [PORTAL, EVIL, "null"]) {
        checks += 2;
        const res = await t.app.inject({ method, url, headers: { ...headers, origin } });
        expect({ url, origin, acao: res.headers["access-control-allow-origin"] }).toEqual({ url, origin, acao: undefined });
        const preflight = await t.app.inject({ method: "OPTIONS", url, headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization" } });
        expect({ url, origin, acao: preflight.headers["access-control-allow-origin"], methods: preflight.headers["access-control-allow-methods"] }).toEqual({
          url,
          origin,
          acao: undefined,
          methods: undefined,
        });
      }
    }
  });
});

describe("CORS for any origin, and for none", () => {
  it("with `*`, evaluation answers any origin without credentials; admin routes still none", async () => {
    const t = await createTestApp({ config: { CORS_ORIGINS: "*" } });
    try {
      const flags = await t.app.inject({ method: "GET", url: "/v1/flags", headers: { origin: EVIL } });
      expect(flags.headers["access-control-allow-origin"]).toBe("*");
      expect(flags.headers["access-control-allow-credentials"]).toBeUndefined();
      const admin = await t.app.inject({ method: "GET", url: "/v1/workspaces", headers: { origin: EVIL } });
      expect(admin.headers["access-control-allow-origin"]).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it("without configured origins, no route answers cross-origin", async () => {
    const t = await createTestApp();
    try {
      for (const url of ["/v1/flags", "/ofrep/v1/configuration", "/v1/workspaces"]) {
        const res = await t.app.inject({ method: "GET", url, headers: { origin: PORTAL } });
        expect({ url, acao: res.headers["access-control-allow-origin"] }).toEqual({ url, acao: undefined });
        const preflight = await t.app.inject({ method: "OPTIONS", url, headers: { origin: PORTAL, "access-control-request-method": "GET" } });
        expect({ url, acao: preflight.headers["access-control-allow-origin"] }).toEqual({ url, acao: undefined });
      }
    } finally {
      await t.close();
    }
  });
});
