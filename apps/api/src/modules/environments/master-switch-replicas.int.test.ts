import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReplicas, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, createTenant } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { openStream } from "../../../test/helpers/sse";
import { waitUntil } from "../../../test/helpers/wait";

/**
 * The master switch as any change: flipped through replica A, it reaches replica B by message
 * (B's safety-net poll is an hour away), B's stream tells its SDKs, and B answers every flag
 * with its off variant until the switch is lifted, again through A.
 */
describe("the master switch across replicas", () => {
  let replicas: Awaited<ReturnType<typeof createReplicas>>;
  let a: TestApp;
  let b: TestApp;
  let bUrl: string;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let server: string;
  let owner: Record<string, string>;

  beforeAll(async () => {
    replicas = await createReplicas(2, { SNAPSHOT_POLL_INTERVAL: "1h" });
    [a, b] = replicas.apps as [TestApp, TestApp];
    await b.app.listen({ host: "127.0.0.1", port: 0 });
    bUrl = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
    ws = await createWorkspace(a.db);
    const prod = ws.environments[2]!;
    await createTenant(a.db, ws.id, "acme");
    await createFlag(a.db, ws.id, { key: "checkout", states: { [prod.id]: { enabled: true } } });
    await createFlag(a.db, ws.id, { key: "reports", states: { [prod.id]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: ["acme"] } } });
    server = (await createApiKey(a.db, ws.id, prod.id, "server")).secret;
    owner = await memberHeaders(a.app, a.db, ws.id, "owner");
  });
  afterAll(() => replicas.close());

  const onB = async (flag: string) =>
    (await b.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags/${flag}`, headers: apiKeyHeaders(server), payload: { context: { targetingKey: "u", tenantKey: "acme" } } })).json() as {
      value: unknown;
      reason: string;
      metadata?: { detail?: string };
    };
  const flipOnA = (payload: object) => a.app.inject({ method: "PUT", url: `/v1/workspaces/${ws.slug}/environments/production/master-switch`, headers: owner, payload });

  it("turned on through replica A, replica B's stream and answers follow; lifted through A, B answers as before", async () => {
    expect(await onB("checkout")).toMatchObject({ value: true, reason: "STATIC" });
    expect(await onB("reports")).toMatchObject({ value: true });
    const stream = await openStream(`${bUrl}/v1/stream`, apiKeyHeaders(server));
    try {
      await stream.next((e) => e.event === "change");

      const on = await flipOnA({ enabled: true, reason: "incident 142" });
      expect(on.statusCode).toBe(200);
      const version = on.json().snapshotVersion as number;
      await stream.next((e) => e.event === "change" && e.id === String(version));
      await waitUntil(async () => (await onB("checkout")).metadata?.detail === "MASTER_SWITCH");
      expect(await onB("checkout")).toMatchObject({ value: false, reason: "DISABLED", metadata: { detail: "MASTER_SWITCH" } });
      expect(await onB("reports")).toMatchObject({ value: false, reason: "DISABLED", metadata: { detail: "MASTER_SWITCH" } });
      const config = await b.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) });
      expect(config.json()).toMatchObject({ masterSwitch: true, version });

      const off = await flipOnA({ enabled: false });
      expect(off.statusCode).toBe(200);
      await stream.next((e) => e.event === "change" && e.id === String(off.json().snapshotVersion));
      await waitUntil(async () => (await onB("checkout")).reason === "STATIC");
      expect(await onB("reports")).toMatchObject({ value: true });
    } finally {
      stream.close();
    }
  });
});
