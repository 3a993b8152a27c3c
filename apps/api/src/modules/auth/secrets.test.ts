import { describe, expect, it } from "vitest";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "./passwords";
import { accessTokenKindOf, apiKeyKindOf, generateAccessToken, generateApiKey, sha256 } from "./secrets";

describe("API keys", () => {
  it("are 256-bit secrets of a recognisable kind, stored only as their SHA-256", () => {
    const server = generateApiKey("server");
    const client = generateApiKey("client");
    expect(server.secret).toMatch(/^ens_srv_[A-Za-z0-9_-]{43}$/);
    expect(client.secret).toMatch(/^ens_cli_/);
    expect(server.hash).toBe(sha256(server.secret));
    expect(server.hash).not.toContain(server.secret.slice(8));
    expect(server.secret.startsWith(server.prefix)).toBe(true);
    expect(apiKeyKindOf(server.secret)).toBe("server");
    expect(apiKeyKindOf(client.secret)).toBe("client");
    expect(apiKeyKindOf("ens_srv_short")).toBeUndefined();
    expect(generateApiKey("server").secret).not.toBe(server.secret);
  });
});

describe("access tokens", () => {
  it("are 256-bit secrets with a prefix telling personal from service tokens and from JWTs", () => {
    const personal = generateAccessToken("personal");
    const service = generateAccessToken("service");
    expect(personal.secret).toMatch(/^ens_pat_[A-Za-z0-9_-]{43}$/);
    expect(service.secret).toMatch(/^ens_svc_[A-Za-z0-9_-]{43}$/);
    expect(personal.hash).toBe(sha256(personal.secret));
    expect(personal.secret.startsWith(personal.prefix)).toBe(true);
    expect(accessTokenKindOf(personal.secret)).toBe("personal");
    expect(accessTokenKindOf(service.secret)).toBe("service");
    expect(accessTokenKindOf("eyJhbGciOiJIUzI1NiJ9.e30.sig")).toBeUndefined();
    expect(accessTokenKindOf(generateApiKey("server").secret)).toBeUndefined();
  });
});

describe("passwords", () => {
  it("hash with a salt and verify only the right password", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).not.toBe(b);
    expect(a.startsWith("scrypt$")).toBe(true);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse battery!", a)).toBe(false);
    expect(await verifyPassword("anything", DUMMY_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword("anything", "md5$nope")).toBe(false);
  });
});
