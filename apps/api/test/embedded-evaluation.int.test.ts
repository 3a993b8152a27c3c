import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { loadConfig } from "../src/config";
import { openInfrastructure, type Infrastructure } from "../src/infra/bootstrap";
import { DEMO_USERS } from "../src/seed/demo-data";
import { createApiKey, toggleFlag } from "./helpers/evaluation-fixtures";

/** Evaluation in embedded mode: PGlite and the in-process cache, no PostgreSQL or Redis server. */
describe("evaluation in embedded mode", () => {
  let infra: Infrastructure;
  let app: FastifyInstance;
  let workspaceId: string;
  let productionId: string;
  let key: string;

  beforeAll(async () => {
    const config = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), "ensign-embedded-eval-")), LOG_LEVEL: "silent", ADMIN_DIST: "/nonexistent" });
    infra = await openInfrastructure(config, { info: () => undefined, warn: () => undefined });
    app = await buildApp({ config, db: infra.db, cache: infra.cache });
    await app.ready();
    const workspace = await infra.db.prisma.workspace.findUniqueOrThrow({ where: { slug: "piquetickets" }, include: { environments: true } });
    workspaceId = workspace.id;
    productionId = workspace.environments.find((e) => e.key === "production")!.id;
    // A server key: the demo's environments require signed context tokens of client keys.
    key = (await createApiKey(infra.db, workspaceId, productionId, "server")).secret;
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await infra.cache.close();
    await infra.db.close();
  });

  const evaluate = async () => {
    const res = await app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled",
      headers: { "x-api-key": key },
      payload: { context: { targetingKey: "alex", tenantKey: "arizona-comedy-club" } },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { value: boolean; reason: string };
  };

  it("evaluates, follows a change, and counts the evaluations into the statistics", async () => {
    const before = await evaluate();
    const version = await toggleFlag(app, infra.db, workspaceId, productionId, "knowledge_base_enabled", false);
    await app.services.snapshots.refresh(productionId, version);
    expect(await evaluate()).toMatchObject({ value: false, reason: "DISABLED" });
    expect(before.reason).not.toBe("DISABLED");

    await app.services.statsFlusher.flush();
    const admin = DEMO_USERS[0];
    const login = await app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: admin.email, password: admin.password } });
    const stats = await app.inject({
      method: "GET",
      url: "/v1/workspaces/piquetickets/flags/knowledge_base_enabled/stats?env=production&days=1",
      headers: { authorization: `Bearer ${login.json().accessToken}` },
    });
    expect(stats.statusCode).toBe(200);
    expect(stats.json().total).toMatchObject({ evaluations: 2, uniqueUsers: 1 });
  });
});
