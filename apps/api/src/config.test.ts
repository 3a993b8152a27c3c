import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, weakSecretReason } from "./config";

const dataDir = () => mkdtempSync(path.join(tmpdir(), "ensign-config-"));

describe("loadConfig", () => {
  it("runs embedded with defaults when nothing is set, keeping a generated JWT secret under DATA_DIR", () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({ port: 3000, host: "127.0.0.1", embedded: { database: true, cache: true }, seedDemo: true });
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dir, "jwt-secret"), "utf8").trim()).toBe(config.jwtSecret);
    expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBe(config.jwtSecret);
  });

  it("uses real services when their URLs are set", () => {
    const config = loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: "postgresql://u@h/db", REDIS_URL: "redis://h:6379", JWT_SECRET: "s".repeat(32) });
    expect(config.embedded).toEqual({ database: false, cache: false });
    expect(config.seedDemo).toBe(false);
  });

  it("takes PUBLIC_URL without its trailing slash, an empty one as unset, and refuses one that is not an http(s) URL", () => {
    const base = { DATA_DIR: dataDir() };
    expect(loadConfig({ ...base, PUBLIC_URL: "https://flags.example.com/" }).accounts).toEqual({ publicUrl: "https://flags.example.com", invitationTtlMs: 7 * 86_400_000, passwordResetTtlMs: 3_600_000 });
    expect(loadConfig({ ...base, PUBLIC_URL: "", INVITATION_TTL: "2d", PASSWORD_RESET_TTL: "30m" }).accounts).toEqual({ publicUrl: null, invitationTtlMs: 2 * 86_400_000, passwordResetTtlMs: 1_800_000 });
    expect(() => loadConfig({ ...base, PUBLIC_URL: "flags.example.com" })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ ...base, PUBLIC_URL: "javascript:alert(1)" })).toThrow(/PUBLIC_URL/);
  });

  it("names every bad variable", () => {
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", JWT_SECRET: "short", ACCESS_TOKEN_TTL: "soon" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.join("\n");
      for (const name of ["PORT", "DATABASE_URL", "JWT_SECRET", "ACCESS_TOKEN_TTL"]) expect(issues).toContain(name);
    }
  });

  it("has single sign-on off and password sign-in on unless configured", () => {
    expect(loadConfig({ DATA_DIR: dataDir() })).toMatchObject({ oidc: null, passwordLogin: true });
  });

  it("reads single sign-on, deriving the callback and the admin app's address from PUBLIC_URL", () => {
    const sso = { OIDC_ISSUER: "https://id.example.com/realms/acme", OIDC_CLIENT_ID: "ensign", OIDC_CLIENT_SECRET: "s3cret" };
    expect(loadConfig({ DATA_DIR: dataDir(), ...sso, PUBLIC_URL: "https://flags.example.com/", PASSWORD_LOGIN: "false" })).toMatchObject({
      passwordLogin: false,
      oidc: {
        issuer: "https://id.example.com/realms/acme",
        redirectUrl: "https://flags.example.com/v1/auth/oidc/callback",
        appUrl: "https://flags.example.com",
        scopes: "openid email profile",
        label: "single sign-on",
      },
    });
    const explicit = loadConfig({ DATA_DIR: dataDir(), ...sso, OIDC_REDIRECT_URL: "https://flags.example.com/v1/auth/oidc/callback", OIDC_SCOPES: "openid  email", OIDC_LABEL: "Acme" });
    expect(explicit.oidc).toMatchObject({ appUrl: "https://flags.example.com", scopes: "openid email", label: "Acme" });
  });

  it("refuses half a single sign-on configuration, a plain-http provider off localhost, and switching every way of signing in off", () => {
    const sso = { OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "ensign", OIDC_CLIENT_SECRET: "s3cret", PUBLIC_URL: "https://flags.example.com" };
    expect(() => loadConfig({ DATA_DIR: dataDir(), OIDC_ISSUER: sso.OIDC_ISSUER })).toThrow(/OIDC_CLIENT_ID[\s\S]*OIDC_CLIENT_SECRET[\s\S]*OIDC_REDIRECT_URL/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...sso, OIDC_ISSUER: "http://id.example.com" })).toThrow(/OIDC_ISSUER: must be an https/);
    expect(loadConfig({ DATA_DIR: dataDir(), ...sso, OIDC_ISSUER: "http://127.0.0.1:8080" }).oidc?.issuer).toBe("http://127.0.0.1:8080");
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...sso, OIDC_SCOPES: "email profile" })).toThrow(/OIDC_SCOPES/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), PASSWORD_LOGIN: "false" })).toThrow(/PASSWORD_LOGIN/);
  });

  it("requires JWT_SECRET for production on a real database", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgresql://u@h/db", DATA_DIR: dataDir() })).toThrow(/JWT_SECRET/);
  });

  it("refuses in production a JWT_SECRET that is a placeholder, short or too regular, saying how to make one", () => {
    const production = (secret: string) => () =>
      loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgresql://u@h/db", DATA_DIR: dataDir(), JWT_SECRET: secret });
    for (const [secret, reason] of [
      ["change-me-to-a-long-random-secret-of-your-own", /placeholder/],
      ["s".repeat(40), /randomness/],
      ["abcdefghijklmnop".repeat(3), /pattern/],
      ["0123456789abcdef0123456789abcdef0", /placeholder|pattern/],
      ["Zq8#".repeat(10), /randomness|pattern/],
    ] as const) {
      expect(production(secret)).toThrow(reason);
      expect(production(secret)).toThrow(/openssl rand/);
    }
    const strong = randomBytes(48).toString("base64url");
    expect(loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgresql://u@h/db", DATA_DIR: dataDir(), JWT_SECRET: strong }).jwtSecret).toBe(strong);
    // Outside production the check does not stand in the way of local setups and tests.
    expect(loadConfig({ DATA_DIR: dataDir(), JWT_SECRET: "s".repeat(40) }).jwtSecret).toBe("s".repeat(40));
  });

  it("judges secrets by what an attacker could guess", () => {
    expect(weakSecretReason(randomBytes(32).toString("hex"))).toBeNull();
    expect(weakSecretReason(randomBytes(24).toString("base64"))).toBeNull();
    expect(weakSecretReason("short")).toMatch(/shorter than 32/);
  });

  it("parses durations and lists", () => {
    const config = loadConfig({ DATA_DIR: dataDir(), ACCESS_TOKEN_TTL: "5m", REFRESH_TOKEN_TTL: "7d", CORS_ORIGINS: "https://a.test, https://b.test" });
    expect(config.accessTokenTtlMs).toBe(300_000);
    expect(config.refreshTokenTtlMs).toBe(7 * 86_400_000);
    expect(config.corsOrigins).toEqual(["https://a.test", "https://b.test"]);
  });
});
