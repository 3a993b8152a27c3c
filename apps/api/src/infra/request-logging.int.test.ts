import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../test/helpers/fixtures";
import { loggerOptions } from "../app";

/** What the server logs at `info`: JSON lines, with no end user's identity or context in them. */
describe("request logs", () => {
  let t: TestApp;
  const lines: string[] = [];
  let client: string;
  let server: string;

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    });
    t = await createTestApp({ logger: { ...loggerOptions("info"), stream } });
    const ws = await createWorkspace(t.db);
    const prod = ws.environments[2]!.id;
    await t.db.prisma.environment.update({ where: { id: prod }, data: { requireContextToken: false } });
    await createFlag(t.db, ws.id, { key: "kb", states: { [prod]: { enabled: true } } });
    client = (await createApiKey(t.db, ws.id, prod, "client")).secret;
    server = (await createApiKey(t.db, ws.id, prod, "server")).secret;
  });
  afterAll(() => t.close());

  it("logs evaluation requests without their query strings, and identity paths without the end user's key", async () => {
    const context = encodeURIComponent(JSON.stringify({ email: "alice@customer.example", plan: "gold-secret" }));
    expect((await t.app.inject({ method: "GET", url: `/v1/flags?tenantKey=tenant-secret&userKey=user-alice-123&context=${context}`, headers: apiKeyHeaders(client) })).statusCode).toBe(200);
    await t.app.inject({ method: "PUT", url: "/v1/identities/user-alice-123/traits", headers: apiKeyHeaders(server), payload: { traits: { stage: "onboarded" } } });
    await t.app.inject({ method: "GET", url: `/v1/stream?apiKey=${client}&contextToken=abc.def.ghi` , payloadAsStream: true }).then((res) => res.stream().destroy());
    await t.app.inject({ method: "GET", url: "/invite/ein_invitation-secret" });
    await t.app.inject({ method: "GET", url: "/reset/epr_reset-secret" });

    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const text = lines.join("\n");
    for (const secret of ["tenant-secret", "user-alice-123", "alice@customer.example", "gold-secret", client, server, "abc.def.ghi", "invitation-secret", "reset-secret"]) expect(text).not.toContain(secret);
    expect(text).toContain('"url":"/v1/flags?[redacted]"');
    expect(text).toContain('"url":"/v1/identities/[redacted]/traits"');
    expect(text).toContain('"url":"/invite/[redacted]"');
  });

  it("logs the single sign-on callback without its authorization code and state", async () => {
    await t.app.inject({ method: "GET", url: "/v1/auth/oidc/callback?code=code-from-the-provider&state=state-of-the-browser" });
    const text = lines.join("\n");
    expect(text).toContain('"url":"/v1/auth/oidc/callback?[redacted]"');
    for (const secret of ["code-from-the-provider", "state-of-the-browser"]) expect(text).not.toContain(secret);
  });
});
