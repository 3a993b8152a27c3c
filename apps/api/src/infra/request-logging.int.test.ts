import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../test/helpers/fixtures";
import { loggerOptions } from "../app";

/** An app logging at `level` into `lines`, with one flag and a client and a server key. */
async function loggingApp(level: string, lines: string[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const t = await createTestApp({ logger: { ...loggerOptions(level), stream } });
  const ws = await createWorkspace(t.db);
  const prod = ws.environments[2]!.id;
  await t.db.prisma.environment.update({ where: { id: prod }, data: { requireContextToken: false } });
  await createFlag(t.db, ws.id, { key: "kb", states: { [prod]: { enabled: true } } });
  const client = (await createApiKey(t.db, ws.id, prod, "client")).secret;
  const server = (await createApiKey(t.db, ws.id, prod, "server")).secret;
  return { t, client, server };
}

const CONTEXT = encodeURIComponent(JSON.stringify({ email: "alice@customer.example", plan: "gold-secret" }));
const PORTAL_URL = `/v1/flags?tenantKey=tenant-secret&userKey=user-alice-123&context=${CONTEXT}`;
const OFREP_BODY = { context: { targetingKey: "user-alice-123", tenantKey: "tenant-secret" } };

/** What the server logs at `info`: JSON lines, with no end user's identity or context in them. */
describe("request logs", () => {
  let t: TestApp;
  const lines: string[] = [];
  let client: string;
  let server: string;

  beforeAll(async () => {
    ({ t, client, server } = await loggingApp("info", lines));
  });
  afterAll(() => t.close());

  it("counts evaluation requests instead of logging them, and logs identity paths without the end user's key", async () => {
    expect((await t.app.inject({ method: "GET", url: PORTAL_URL, headers: apiKeyHeaders(client) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags/kb", headers: apiKeyHeaders(server), payload: OFREP_BODY })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(server), payload: OFREP_BODY })).statusCode).toBe(200);
    await t.app.inject({ method: "PUT", url: "/v1/identities/user-alice-123/traits", headers: apiKeyHeaders(server), payload: { traits: { stage: "onboarded" } } });
    await t.app.inject({ method: "GET", url: `/v1/stream?apiKey=${client}&contextToken=abc.def.ghi` , payloadAsStream: true }).then((res) => res.stream().destroy());
    await t.app.inject({ method: "GET", url: "/invite/ein_invitation-secret" });
    await t.app.inject({ method: "GET", url: "/reset/epr_reset-secret" });

    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const text = lines.join("\n");
    for (const secret of ["tenant-secret", "user-alice-123", "alice@customer.example", "gold-secret", client, server, "abc.def.ghi", "invitation-secret", "reset-secret"]) expect(text).not.toContain(secret);
    expect(text).not.toContain('"url":"/v1/flags');
    expect(text).not.toContain('"url":"/ofrep/v1/evaluate');
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

/** At `debug` every request is logged, evaluations too, still without their query strings. */
describe("request logs at debug", () => {
  let t: TestApp;
  const lines: string[] = [];
  let client: string;
  let server: string;

  beforeAll(async () => {
    ({ t, client, server } = await loggingApp("debug", lines));
  });
  afterAll(() => t.close());

  it("logs each evaluation request without its query string or context", async () => {
    expect((await t.app.inject({ method: "GET", url: PORTAL_URL, headers: apiKeyHeaders(client) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags/kb", headers: apiKeyHeaders(server), payload: OFREP_BODY })).statusCode).toBe(200);
    const text = lines.join("\n");
    expect(text).toContain('"url":"/v1/flags?[redacted]"');
    expect(text).toContain('"url":"/ofrep/v1/evaluate/flags/kb"');
    for (const secret of ["tenant-secret", "user-alice-123", "alice@customer.example", "gold-secret", client, server]) expect(text).not.toContain(secret);
  });
});
