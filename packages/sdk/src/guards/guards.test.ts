import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import express from "express";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_KEY, startFakeEnsign, type FakeEnsign } from "../../test/fake-ensign";
import { portalSnapshot } from "../../test/snapshots";
import { createLocalClient } from "../node/local-client";
import { createClient } from "../remote-client";
import type { EvaluationContext } from "../types";
import { requireFeature as requireExpress } from "./express";
import { requireFeature as requireFastify } from "./fastify";
import type { FeatureAccessAttempt } from "./feature-gate";

const local = createLocalClient({ url: "http://127.0.0.1:9", serverKey: "unused", bootstrap: portalSnapshot(), stream: false });
const producerOf = (header: unknown): EvaluationContext | undefined =>
  typeof header === "string" && header ? { targetingKey: `owner@${header}`, tenantKey: header } : undefined;

describe("requireFeature for Fastify", () => {
  const logLines: Record<string, unknown>[] = [];
  const app = Fastify({
    logger: { level: "warn", stream: new Writable({ write: (chunk, _enc, done) => (logLines.push(JSON.parse(String(chunk))), done()) }) },
  });
  app.get("/api/assistant", { preHandler: requireFastify("ai_agents_enabled", { client: local, context: (req) => producerOf(req.headers["x-producer"]) }) }, async () => ({ answer: 42 }));
  afterAll(() => app.close());

  it("lets a producer with the feature through", async () => {
    const response = await app.inject({ url: "/api/assistant", headers: { "x-producer": "tucson-theatre-works" } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ answer: 42 });
  });

  it("answers 403 FEATURE_DISABLED to a producer without it, and logs the attempt", async () => {
    const response = await app.inject({ url: "/api/assistant?q=1", headers: { "x-producer": "arizona-comedy" } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      error: { code: "FEATURE_DISABLED", message: 'The feature "ai_agents_enabled" is not enabled for this account.', details: { feature: "ai_agents_enabled" } },
    });
    const line = logLines.find((l) => l.featureAccess);
    expect(line).toMatchObject({ level: 40, featureAccess: { feature: "ai_agents_enabled", tenantKey: "arizona-comedy", method: "GET", url: "/api/assistant?q=1", reason: "DEFAULT" } });
  });

  it("refuses a request without a context", async () => {
    const response = await app.inject({ url: "/api/assistant" });
    expect(response.statusCode).toBe(403);
  });
});

describe("requireFeature for Express", () => {
  const denied: FeatureAccessAttempt[] = [];
  let base = "";
  let server: ReturnType<ReturnType<typeof express>["listen"]>;
  beforeAll(async () => {
    const app = express();
    const guard = requireExpress("knowledge_base_enabled", {
      client: local,
      context: (req) => producerOf(req.headers["x-producer"]),
      message: (feature) => `Ask your account manager about ${feature}.`,
      onDenied: (attempt) => denied.push(attempt),
    });
    app.get("/api/articles", guard, (_req, res) => void res.json({ articles: [] }));
    await new Promise<void>((resolve) => (server = app.listen(0, "127.0.0.1", () => resolve())));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("passes or refuses by the producer's flag", async () => {
    const allowed = await fetch(`${base}/api/articles`, { headers: { "x-producer": "desert-laughs" } });
    expect(allowed.status).toBe(200);
    const refused = await fetch(`${base}/api/articles`, { headers: { "x-producer": "tucson-theatre-works" } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: "FEATURE_DISABLED", message: "Ask your account manager about knowledge_base_enabled.", details: { feature: "knowledge_base_enabled" } } });
    expect(denied).toEqual([expect.objectContaining({ feature: "knowledge_base_enabled", tenantKey: "tucson-theatre-works", url: "/api/articles" })]);
  });
});

describe("requireFeature with a remote client", () => {
  let fake: FakeEnsign;
  beforeAll(async () => {
    fake = await startFakeEnsign(portalSnapshot());
  });
  afterAll(() => fake.close());

  it("evaluates each request's context remotely, and stays closed when Ensign is down", async () => {
    const remote = createClient({ url: fake.url, clientKey: CLIENT_KEY, stream: false, cacheTtlMs: 0 });
    const app = Fastify();
    app.get("/x", { preHandler: requireFastify("ai_agents_enabled", { client: remote, context: (req) => producerOf(req.headers["x-producer"]), onDenied: () => {} }) }, async () => "ok");
    expect((await app.inject({ url: "/x", headers: { "x-producer": "tucson-theatre-works" } })).statusCode).toBe(200);
    expect((await app.inject({ url: "/x", headers: { "x-producer": "arizona-comedy" } })).statusCode).toBe(403);
    fake.failWith = 503;
    remote.on("error", () => {});
    expect((await app.inject({ url: "/x", headers: { "x-producer": "tucson-theatre-works" } })).statusCode).toBe(403);
    await app.close();
  });
});
