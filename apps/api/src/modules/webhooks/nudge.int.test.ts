import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders, unique } from "../../../test/helpers/fixtures";
import { HANG_GUARD_MS } from "../../../test/helpers/wait";

describe("the dispatcher in a running API", () => {
  let t: TestApp;
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      received.push((JSON.parse(body) as { type: string }).type);
      res.writeHead(204).end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    // A pass an hour: only the notification a commit sends can bring the delivery sooner.
    t = await createTestApp({ config: { SCHEDULER_ENABLED: "true", SCHEDULER_INTERVAL: "1h", WEBHOOK_INTERVAL: "1h", OUTBOUND_ALLOW: "127.0.0.1" } });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("delivers as soon as a change commits, nudged by PostgreSQL's notification, not at the next interval", async () => {
    const ws = await createWorkspace(t.db);
    const owner = await memberHeaders(t.app, t.db, ws.id, "owner");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const hook = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/webhooks`, headers: owner, payload: { name: "nudged", url, eventTypes: ["flag.created"] } });
    expect(hook.statusCode).toBe(201);
    const key = unique("flag");
    const flag = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/flags`, headers: owner, payload: { key, name: key, type: "boolean" } });
    expect(flag.statusCode).toBe(201);
    await expect.poll(() => received, { timeout: HANG_GUARD_MS }).toEqual(["flag.created"]);
  });
});
