import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { loggerOptions } from "../../app";
import { createUser } from "../../../test/helpers/fixtures";

const PUBLIC_URL = "http://ensign.test";
const REDIRECT_URL = `${PUBLIC_URL}/v1/auth/oidc/callback`;
const CLIENT = { client_id: "ensign", client_secret: "a-client-secret-only-these-tests-know" };

/** The provider's people: its account id, the email it vouches for, and whether it verified it. */
const ACCOUNTS: Record<string, { email: string; email_verified: boolean }> = {
  ada: { email: "Ada@Example.test", email_verified: true },
  stranger: { email: "stranger@example.test", email_verified: true },
  unverified: { email: "grace@example.test", email_verified: false },
  disabled: { email: "off@example.test", email_verified: true },
};

/**
 * A real OpenID Connect provider on a random port. Its login and consent step is completed in
 * code, as whichever account `signInAs` names, so the whole flow runs over HTTP without a browser.
 */
async function startProvider() {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state = { signInAs: "ada" };
  const provider = new Provider(issuer, {
    clients: [{ ...CLIENT, redirect_uris: [REDIRECT_URL], response_types: ["code"], grant_types: ["authorization_code"] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: "test-key" }] },
    cookies: { keys: ["a-cookie-key-only-these-tests-know"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    async findAccount(_ctx, id) {
      const account = ACCOUNTS[id];
      return account && { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
  });
  const handle = provider.callback();
  server.on("request", (req, res) => {
    if (!req.url?.startsWith("/interaction/")) return void handle(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ accountId: state.signInAs, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: state.signInAs }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  return { issuer, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Follows the provider's redirects with its cookies until it sends the browser back to Ensign. */
async function atProvider(url: string): Promise<URL> {
  const jar = new Map<string, string>();
  let next = url;
  for (let hop = 0; hop < 10; hop++) {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const res = await fetch(next, { redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair!.split("=");
      jar.set(name!.trim(), value.join("="));
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`the provider stopped at ${next} with ${res.status}: ${await res.text()}`);
    const target = new URL(location, next);
    if (target.href.startsWith(REDIRECT_URL)) return target;
    next = target.href;
  }
  throw new Error("the provider redirected too often");
}

describe("single sign-on through an OpenID Connect provider", () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let t: TestApp;
  let ada: Awaited<ReturnType<typeof createUser>>;
  const logLines: string[] = [];

  beforeAll(async () => {
    provider = await startProvider();
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    });
    t = await createTestApp({
      logger: { ...loggerOptions("info"), stream },
      config: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: CLIENT.client_id,
        OIDC_CLIENT_SECRET: CLIENT.client_secret,
        OIDC_LABEL: "Test IdP",
        PUBLIC_URL,
        PASSWORD_LOGIN: "false",
      },
    });
    ada = await createUser(t.db, { email: "ada@example.test" });
    await createUser(t.db, { email: "grace@example.test" });
    await createUser(t.db, { email: "off@example.test", disabled: true });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  /** Starts at Ensign, signs in at the provider as `account`, and comes back; `tamper` may alter the way back. */
  async function signIn(account: string, tamper: (callback: URL) => void = () => {}, next?: string) {
    provider.state.signInAs = account;
    const start = await t.app.inject({ method: "GET", url: `/v1/auth/oidc/start${next ? `?next=${encodeURIComponent(next)}` : ""}` });
    expect(start.statusCode).toBe(302);
    const transaction = start.cookies.find((c) => c.name === "ensign_oidc")!;
    expect(transaction).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/v1/auth/oidc" });
    const authorization = new URL(start.headers.location as string);
    expect(authorization.origin).toBe(provider.issuer);
    expect(authorization.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorization.searchParams.get("nonce")).toBeTruthy();

    const callback = await atProvider(authorization.href);
    tamper(callback);
    const back = await t.app.inject({
      method: "GET",
      url: `${callback.pathname}${callback.search}`,
      cookies: { ensign_oidc: transaction.value },
    });
    expect(back.statusCode).toBe(303);
    return { location: new URL(back.headers.location as string), refresh: back.cookies.find((c) => c.name === "ensign_refresh" && c.value) };
  }

  it("signs in the Ensign user whose verified email the provider vouches for, with a session like a password sign-in", async () => {
    const { location, refresh } = await signIn("ada", undefined, "/w/demo/flags");
    expect(location.href).toBe(`${PUBLIC_URL}/w/demo/flags`);
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/v1/auth" });

    // The admin app trades the cookie for an access token, as on any reload.
    const tokens = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", cookies: { ensign_refresh: refresh!.value } });
    expect(tokens.statusCode).toBe(200);
    const me = await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: { authorization: `Bearer ${tokens.json().accessToken}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: ada.id, email: "ada@example.test" });
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { id: ada.id } });
    expect(user.lastLoginAt).not.toBeNull();
    const signedIn = logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === "signed in through single sign-on");
    expect(signedIn).toMatchObject({ userId: ada.id, method: "oidc" });
    // Neither the authorization code nor the person's email reaches the logs.
    expect(logLines.join("\n")).not.toMatch(/code=|Ada@Example\.test/i);
  });

  it("never lands anywhere but the admin app", async () => {
    const { location } = await signIn("ada", undefined, "//evil.example/steal");
    expect(location.href).toBe(`${PUBLIC_URL}/`);
  });

  it.each([
    ["an email no Ensign user has", "stranger", "sso_unknown_user"],
    ["an email the provider has not verified", "unverified", "sso_unverified"],
    ["a disabled user", "disabled", "sso_unknown_user"],
  ])("refuses %s and creates nobody", async (_name, account, code) => {
    const users = await t.db.prisma.user.count();
    const { location, refresh } = await signIn(account);
    expect(`${location.origin}${location.pathname}`).toBe(`${PUBLIC_URL}/login`);
    expect(location.searchParams.get("error")).toBe(code);
    expect(refresh).toBeUndefined();
    expect(await t.db.prisma.user.count()).toBe(users);
    expect(logLines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === "single sign-on refused").at(-1)).toMatchObject({ code });
  });

  it("refuses an answer whose state was tampered with, or that comes without this browser's transaction", async () => {
    const tampered = await signIn("ada", (callback) => callback.searchParams.set("state", "forged-state"));
    expect(tampered.location.searchParams.get("error")).toBe("sso_state");
    expect(tampered.refresh).toBeUndefined();

    provider.state.signInAs = "ada";
    const start = await t.app.inject({ method: "GET", url: "/v1/auth/oidc/start" });
    const callback = await atProvider(start.headers.location as string);
    const attempts: Record<string, string>[] = [{}, { ensign_oidc: "not-a-sealed-transaction" }];
    for (const cookies of attempts) {
      const back = await t.app.inject({ method: "GET", url: `${callback.pathname}${callback.search}`, cookies });
      expect(back.statusCode).toBe(303);
      expect(new URL(back.headers.location as string).searchParams.get("error")).toBe("sso_expired");
      expect(back.cookies.find((c) => c.name === "ensign_refresh")).toBeUndefined();
    }
  });

  it("refuses a code that was already used", async () => {
    provider.state.signInAs = "ada";
    const start = await t.app.inject({ method: "GET", url: "/v1/auth/oidc/start" });
    const cookies = { ensign_oidc: start.cookies.find((c) => c.name === "ensign_oidc")!.value };
    const callback = await atProvider(start.headers.location as string);
    const url = `${callback.pathname}${callback.search}`;
    const first = await t.app.inject({ method: "GET", url, cookies });
    expect(new URL(first.headers.location as string).pathname).toBe("/");
    const replay = await t.app.inject({ method: "GET", url, cookies });
    expect(new URL(replay.headers.location as string).searchParams.get("error")).toBe("sso_failed");
  });

  it("with password sign-in switched off, refuses the password route and says so to the login page", async () => {
    const res = await t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: "ada@example.test", password: "whatever-it-is" } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: "FORBIDDEN", message: expect.stringContaining("Test IdP"), requestId: expect.any(String) } });

    const providers = await t.app.inject({ method: "GET", url: "/v1/auth/providers" });
    expect(providers.json()).toEqual({ password: false, oidc: { label: "Test IdP", startUrl: "/v1/auth/oidc/start" } });
  });

  it("without OIDC configuration, offers only the password and has no single sign-on", async () => {
    const plain = await createTestApp({ database: t.database });
    try {
      expect((await plain.app.inject({ method: "GET", url: "/v1/auth/providers" })).json()).toEqual({ password: true, oidc: null });
      for (const url of ["/v1/auth/oidc/start", "/v1/auth/oidc/callback?code=x&state=y"]) {
        const res = await plain.app.inject({ method: "GET", url });
        expect(res.statusCode).toBe(404);
        expect(res.json().error.code).toBe("NOT_FOUND");
      }
    } finally {
      await plain.close();
    }
  });
});
