import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createReplicas, createTestApp, type TestApp } from "../helpers/app";
import { createUser, PASSWORD } from "../helpers/fixtures";
import { inOneLoginWindow } from "../helpers/wait";

const LIMIT = 3;

/**
 * Password guessing is slowed per address and account, per account from any address, and per
 * address over any account, with the counts shared by every replica: 429 RATE_LIMITED in the
 * error shape with Retry-After, before the password is even checked.
 */
describe("brute-force sign-in", () => {
  let t: TestApp;
  let attacks = 0;

  beforeAll(async () => {
    t = await createTestApp({ config: { LOGIN_RATE_LIMIT: String(LIMIT) } });
  });
  afterAll(() => {
    console.info(`brute-force attacks checked: ${attacks}`);
    return t.close();
  });

  // Each test counts attempts that must fall in one fixed window of the throttle.
  beforeEach(() => inOneLoginWindow(), 20_000);

  const attempt = (app: TestApp["app"], email: string, remoteAddress = "198.51.100.1", password = "guess-guess-guess") =>
    app.inject({ method: "POST", url: "/v1/auth/login", remoteAddress, payload: { email, password } });

  function expectLimited(res: Awaited<ReturnType<typeof attempt>>) {
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ error: { code: "RATE_LIMITED", message: expect.stringMatching(/try again in \d+ s/), requestId: expect.any(String) } });
    const retryAfter = Number(res.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }

  it("stops one address guessing one account, even with the right password, whatever the email's case", async () => {
    attacks++;
    const user = await createUser(t.db);
    const statuses = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await attempt(t.app, i % 2 ? user.email.toUpperCase() : user.email, "198.51.100.7")).statusCode);
    expect(statuses).toEqual([401, 401, 401]);
    expectLimited(await attempt(t.app, user.email, "198.51.100.7", PASSWORD));
  });

  it("stops guesses at one account spread over many addresses", async () => {
    attacks++;
    const user = await createUser(t.db);
    const statuses = [];
    for (let i = 0; i < LIMIT * 4; i++) statuses.push((await attempt(t.app, user.email, `203.0.113.${i + 1}`)).statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT * 3);
    expect(statuses.slice(LIMIT * 3)).toEqual(Array(LIMIT).fill(429));
    expectLimited(await attempt(t.app, user.email, "203.0.113.200", PASSWORD));
  });

  it("stops one address trying many accounts", async () => {
    attacks++;
    const statuses = [];
    for (let i = 0; i < LIMIT * 6; i++) statuses.push((await attempt(t.app, `victim-${i}@example.test`, "192.0.2.9")).statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT * 5);
    expectLimited(await attempt(t.app, "victim-last@example.test", "192.0.2.9"));
  });

  it("leaves other accounts and addresses alone", async () => {
    attacks++;
    const user = await createUser(t.db);
    const res = await attempt(t.app, user.email, "198.51.100.99", PASSWORD);
    expect(res.statusCode).toBe(200);
  });

  it("counts across replicas: a second replica does not reset the budget", async () => {
    attacks++;
    const replicas = await createReplicas(2, { LOGIN_RATE_LIMIT: String(LIMIT) });
    try {
      const [a, b] = replicas.apps as [TestApp, TestApp];
      const user = await createUser(a.db);
      const statuses = [];
      for (let i = 0; i < LIMIT * 2; i++) statuses.push((await attempt(i % 2 ? b.app : a.app, user.email, "198.51.100.50")).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    } finally {
      await replicas.close();
    }
  });
});
