import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, createTenant } from "../../../test/helpers/evaluation-fixtures";
import { openStream } from "../../../test/helpers/sse";

/** Polls until `check` passes; the deadline only guards against a hang. */
async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe("the environment master switch", () => {
  let t: TestApp;
  let base: string;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let url: string;
  let client: string;
  let server: string;
  let stagingClient: string;
  let otherClient: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    world = await adminWorld(t);
    headers = world.headers;
    const [, staging, prod] = world.ws.environments;
    url = `/v1/workspaces/${world.ws.slug}/environments/production/master-switch`;
    await createTenant(t.db, world.ws.id, "acme");
    const states = { [prod!.id]: { enabled: true }, [staging!.id]: { enabled: true } };
    await createFlag(t.db, world.ws.id, { key: "checkout", states });
    await createFlag(t.db, world.ws.id, { key: "reports", states: { [prod!.id]: { enabled: true, fallthrough: { variant: "off" } } } });
    await createFlag(t.db, world.ws.id, {
      key: "theme",
      type: "string",
      variants: [
        { key: "dark", value: "dark" },
        { key: "light", value: "light" },
      ],
      states: { [prod!.id]: { enabled: true, fallthrough: { variant: "dark" } } },
    });
    const overrides = `/v1/workspaces/${world.ws.slug}/flags/reports/environments/production`;
    const tenantOverride = await t.app.inject({ method: "PUT", url: `${overrides}/tenant-overrides/acme`, headers: headers.admin, payload: { variant: "on", locked: true } });
    expect(tenantOverride.statusCode).toBe(201);
    const userOverride = await t.app.inject({ method: "PUT", url: `${overrides}/user-overrides/u1`, headers: headers.admin, payload: { variant: "on" } });
    expect(userOverride.statusCode).toBe(201);
    client = (await createApiKey(t.db, world.ws.id, prod!.id, "client")).secret;
    server = (await createApiKey(t.db, world.ws.id, prod!.id, "server")).secret;
    stagingClient = (await createApiKey(t.db, world.ws.id, staging!.id, "client")).secret;
    const otherProd = world.other.environments[2]!;
    await createFlag(t.db, world.other.id, { key: "checkout", states: { [otherProd.id]: { enabled: true } } });
    otherClient = (await createApiKey(t.db, world.other.id, otherProd.id, "client")).secret;
  });
  afterAll(() => t.close());

  const ofrep = (key: string, context: unknown, secret = client) =>
    t.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags/${key}`, headers: apiKeyHeaders(secret), payload: { context } });
  const ofrepAll = (context: unknown) => t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(client), payload: { context } });
  const portal = (query: string) => t.app.inject({ method: "GET", url: `/v1/flags?${query}`, headers: apiKeyHeaders(client) });
  const set = (payload: object, caller: Caller = "admin") => t.app.inject({ method: "PUT", url, headers: headers[caller], payload });

  /** What the production flags answer while the switch is off: overrides and rules decide. */
  async function expectNormalAnswers() {
    expect((await ofrep("checkout", { targetingKey: "x" })).json()).toMatchObject({ value: true, reason: "STATIC" });
    expect((await ofrep("reports", { targetingKey: "u1" })).json()).toMatchObject({ value: true, metadata: { detail: "USER_OVERRIDE" } });
    expect((await ofrep("reports", { targetingKey: "x", tenantKey: "acme" })).json()).toMatchObject({ value: true, metadata: { detail: "TENANT_OVERRIDE_LOCKED" } });
    expect((await portal("targetingKey=u1")).json().flags).toMatchObject({ checkout: { value: true }, reports: { value: true }, theme: { value: "dark" } });
  }

  it("is off in every environment's read shape until someone turns it on", async () => {
    const res = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/environments/production`, headers: headers.viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json().masterSwitch).toEqual({ enabled: false, reason: null, changedAt: null, changedBy: null });
    await expectNormalAnswers();
  });

  it("only owners and admins may flip it", async () => {
    for (const caller of ["editor", "viewer", "tenant_admin"] as const) expect((await set({ enabled: true }, caller)).statusCode).toBe(403);
    expect((await set({ enabled: true }, "outsider")).statusCode).toBe(404);
    expect((await t.app.inject({ method: "PUT", url, payload: { enabled: true } })).statusCode).toBe(401);
    expect(await auditOf(t.db, world.ws.id, "environment.master_switch_on")).toEqual([]);
    await expectNormalAnswers();
  });

  it("refuses bad bodies and unknown environments in the one error shape", async () => {
    const bad = await set({ enabled: "yes", reason: "x".repeat(501), extra: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("VALIDATION_FAILED");
    expect(issuePaths(bad)).toEqual(expect.arrayContaining(["body.enabled", "body.reason"]));
    const missing = await t.app.inject({ method: "PUT", url: url.replace("production", "nowhere"), headers: headers.owner, payload: { enabled: true } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("NOT_FOUND");
  });

  it("turns every flag off in one audited write that reaches the stream, then lifting it brings the previous answers back", async () => {
    const stream = await openStream(`${base}/v1/stream`, apiKeyHeaders(server));
    await stream.next((e) => e.event === "change");
    const before = (await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/environments/production`, headers: headers.viewer })).json();

    const on = await set({ enabled: true, reason: "checkout outage, incident 142" });
    expect(on.statusCode).toBe(200);
    const turnedOn = on.json();
    expect(turnedOn.masterSwitch).toMatchObject({ enabled: true, reason: "checkout outage, incident 142", changedBy: expect.stringContaining("@") as string });
    expect(Date.parse(turnedOn.masterSwitch.changedAt)).not.toBeNaN();
    expect(turnedOn.snapshotVersion).toBe(before.snapshotVersion + 1);
    expect(on.headers.etag).toBe(`"${turnedOn.version}"`);
    const event = await stream.next((e) => e.id === String(turnedOn.snapshotVersion));
    expect(JSON.parse(event.data!)).toEqual({ environment: "production", version: turnedOn.snapshotVersion });

    const [entry] = await auditOf(t.db, world.ws.id, "environment.master_switch_on");
    expect(entry).toMatchObject({ actorRole: "admin", environmentKey: "production", targetType: "environment", targetKey: "production" });
    expect(entry!.before).toEqual({ masterSwitch: false });
    expect(entry!.after).toEqual({ masterSwitch: true, reason: "checkout outage, incident 142" });

    const off = { reason: "DISABLED", metadata: { detail: "MASTER_SWITCH" } };
    await eventually(async () => expect((await ofrep("checkout", { targetingKey: "x" })).json()).toMatchObject({ value: false, variant: "off", ...off }));
    expect((await ofrep("reports", { targetingKey: "u1" })).json()).toMatchObject({ value: false, ...off });
    expect((await ofrep("reports", { targetingKey: "x", tenantKey: "acme" })).json()).toMatchObject({ value: false, ...off });
    expect((await ofrep("theme", { targetingKey: "x" })).json()).toMatchObject({ value: "light", variant: "light", ...off });
    const bulk = (await ofrepAll({ targetingKey: "u1", tenantKey: "acme" })).json().flags as { key: string; value: unknown; reason: string }[];
    expect(bulk.map((f) => [f.key, f.value, f.reason])).toEqual([
      ["checkout", false, "DISABLED"],
      ["reports", false, "DISABLED"],
      ["theme", "light", "DISABLED"],
    ]);
    const flags = (await portal("targetingKey=u1&tenantKey=acme")).json().flags;
    expect(flags).toMatchObject({ checkout: { value: false, reason: "DISABLED" }, reports: { value: false, reason: "DISABLED" }, theme: { value: "light", reason: "DISABLED" } });
    const config = await t.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) });
    expect(config.json()).toMatchObject({ masterSwitch: true, version: turnedOn.snapshotVersion });

    // Other environments and other workspaces answer as before.
    expect((await ofrep("checkout", { targetingKey: "x" }, stagingClient)).json()).toMatchObject({ value: true, reason: "STATIC" });
    expect((await ofrep("checkout", { targetingKey: "x" }, otherClient)).json()).toMatchObject({ value: true, reason: "STATIC" });

    // Asking again for the state it is in changes and records nothing.
    const again = await set({ enabled: true, reason: "someone else noticed" }, "owner");
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ snapshotVersion: turnedOn.snapshotVersion, version: turnedOn.version, masterSwitch: { reason: "checkout outage, incident 142" } });
    expect(await auditOf(t.db, world.ws.id, "environment.master_switch_on")).toHaveLength(1);

    const lifted = await set({ enabled: false }, "owner");
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json()).toMatchObject({ masterSwitch: { enabled: false, reason: null }, snapshotVersion: turnedOn.snapshotVersion + 1 });
    await stream.next((e) => e.id === String(lifted.json().snapshotVersion));
    stream.close();
    const [liftedEntry] = await auditOf(t.db, world.ws.id, "environment.master_switch_off");
    expect(liftedEntry).toMatchObject({ actorRole: "owner", environmentKey: "production" });
    expect(liftedEntry!.after).toEqual({ masterSwitch: false, reason: null });

    await eventually(async () => expect((await ofrep("checkout", { targetingKey: "x" })).json()).toMatchObject({ value: true, reason: "STATIC" }));
    await expectNormalAnswers();
    expect((await t.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) })).json().masterSwitch).toBe(false);
  });
});
