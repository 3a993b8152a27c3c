import type { FastifyInstance } from "fastify";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { loadConfig } from "../src/config";
import { openInfrastructure, type Infrastructure } from "../src/infra/bootstrap";
import { API_KEY_REVOKED_CHANNEL } from "../src/modules/api-access/api-key-revocations";
import { buildSnapshot } from "../src/modules/snapshots/snapshot-builder";
import { snapshotsRepository } from "../src/modules/snapshots/snapshots.repository";
import { DEMO_USERS } from "../src/seed/demo-data";

/** The workspace admin API on the embedded database (PGlite) and the in-process cache, with the demo data. */
describe("workspace administration in embedded mode", () => {
  let infra: Infrastructure;
  let app: FastifyInstance;
  let authorization: string;
  const quiet = { info: () => undefined, warn: () => undefined };
  const ws = (suffix: string) => `/v1/workspaces/piquetickets${suffix}`;

  beforeAll(async () => {
    const config = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), "ensign-admin-")), LOG_LEVEL: "silent", ADMIN_DIST: "/nonexistent" });
    infra = await openInfrastructure(config, quiet);
    app = await buildApp({ config, db: infra.db, cache: infra.cache });
    const admin = DEMO_USERS[0];
    const login = await app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: admin.email, password: admin.password } });
    authorization = `Bearer ${login.json().accessToken}`;
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await infra.cache.close();
    await infra.db.close();
  });

  const call = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method, url, payload: payload as string, headers: { authorization, ...headers } });

  it("creates an environment with a state for every flag, and counts segment usage", async () => {
    const created = await call("POST", ws("/environments"), { key: "qa", name: "QA" });
    expect(created.statusCode).toBe(201);
    expect(await infra.db.prisma.flagState.count({ where: { environmentId: created.json().id } })).toBe(3);
    const segments = await call("GET", ws("/segments"));
    expect(segments.json().items).toEqual([expect.objectContaining({ key: "beta-producers", usedByFlags: 0 })]);
  });

  it("applies a flag's change to the snapshot in memory from the change's own delta", async () => {
    const production = await infra.db.prisma.environment.findFirstOrThrow({ where: { key: "production", workspace: { slug: "piquetickets" } } });
    await app.services.snapshots.get(production.id);
    const state = ws("/flags/knowledge_base_enabled/environments/production");
    const { version, enabled } = (await call("GET", state)).json();
    const toggled = await app.inject({ method: "PUT", url: `${state}/enabled`, payload: { enabled: !enabled }, headers: { authorization, "if-match": `"${version}"` } });
    expect(toggled.statusCode).toBe(200);
    const entry = app.services.snapshots.peek(production.id)!;
    expect(entry).toMatchObject({ source: "delta", version: production.snapshotVersion + 1 });
    expect(entry.stored.flags.find((flag) => flag.key === "knowledge_base_enabled")?.state.enabled).toBe(!enabled);
    const built = buildSnapshot((await snapshotsRepository.load(infra.db.sql, production.id))!);
    expect(JSON.stringify({ ...entry.stored, generatedAt: "" })).toBe(JSON.stringify({ ...built, generatedAt: "" }));
  });

  it("keeps the last owner, and lists members", async () => {
    const members = await call("GET", ws("/members?role=owner"));
    const owner = members.json().items[0];
    const demote = await call("PATCH", ws(`/members/${owner.id}`), { role: "admin" }, { "if-match": `"${owner.version}"` });
    expect(demote.statusCode).toBe(409);
  });

  it("revokes API keys through the in-process channel", async () => {
    const heard: string[] = [];
    const unsubscribe = await infra.cache.subscribe(API_KEY_REVOKED_CHANNEL, (message) => heard.push(message));
    const key = await call("POST", ws("/environments/production/api-keys"), { name: "Portal", kind: "client" });
    const revoked = await call("POST", ws(`/environments/production/api-keys/${key.json().id}/revoke`));
    expect(revoked.statusCode).toBe(200);
    await expect.poll(() => heard.length).toBe(1);
    await unsubscribe();
  });

  it("exports a demo workspace and imports it into an empty one", async () => {
    const exported = await call("GET", "/v1/workspaces/finance-suite/export");
    expect(exported.statusCode).toBe(200);
    const created = await call("POST", "/v1/workspaces", { slug: "finance-copy", name: "Finance copy" });
    expect(created.statusCode).toBe(201);
    const imported = await call("POST", "/v1/workspaces/finance-copy/import", { document: exported.json(), mode: "empty-only" });
    expect(imported.statusCode).toBe(200);
    expect(imported.json().summary).toMatchObject({ flags: 22, tenants: 5 });
    const audit = await call("GET", "/v1/workspaces/finance-copy/audit?action=workspace.");
    expect(audit.json().items.map((e: { action: string }) => e.action)).toEqual(["workspace.imported", "workspace.created"]);
  });
});
