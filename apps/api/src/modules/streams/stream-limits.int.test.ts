import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createApiKey } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { openStream } from "../../../test/helpers/sse";

type Stream = Awaited<ReturnType<typeof openStream>>;

describe("stream caps", () => {
  let t: TestApp;
  let base: string;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  const keys: string[] = [];
  const open: Stream[] = [];

  beforeAll(async () => {
    t = await createTestApp({ config: { STREAM_MAX_PER_KEY: "2", STREAM_MAX_PER_ADDRESS: "3" } });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    ws = await createWorkspace(t.db);
    for (let i = 0; i < 3; i++) keys.push((await createApiKey(t.db, ws.id, ws.environments[2]!.id, "client")).secret);
  });
  afterAll(async () => {
    for (const stream of open) stream.close();
    await t.close();
  });

  const stream = async (url: string, headers: Record<string, string> = {}) => {
    const opened = await openStream(`${base}${url}`, headers);
    if (opened.status === 200) open.push(opened);
    return opened;
  };

  /** Retries until the server has seen the earlier stream end and given its slot back (anti-hang deadline only). */
  async function eventually(url: string, headers: Record<string, string> = {}): Promise<Stream> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const opened = await stream(url, headers);
      if (opened.status === 200 || Date.now() > deadline) return opened;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("caps the streams of one key, then of one address, with 429 naming the cap, and gives slots back on close", async () => {
    const first = await stream(`/v1/stream?apiKey=${keys[0]}`);
    expect(first.status).toBe(200);
    expect((await stream(`/v1/stream?apiKey=${keys[0]}`)).status).toBe(200);

    const overKey = await fetch(`${base}/v1/stream?apiKey=${keys[0]}`);
    expect(overKey.status).toBe(429);
    expect(((await overKey.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "RATE_LIMITED",
      message: expect.stringContaining("STREAM_MAX_PER_KEY"),
    });

    // Another key from the same address: the third stream of this address is the last allowed.
    expect((await stream(`/v1/stream?apiKey=${keys[1]}`)).status).toBe(200);
    const overAddress = await fetch(`${base}/v1/stream?apiKey=${keys[2]}`);
    expect(overAddress.status).toBe(429);
    expect(((await overAddress.json()) as { error: { message: string } }).error.message).toContain("STREAM_MAX_PER_ADDRESS");

    first.close();
    expect((await eventually(`/v1/stream?apiKey=${keys[2]}`)).status).toBe(200);
  });

  it("caps the admin app's live stream too", async () => {
    for (const s of open.splice(0)) s.close();
    const headers = await memberHeaders(t.app, t.db, ws.id, "viewer");
    const url = `/v1/workspaces/${ws.slug}/events`;
    expect((await eventually(url.concat(`?accessToken=${headers.authorization.slice(7)}`))).status).toBe(200);
    expect((await eventually(url, headers)).status).toBe(200);
    const over = await fetch(`${base}${url}`, { headers });
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: { message: string } }).error.message).toContain("STREAM_MAX_PER_KEY");
  });
});
