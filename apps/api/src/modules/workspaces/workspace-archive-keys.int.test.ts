import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReplicas, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../../test/helpers/evaluation-fixtures";
import { createUser, createWorkspace, login } from "../../../test/helpers/fixtures";
import { HANG_GUARD_MS } from "../../../test/helpers/wait";

/** An archived workspace is closed to its API keys too, on every replica, at once. */
describe("archiving a workspace", () => {
  let replicas: Awaited<ReturnType<typeof createReplicas>>;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    replicas = await createReplicas(2);
    [a, b] = replicas.apps as [TestApp, TestApp];
  });
  afterAll(() => replicas.close());

  it("refuses the workspace's server and client keys on both replicas, and leaves other workspaces' keys alone", async () => {
    const ws = await createWorkspace(a.db);
    const other = await createWorkspace(a.db);
    const keys: string[] = [];
    await createFlag(a.db, ws.id, { key: "kb", states: { [ws.environments[0]!.id]: { enabled: true } } });
    for (const env of ws.environments) keys.push((await createApiKey(a.db, ws.id, env.id, "server")).secret, (await createApiKey(a.db, ws.id, env.id, "client")).secret);
    const survivor = (await createApiKey(a.db, other.id, other.environments[0]!.id, "server")).secret;
    const flags = (app: TestApp, key: string) => app.app.inject({ method: "GET", url: "/v1/flags?targetingKey=u", headers: apiKeyHeaders(key) });
    for (const app of [a, b]) for (const key of [...keys, survivor]) expect((await flags(app, key)).statusCode).toBe(200);

    const superadmin = await createUser(a.db, { superadmin: true });
    const archived = await a.app.inject({ method: "DELETE", url: `/v1/workspaces/${ws.slug}`, headers: (await login(a.app, superadmin.email)).headers });
    expect(archived.statusCode).toBe(204);

    await expect.poll(async () => (await flags(b, keys[0]!)).statusCode, { timeout: HANG_GUARD_MS, interval: 10 }).toBe(401);
    for (const app of [a, b]) {
      for (const key of keys) {
        expect((await flags(app, key)).statusCode).toBe(401);
        expect((await app.app.inject({ method: "PUT", url: "/v1/identities/u/traits", headers: apiKeyHeaders(key), payload: { traits: {} } })).statusCode).toBe(401);
      }
      expect((await flags(app, survivor)).statusCode).toBe(200);
    }
  });
});
