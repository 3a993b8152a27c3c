import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../paths";
import { backoffMs, digestDue, matches } from "./dispatcher";
import { generateWebhookSecret, signatureHeader, verifySignature } from "./signing";

const body = JSON.stringify({ id: "42", type: "flag_state.toggled", flag: "new-checkout" });
const secret = generateWebhookSecret();
const at = 1_796_425_200;

/** The `verify` function docs/webhooks.md shows receivers, exactly as written there. */
async function documentedVerify(): Promise<(header: string, rawBody: string, secret: string, now: number) => boolean> {
  const doc = readFileSync(path.join(REPO_ROOT, "docs", "webhooks.md"), "utf8");
  const code = /```js\n([\s\S]*?)```/.exec(doc)![1]!;
  const imports = code.split("\n").filter((line) => line.startsWith("import ")).join("\n");
  const fn = /export function verify[\s\S]*?\n}\n/.exec(code)![0];
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ensign-verify-")), "verify.mjs");
  writeFileSync(file, `${imports}\nconst SECRET = undefined;\nconst TOLERANCE_SECONDS = 300;\n${fn}`);
  return ((await import(pathToFileURL(file).href)) as { verify: never }).verify;
}

describe("webhook signatures", () => {
  it("sign the timestamp and the raw body with the secret, as t=…,v1=…", () => {
    const header = signatureHeader(secret, at, body);
    expect(header).toMatch(/^t=1796425200,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, header, body, at + 10)).toBe(true);
  });

  it("fail for another body, another secret, or a timestamp outside the tolerance", () => {
    const header = signatureHeader(secret, at, body);
    expect(verifySignature(secret, header, body.replace("42", "43"), at)).toBe(false);
    expect(verifySignature(generateWebhookSecret(), header, body, at)).toBe(false);
    expect(verifySignature(secret, header, body, at + 301)).toBe(false);
    expect(verifySignature(secret, header.replace(/t=\d+/, `t=${at + 1}`), body, at)).toBe(false);
    expect(verifySignature(secret, "v1=abc", body, at)).toBe(false);
  });

  it("verify with the code docs/webhooks.md gives receivers", async () => {
    const verify = await documentedVerify();
    const header = signatureHeader(secret, at, body);
    expect(verify(header, body, secret, at + 5)).toBe(true);
    expect(verify(header, `${body} `, secret, at + 5)).toBe(false);
    expect(verify(header, body, secret, at + 600)).toBe(false);
    expect(verify(undefined as never, body, secret, at)).toBe(false);
  });
});

describe("webhook filters", () => {
  const event = { type: "flag_state.toggled", environment_key: "production", tenant_key: null, flag_key: "checkout" };
  const none = { event_types: [], environments: [], flags: [], tenants: [] };
  it("pass everything when empty, and match types, families, environments, flags and tenants", () => {
    expect(matches(none, event)).toBe(true);
    expect(matches({ ...none, event_types: ["flag_state.*"] }, event)).toBe(true);
    expect(matches({ ...none, event_types: ["flag.*"] }, event)).toBe(false);
    expect(matches({ ...none, event_types: ["*"] }, event)).toBe(true);
    expect(matches({ ...none, environments: ["staging"] }, event)).toBe(false);
    expect(matches({ ...none, environments: ["staging"] }, { ...event, environment_key: null })).toBe(true);
    expect(matches({ ...none, flags: ["checkout"] }, event)).toBe(true);
    expect(matches({ ...none, flags: ["checkout"] }, { ...event, flag_key: null })).toBe(false);
    expect(matches({ ...none, tenants: ["acme"] }, event)).toBe(false);
    expect(matches({ ...none, tenants: ["acme"] }, { ...event, tenant_key: "acme" })).toBe(true);
  });
});

describe("delivery timing", () => {
  it("backs off exponentially from the base, at most an hour apart", () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 30_000))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffMs(20, 30_000)).toBe(3_600_000);
  });

  it("sends digests after the hour, or after midnight UTC", () => {
    const when = new Date("2026-12-06T21:40:12.000Z");
    expect(digestDue(when, "hourly").toISOString()).toBe("2026-12-06T22:00:00.000Z");
    expect(digestDue(when, "daily").toISOString()).toBe("2026-12-07T00:00:00.000Z");
  });
});
