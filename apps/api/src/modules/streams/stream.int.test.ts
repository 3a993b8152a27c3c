import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, toggleFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, login, createMember, memberHeaders } from "../../../test/helpers/fixtures";
import { flagsClient } from "../../../test/helpers/flags";
import { openStream } from "../../../test/helpers/sse";
import { waitUntil } from "../../../test/helpers/wait";

describe("live streams", () => {
  let t: TestApp;
  let base: string;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let client: string;
  let server: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { STREAM_HEARTBEAT_INTERVAL: "300ms" } });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    ws = await createWorkspace(t.db);
    prodId = ws.environments[2]!.id;
    await createFlag(t.db, ws.id, { key: "knowledge_base_enabled", states: { [prodId]: { enabled: true } } });
    client = (await createApiKey(t.db, ws.id, prodId, "client")).secret;
    server = (await createApiKey(t.db, ws.id, prodId, "server")).secret;
  });
  afterAll(() => t.close());

  // How fast each change arrives (p95 < 200 ms after its commit) is measured by `pnpm bench:stream`.
  it("sends the current version at once, then every change, with heartbeats", async () => {
    const stream = await openStream(`${base}/v1/stream?apiKey=${client}`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/text\/event-stream/);
    const first = await stream.next((e) => e.event === "change");
    const current = JSON.parse(first.data!) as { environment: string; version: number };
    expect(current.environment).toBe("production");
    expect(first.id).toBe(String(current.version));

    for (let i = 0; i < 20; i++) {
      const version = await toggleFlag(t.app, t.db, ws.id, prodId, "knowledge_base_enabled", i % 2 === 0);
      const event = await stream.next((e) => e.id === String(version));
      expect(JSON.parse(event.data!)).toEqual({ environment: "production", version });
    }
    await stream.next((e) => e.comment === "ping");
    stream.close();
  });

  it("resumes from Last-Event-ID: nothing when current, the current version when behind", async () => {
    const version = t.app.services.snapshots.peek(prodId)!.version;
    const upToDate = await openStream(`${base}/v1/stream`, { ...apiKeyHeaders(server), "last-event-id": String(version) });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(upToDate.events.filter((e) => e.event === "change")).toEqual([]);
    upToDate.close();

    const behind = await openStream(`${base}/v1/stream`, { ...apiKeyHeaders(server), "last-event-id": String(version - 3) });
    const caughtUp = await behind.next((e) => e.event === "change");
    expect(caughtUp.id).toBe(String(version));
    behind.close();
  });

  it("offers OFREP web providers a push stream of refetchEvaluation messages (client keys only)", async () => {
    const bulk = async (key: string) =>
      (await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(key), payload: { context: { targetingKey: "u1" } } })).json();
    const fromClient = await bulk(client);
    expect(fromClient.eventStreams).toEqual([{ type: "sse", url: `/v1/stream?format=ofrep&apiKey=${client}`, inactivityDelaySec: 120 }]);
    expect(fromClient.refreshConnections).toEqual(fromClient.eventStreams);
    expect((await bulk(server)).eventStreams).toBeUndefined();

    const stream = await openStream(`${base}${fromClient.eventStreams[0].url}`);
    const first = await stream.next((e) => e.data?.includes("refetchEvaluation") === true);
    expect(first.event).toBeUndefined();
    const version = await toggleFlag(t.app, t.db, ws.id, prodId, "knowledge_base_enabled", true);
    const next = await stream.next((e) => e.id === String(version));
    expect(JSON.parse(next.data!)).toMatchObject({ type: "refetchEvaluation", etag: `"${version}"` });
    stream.close();
  });

  it("sends server keys' SDK streams the flags a change replaced, as the replica holds them; client keys and OFREP streams only the version", async () => {
    const flags = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "admin"));
    const serverStream = await openStream(`${base}/v1/stream`, apiKeyHeaders(server));
    const clientStream = await openStream(`${base}/v1/stream`, apiKeyHeaders(client));
    const ofrepStream = await openStream(`${base}/v1/stream?format=ofrep&apiKey=${server}`);
    for (const stream of [serverStream, clientStream, ofrepStream]) await stream.next((e) => e.id !== undefined);
    const stateVersion = (await flags.state("knowledge_base_enabled", "production")).json().version as number;
    const enabled = !t.app.services.snapshots.peek(prodId)!.stored.flags.find((f) => f.key === "knowledge_base_enabled")!.state.enabled;

    expect((await flags.toggle("knowledge_base_enabled", "production", stateVersion, enabled)).statusCode).toBe(200);
    const event = await serverStream.next((e) => e.event === "change" && e.data!.includes('"delta"'));
    // What the stream heard is what this replica swapped in, made from the delta.
    const held = t.app.services.snapshots.peek(prodId)!;
    expect(held.source).toBe("delta");
    expect(event.id).toBe(String(held.version));
    const flag = held.stored.flags.find((f) => f.key === "knowledge_base_enabled")!;
    expect(flag.state.enabled).toBe(enabled);
    expect(JSON.parse(event.data!)).toEqual({ environment: "production", version: held.version, delta: { fromVersion: held.version - 1, flags: [flag] } });
    // The same flag a download of the new version holds.
    const config = await t.app.inject({ url: "/v1/config", headers: apiKeyHeaders(server) });
    expect(config.json().version).toBe(held.version);
    expect(JSON.parse(event.data!).delta.flags).toEqual(config.json().flags.filter((f: { key: string }) => f.key === "knowledge_base_enabled"));

    const plain = await clientStream.next((e) => e.id === String(held.version));
    expect(plain.event).toBe("change");
    expect(JSON.parse(plain.data!)).toEqual({ environment: "production", version: held.version });
    const ofrep = await ofrepStream.next((e) => e.id === String(held.version));
    expect(ofrep.data).not.toContain("knowledge_base_enabled");
    expect(JSON.parse(ofrep.data!)).toMatchObject({ type: "refetchEvaluation", etag: `"${held.version}"` });

    // A created tenant applies on the replica by delta, but SDKs replace flags only: a plain change.
    const admin = await memberHeaders(t.app, t.db, ws.id, "admin");
    expect((await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/tenants`, headers: admin, payload: { key: "stream-co", name: "Stream Co" } })).statusCode).toBe(201);
    await waitUntil(() => t.app.services.snapshots.peek(prodId)!.stored.tenants.some((tenant) => tenant.key === "stream-co"));
    const withTenant = t.app.services.snapshots.peek(prodId)!;
    expect(withTenant).toMatchObject({ source: "delta", delta: { tenants: [expect.objectContaining({ key: "stream-co" })] } });
    const tenantChange = await serverStream.next((e) => e.id === String(withTenant.version));
    expect(JSON.parse(tenantChange.data!)).toEqual({ environment: "production", version: withTenant.version });
    for (const stream of [serverStream, clientStream, ofrepStream]) stream.close();
  });

  it("refuses a stream without a valid key", async () => {
    expect((await openStream(`${base}/v1/stream`)).status).toBe(401);
    expect((await openStream(`${base}/v1/stream?apiKey=ens_cli_${"B".repeat(43)}`)).status).toBe(401);
  });

  it("tells the admin app which environment of its workspace changed, with ?accessToken=", async () => {
    const viewer = await createMember(t.db, ws.id, "viewer");
    const { token } = await login(t.app, viewer.email);
    const stream = await openStream(`${base}/v1/workspaces/${ws.slug}/events?accessToken=${token}`);
    expect(stream.status).toBe(200);
    const version = await toggleFlag(t.app, t.db, ws.id, prodId, "knowledge_base_enabled", true);
    const event = await stream.next((e) => e.event === "change");
    expect(JSON.parse(event.data!)).toEqual({ environment: "production", version });
    stream.close();

    const outsider = await openStream(`${base}/v1/workspaces/${ws.slug}/events`);
    expect(outsider.status).toBe(401);
  });
});
