import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { loadConfig } from "../src/config";
import { openInfrastructure, type Infrastructure } from "../src/infra/bootstrap";
import { DEMO_USERS } from "../src/seed/demo-data";
import type { FastifyInstance } from "fastify";

/** The same smoke suite in embedded mode: PGlite on disk and the in-process cache, no services. */
describe("embedded mode", () => {
  let infra: Infrastructure;
  let app: FastifyInstance;
  const quiet = { info: () => undefined, warn: () => undefined };

  beforeAll(async () => {
    const config = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), "ensign-embedded-")), LOG_LEVEL: "silent", ADMIN_DIST: "/nonexistent" });
    infra = await openInfrastructure(config, quiet);
    app = await buildApp({ config, db: infra.db, cache: infra.cache });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await infra.cache.close();
    await infra.db.close();
  });

  it("migrates, loads the demo data, and serves health and logins", async () => {
    expect(infra.db.kind).toBe("pglite");
    expect(infra.cache.kind).toBe("memory");
    expect(infra.migrated.length).toBeGreaterThan(0);
    expect(infra.seeded).toBe(true);
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/readyz" })).json().status).toBe("ready");

    const admin = DEMO_USERS[0];
    const login = await app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: admin.email, password: admin.password } });
    expect(login.statusCode).toBe(200);
    const slugs = login.json().user.memberships.map((m: { workspace: { slug: string } }) => m.workspace.slug).sort();
    expect(slugs).toEqual(["finance-suite", "piquetickets"]);

    const authorization = `Bearer ${login.json().accessToken}`;
    const ws = await app.inject({ method: "GET", url: "/v1/workspaces/piquetickets", headers: { authorization } });
    expect(ws.json().environments).toHaveLength(3);
    expect(await infra.db.prisma.tenant.count({ where: { workspace: { slug: "piquetickets" } } })).toBeGreaterThanOrEqual(50);
    expect(await infra.db.prisma.flag.count({ where: { workspace: { slug: "finance-suite" } } })).toBe(22);
  });

  it("enforces row-level security and the audit trigger on PGlite too", async () => {
    const { inWorkspace } = await import("../src/infra/db/scoped");
    const pique = await infra.db.prisma.workspace.findUniqueOrThrow({ where: { slug: "piquetickets" } });
    const tenants = await inWorkspace(infra.db.prisma, pique.id, (tx) => tx.tenant.findMany({ select: { workspaceId: true } }));
    expect(new Set(tenants.map((t) => t.workspaceId))).toEqual(new Set([pique.id]));
    await infra.db.prisma.auditEntry.create({ data: { workspaceId: pique.id, actorType: "system", action: "x", targetType: "y" } });
    await expect(infra.db.prisma.auditEntry.deleteMany({})).rejects.toThrow(/append-only/);
  });
});
