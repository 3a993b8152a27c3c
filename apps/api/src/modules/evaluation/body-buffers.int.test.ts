import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, publishChange } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";
import { bodyBuffer, recycleWhenSent } from "./body-buffers";

/** A server that answers every request with a lent body of `length` bytes, recycled when sent. */
async function lendingServer(length: number, lent: ArrayBufferLike[]): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    const body = bodyBuffer(length).fill(0x61);
    lent.push(body.buffer);
    recycleWhenSent(response, body);
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("body buffers", () => {
  it("lends a large body's memory again only after its answer was handed to the kernel", async () => {
    const lent: ArrayBufferLike[] = [];
    const { url, server } = await lendingServer(40_000, lent);
    try {
      expect((await (await fetch(url)).arrayBuffer()).byteLength).toBe(40_000);
      expect((await (await fetch(url)).arrayBuffer()).byteLength).toBe(40_000);
      // The second answer was written into the first one's memory.
      expect(lent[1]).toBe(lent[0]);
      // Small bodies are Node's own: never lent, never taken back.
      expect(bodyBuffer(1_000).buffer).not.toBe(lent[0]);
    } finally {
      server.close();
    }
  });

  it("never takes back memory from an answer that closed before it finished", async () => {
    const response = { once: (event: string) => expect(event).toBe("finish") } as unknown as Parameters<typeof recycleWhenSent>[0];
    const body = bodyBuffer(50_000);
    recycleWhenSent(response, body);
    // No `finish`: the memory stays lent, and the next body gets other memory.
    expect(bodyBuffer(50_000).buffer).not.toBe(body.buffer);
  });
});

describe("large bulk answers written into recycled buffers", () => {
  let t: TestApp;
  let url: string;
  let server: string;
  let client: string;
  const FLAGS = 300;

  beforeAll(async () => {
    t = await createTestApp();
    const ws = await createWorkspace(t.db);
    const prod = ws.environments[2]!;
    for (let i = 0; i < FLAGS; i++) {
      const rule = { conditions: [{ attribute: "role", operator: "equals" as const, values: ["owner"] }], serve: { variant: "on" } };
      await createFlag(t.db, ws.id, { key: `wide_flag_number_${String(i).padStart(3, "0")}`, states: { [prod.id]: { enabled: true, fallthrough: { variant: "off" }, rules: [rule] } } });
    }
    await publishChange(t.app, t.db, ws.id);
    server = (await createApiKey(t.db, ws.id, prod.id, "server")).secret;
    client = (await createApiKey(t.db, ws.id, prod.id, "client")).secret;
    url = await t.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => t.close());

  it("answers many concurrent requests of different contexts each with its own, whole body", async () => {
    const requests = Array.from({ length: 60 }, (_, i) => {
      const role = i % 3 === 0 ? "owner" : "guest";
      const asked =
        i % 2 === 0
          ? fetch(`${url}/ofrep/v1/evaluate/flags`, { method: "POST", headers: { ...apiKeyHeaders(server), "content-type": "application/json" }, body: JSON.stringify({ context: { targetingKey: `u${i}`, role } }) })
          : fetch(`${url}/v1/flags?targetingKey=u${i}&role=${role}`, { headers: apiKeyHeaders(client) });
      return asked.then(async (res) => ({ i, role, status: res.status, length: Number(res.headers.get("content-length")), text: await res.text() }));
    });
    const answers = await Promise.all(requests);
    for (const { i, role, status, length, text } of answers) {
      expect(status).toBe(200);
      expect(Buffer.byteLength(text)).toBe(length);
      // Past the size whose memory is recycled, for OFREP and the portal alike.
      expect(length).toBeGreaterThan(16 * 1024);
      const expected = role === "owner";
      if (i % 2 === 0) {
        const flags = (JSON.parse(text) as { flags: { key: string; value: unknown }[] }).flags;
        expect(flags).toHaveLength(FLAGS);
        expect(flags.every((flag) => flag.value === expected)).toBe(true);
      } else {
        const flags = Object.values((JSON.parse(text) as { flags: Record<string, { value: unknown }> }).flags);
        expect(flags).toHaveLength(FLAGS);
        expect(flags.every((flag) => flag.value === expected)).toBe(true);
      }
    }
  });
});
