import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createUser, login, PASSWORD } from "../../../test/helpers/fixtures";

describe("changing one's own password", () => {
  let t: TestApp;
  let email: string;

  beforeAll(async () => {
    t = await createTestApp();
    email = (await createUser(t.db)).email;
  });
  afterAll(() => t.close());

  const me = (headers: Record<string, string>) => t.app.inject({ method: "GET", url: "/v1/auth/me", headers });
  const change = (headers: Record<string, string>, body: object) => t.app.inject({ method: "POST", url: "/v1/auth/password", headers, payload: body });

  it("needs the current password and a new one that differs, naming the field otherwise", async () => {
    const { headers } = await login(t.app, email);
    const wrong = await change(headers, { currentPassword: "not it at all", newPassword: "a brand new password" });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details.issues).toEqual([{ path: "body.currentPassword", message: expect.any(String) }]);
    const same = await change(headers, { currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(same.json().error.details.issues[0].path).toBe("body.newPassword");
    const short = await change(headers, { currentPassword: PASSWORD, newPassword: "short" });
    expect(short.statusCode).toBe(400);
    expect((await change({}, { currentPassword: PASSWORD, newPassword: "a brand new password" })).statusCode).toBe(401);
  });

  it("changes it, ends the user's other sessions (access and refresh), and keeps this one", async () => {
    const other = await login(t.app, email);
    const current = await login(t.app, email);
    expect((await me(other.headers)).statusCode).toBe(200);

    expect((await change(current.headers, { currentPassword: PASSWORD, newPassword: "a brand new password" })).statusCode).toBe(204);

    expect((await me(current.headers)).statusCode).toBe(200);
    expect((await me(other.headers)).statusCode).toBe(401);
    const refreshed = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: other.refreshToken } });
    expect(refreshed.statusCode).toBe(401);
    expect((await t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password: PASSWORD } })).statusCode).toBe(401);
    expect((await login(t.app, email, "a brand new password")).token).toBeTruthy();
  });
});
