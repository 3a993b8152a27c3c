import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, type Caller, type Headers } from "../helpers/admin";
import { createTestApp, type TestApp } from "../helpers/app";
import { apiKeyHeaders, createApiKey } from "../helpers/evaluation-fixtures";
import { createUser } from "../helpers/fixtures";

/**
 * Inputs an outside attack run found that our own suites did not: strings PostgreSQL cannot
 * store, requests Node's HTTP parser refuses, and LIKE wildcards in searches. Each is a 4xx in
 * the one error shape, and nothing is written.
 */
describe("malformed input", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let serverKey: string;
  let base: string;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    serverKey = (await createApiKey(t.db, world.ws.id, world.ws.environments[2]!.id, "server")).secret;
    base = `/v1/workspaces/${world.ws.slug}`;
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  const shape = { error: { code: "VALIDATION_FAILED", message: expect.any(String), requestId: expect.any(String) } };

  describe("strings PostgreSQL cannot store (NUL, unpaired surrogates)", () => {
    const cases: [string, () => { method: "GET" | "PUT" | "POST"; url: string; headers: Headers; payload?: string }, string][] = [
      ["a viewer's flag search with NUL", () => ({ method: "GET", url: `${base}/flags?search=a%00b`, headers: headers.viewer }), "query.search"],
      ["a tenant admin's audit filter with NUL", () => ({ method: "GET", url: `/v1/tenant/audit?action=a%00b`, headers: headers.tenant_admin }), "query.action"],
      [
        "a server key's traits with NUL",
        () => ({
          method: "PUT",
          url: "/v1/identities/x/traits",
          headers: { ...apiKeyHeaders(serverKey), "content-type": "application/json" },
          payload: '{"traits":{"x":"a\\u0000b"}}',
        }),
        "body.traits.x",
      ],
      [
        "an owner's tenant name with a lone high surrogate",
        () => ({
          method: "POST",
          url: `${base}/tenants`,
          headers: { ...headers.owner, "content-type": "application/json" },
          payload: '{"key":"surrogate-tenant","name":"a\\ud800b"}',
        }),
        "body.name",
      ],
      [
        "a lone low surrogate in a JSON key",
        () => ({
          method: "PUT",
          url: "/v1/identities/y/traits",
          headers: { ...apiKeyHeaders(serverKey), "content-type": "application/json" },
          payload: '{"traits":{"\\udc00":"v"}}',
        }),
        "body.traits (a key)",
      ],
      ["a NUL in a path segment", () => ({ method: "GET", url: `${base}/flags/a%00b`, headers: headers.viewer }), "params.key"],
    ];

    it.each(cases)("refuses %s with 400 naming the field", async (_name, request, field) => {
      const before = await t.db.prisma.auditEntry.count();
      const res = await t.app.inject(request());
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject(shape);
      expect(res.json().error.details.issues[0].path).toBe(field);
      expect(await t.db.prisma.auditEntry.count()).toBe(before);
    });

    it("still stores a valid surrogate pair (an emoji)", async () => {
      const res = await t.app.inject({
        method: "POST",
        url: `${base}/tenants`,
        headers: headers.owner,
        payload: { key: "emoji-tenant", name: "Théâtre 🎭" },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().name).toBe("Théâtre 🎭");
    });
  });

  describe("requests Node's HTTP parser refuses", () => {
    /** Sends raw bytes and reads the whole answer until the server closes the connection. */
    function raw(text: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const socket = connect(port, "127.0.0.1");
        let answer = "";
        socket.setEncoding("latin1");
        socket.on("data", (chunk) => (answer += chunk));
        socket.on("close", () => resolve(answer));
        socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? resolve(answer) : reject(error)));
        socket.write(text);
      });
    }

    function parsed(answer: string) {
      const [head = "", body = ""] = answer.split("\r\n\r\n");
      return { status: Number(head.split(" ")[1]), head, body: JSON.parse(body) as unknown };
    }

    it("answers a bare CR inside a header with 400 in the one error shape", async () => {
      const res = parsed(await raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n"));
      expect(res.status).toBe(400);
      expect(res.head).toMatch(/content-type: application\/json/i);
      expect(res.body).toMatchObject(shape);
    });

    it("answers a 70 KB URL with 431 in the one error shape", async () => {
      const res = parsed(await raw(`GET /v1/flags?x=${"a".repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
      expect(res.status).toBe(431);
      expect(res.body).toMatchObject(shape);
    });
  });

  describe("LIKE wildcards in searches match themselves", () => {
    beforeAll(async () => {
      const user = await createUser(t.db, { email: "plain_member@example.test" });
      await t.db.prisma.membership.create({ data: { workspaceId: world.ws.id, userId: user.id, role: "viewer" } });
    });

    it.each([
      ["members", "members", "%25"],
      ["members", "members", "t_st"],
      ["segments", "segments", "%25"],
      ["API keys", "api-keys", "%25"],
      ["environments", "environments", "%25"],
      ["modules", "modules", "%25"],
      ["tenants", "tenants", "%25"],
      ["flags", "flags", "%25"],
    ])("in %s", async (_name, path, term) => {
      const all = await t.app.inject({ method: "GET", url: `${base}/${path}`, headers: headers.owner });
      expect(all.statusCode).toBe(200);
      const res = await t.app.inject({ method: "GET", url: `${base}/${path}?search=${term}`, headers: headers.owner });
      expect(res.statusCode).toBe(200);
      const { items, total } = res.json() as { items: unknown[]; total: number };
      expect({ items: items.length, total }).toEqual({ items: 0, total: 0 });
    });

    it("an underscore still finds a name that holds one", async () => {
      const res = await t.app.inject({ method: "GET", url: `${base}/members?search=plain_m`, headers: headers.owner });
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((m: { email: string }) => m.email)).toEqual(["plain_member@example.test"]);
    });

    it("an audit action prefix takes % literally", async () => {
      const all = await t.app.inject({ method: "GET", url: `${base}/audit`, headers: headers.owner });
      expect(all.json().items.length).toBeGreaterThan(0);
      const res = await t.app.inject({ method: "GET", url: `${base}/audit?action=${encodeURIComponent("%*")}`, headers: headers.owner });
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toEqual([]);
    });
  });
});
