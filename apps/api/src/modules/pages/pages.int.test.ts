import type { LightMyRequestResponse } from "fastify";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createMember, createUser, createWorkspace, PASSWORD } from "../../../test/helpers/fixtures";
import { auditOf } from "../../../test/helpers/rows";
import { createTenants } from "../../../test/helpers/flags";

/** The page a browser without JavaScript sees: the `<noscript>` of the app's document. */
function noscript(res: LightMyRequestResponse): string {
  const match = /<noscript>([\s\S]*)<\/noscript>/.exec(res.body);
  if (!match) throw new Error(`no <noscript> in ${res.body.slice(0, 200)}`);
  return match[1]!;
}

const hidden = (page: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];

function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  return Object.fromEntries(res.cookies.filter((c) => c.value).map((c) => [c.name, c.value]));
}

describe("the pages without JavaScript", () => {
  let t: TestApp;
  let dist: string;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let owner: { email: string };
  let viewer: { email: string };

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), "ensign-pages-"));
    mkdirSync(path.join(dist, "assets"));
    writeFileSync(path.join(dist, "index.html"), '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script></body></html>');
    writeFileSync(path.join(dist, "assets", "app-1a2b.js"), "export {};");
    t = await createTestApp({ config: { ADMIN_DIST: dist } });
    ws = await createWorkspace(t.db);
    owner = await createMember(t.db, ws.id, "owner");
    viewer = await createMember(t.db, ws.id, "viewer");
    await createTenants(t.db, ws.id, ["acme", "globex"]);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dist, { recursive: true, force: true });
  });

  /** Signs in with the form, as a browser would: the form's token from its cookie, then the post. */
  async function signIn(email: string, next?: string) {
    const form = await t.app.inject({ method: "GET", url: "/login" });
    const csrf = hidden(noscript(form), "_csrf")!;
    const res = await t.app.inject({
      method: "POST",
      url: "/login",
      cookies: cookiesOf(form),
      payload: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD, ...(next ? { next } : {}) }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    return { res, cookies: cookiesOf(res) };
  }

  async function page(cookies: Record<string, string>, url = `/w/${ws.slug}/flags`) {
    const res = await t.app.inject({ method: "GET", url, cookies });
    return { res, html: noscript(res) };
  }

  const post = (url: string, cookies: Record<string, string>, fields: Record<string, string>) =>
    t.app.inject({ method: "POST", url, cookies, payload: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });

  it("serves the app's document at its URLs, with the sign-in form for a browser without JavaScript", async () => {
    const res = await t.app.inject({ method: "GET", url: `/w/${ws.slug}/flags` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain('<div id="root"></div><noscript>');
    expect(res.body).toContain("/assets/app-1a2b.js");
    const html = noscript(res);
    expect(html).toContain('action="/login"');
    expect(hidden(html, "next")).toBe(`/w/${ws.slug}/flags`);
  });

  it("signs in with the form, refuses a wrong password and a form without its token", async () => {
    const wrong = await t.app.inject({ method: "GET", url: "/login" });
    const bad = await post("/login", cookiesOf(wrong), { _csrf: hidden(noscript(wrong), "_csrf")!, email: owner.email, password: "not-it" });
    expect(bad.statusCode).toBe(401);
    expect(noscript(bad)).toContain("The email or password is not correct.");

    const forged = await post("/login", {}, { _csrf: "x".repeat(32), email: owner.email, password: PASSWORD });
    expect(forged.statusCode).toBe(403);
    expect(forged.cookies.find((c) => c.name === "ensign_page")).toBeUndefined();

    const { res, cookies } = await signIn(owner.email);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/w/${ws.slug}/flags`);
    const cookie = res.cookies.find((c) => c.name === "ensign_page")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    // The page session's cookie is no bearer token for the JSON API.
    const api = await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: { authorization: `Bearer ${cookies.ensign_page}` } });
    expect(api.statusCode).toBe(401);
  });

  it("goes back only to a path of this site after signing in", async () => {
    expect((await signIn(owner.email, "/w/x/flags?search=a")).res.headers.location).toBe("/w/x/flags?search=a");
    expect((await signIn(owner.email, "//evil.example/")).res.headers.location).toBe(`/w/${ws.slug}/flags`);
    expect((await signIn(owner.email, "https://evil.example/")).res.headers.location).toBe(`/w/${ws.slug}/flags`);
    expect((await signIn(owner.email, "/\t/evil.example/")).res.headers.location).toBe(`/w/${ws.slug}/flags`);
    expect((await signIn(owner.email, "/\\evil.example/")).res.headers.location).toBe(`/w/${ws.slug}/flags`);
  });

  it("creates, searches, switches and archives a flag through the services, each write audited", async () => {
    const { cookies } = await signIn(owner.email);
    let { html } = await page(cookies);
    const csrf = hidden(html, "_csrf")!;

    const created = await post(`/w/${ws.slug}/flags`, cookies, { _csrf: csrf, key: "nojs-checkout", name: "Checkout <b>new</b>", description: "" });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe(`/w/${ws.slug}/flags?notice=created&flag=nojs-checkout`);
    await post(`/w/${ws.slug}/flags`, cookies, { _csrf: csrf, key: "other-thing", name: "Other" });

    ({ html } = await page(cookies, `/w/${ws.slug}/flags?search=checkout`));
    expect(html).toContain("nojs-checkout");
    expect(html).not.toContain("other-thing");
    // Output is escaped: the name's markup shows as text.
    expect(html).toContain("Checkout &lt;b&gt;new&lt;/b&gt;");
    expect(html).not.toContain("<b>new</b>");

    const version = /action="\/w\/[^"]+\/flags\/nojs-checkout\/toggle">[\s\S]*?name="env" value="production">[\s\S]*?name="version" value="(\d+)"/.exec(html)![1]!;
    // Production asks first: nothing changes until the confirmation is posted.
    await t.db.prisma.environment.updateMany({ where: { workspaceId: ws.id, key: "production" }, data: { isProduction: true } });
    const asked = await post(`/w/${ws.slug}/flags/nojs-checkout/toggle`, cookies, { _csrf: csrf, env: "production", enabled: "true", version, search: "checkout" });
    expect(asked.statusCode).toBe(200);
    expect(noscript(asked)).toContain("Turn on nojs-checkout in production?");
    expect(hidden(noscript(asked), "confirm")).toBe("yes");
    // It says whom the switch reaches, as the app's confirmation does: here nobody, as the flag serves its off variant.
    expect(noscript(asked)).toContain("No tenant's value of nojs-checkout changes in production (2 tenants checked).");
    expect((await t.app.services.flags.get(ws.id, "nojs-checkout", "production")).environments.find((e) => e.environment === "production")?.enabled).toBe(false);
    const toggled = await post(`/w/${ws.slug}/flags/nojs-checkout/toggle`, cookies, { _csrf: csrf, env: "production", enabled: "true", version, search: "checkout", confirm: "yes" });
    expect(toggled.statusCode).toBe(303);
    expect(toggled.headers.location).toBe(`/w/${ws.slug}/flags?search=checkout&notice=on&flag=nojs-checkout&env=production`);
    const state = await t.app.services.flags.get(ws.id, "nojs-checkout", "production");
    expect(state.environments.find((e) => e.environment === "production")?.enabled).toBe(true);

    // The same version again is a stale form: refused with the reason, nothing written.
    const stale = await post(`/w/${ws.slug}/flags/nojs-checkout/toggle`, cookies, { _csrf: csrf, env: "production", enabled: "false", version, confirm: "yes" });
    expect(stale.statusCode).toBe(412);
    expect(noscript(stale)).toContain('role="alert"');

    // Serving on to everyone, switching it off reaches both tenants, named.
    const served = await t.app.services.flagState.update(ws.id, "nojs-checkout", "production", Number(version) + 1, { fallthrough: { variant: "on" } }, { type: "user", id: "test", email: owner.email });
    const askOff = () => post(`/w/${ws.slug}/flags/nojs-checkout/toggle`, cookies, { _csrf: csrf, env: "production", enabled: "false", version: String(served.version) });
    await expect.poll(async () => noscript(await askOff()), { timeout: 10_000 }).toContain("This <strong>turns nojs-checkout off for 2 tenants</strong> in production (2 tenants checked):");
    expect(noscript(await askOff())).toContain("<ul><li>acme</li><li>globex</li></ul>");

    const flagVersion = /name="version" value="(\d+)">\s*<button class="danger"/.exec((await page(cookies)).html)![1]!;
    const archived = await post(`/w/${ws.slug}/flags/nojs-checkout/archive`, cookies, { _csrf: csrf, version: flagVersion });
    expect(archived.statusCode).toBe(303);
    expect((await page(cookies)).html).not.toContain("nojs-checkout");

    for (const action of ["flag.created", "flag_state.toggled", "flag.archived"]) {
      const entries = await auditOf(t.db, ws.id, action);
      expect(entries.length, action).toBeGreaterThan(0);
      expect(entries.at(-1)).toMatchObject({ actorType: "user", actorEmail: owner.email });
    }
  });

  it("refuses a write without the session's token, and sends a post without a session to sign in", async () => {
    const { cookies } = await signIn(owner.email);
    const other = await signIn(owner.email);
    const otherToken = hidden((await page(other.cookies)).html, "_csrf")!;
    const forged = await post(`/w/${ws.slug}/flags`, cookies, { _csrf: otherToken, key: "forged", name: "Forged" });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe("FORBIDDEN");

    const anonymous = await post(`/w/${ws.slug}/flags`, {}, { key: "forged", name: "Forged" });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent(`/w/${ws.slug}/flags`)}`);
    expect(await t.db.prisma.flag.count({ where: { workspaceId: ws.id, key: "forged" } })).toBe(0);
  });

  it("gives a viewer no forms to write with, and refuses their writes as the JSON routes do", async () => {
    const { cookies } = await signIn(viewer.email);
    const { html } = await page(cookies);
    expect(html).not.toContain("Create a flag");
    const csrf = hidden(html, "_csrf")!;
    const res = await post(`/w/${ws.slug}/flags`, cookies, { _csrf: csrf, key: "by-viewer", name: "By viewer" });
    expect(res.statusCode).toBe(403);
    expect(noscript(res)).toContain("does not allow this");
  });

  it("shows no other workspace's flags", async () => {
    const other = await createWorkspace(t.db);
    const { cookies } = await signIn(owner.email);
    const { res, html } = await page(cookies, `/w/${other.slug}/flags`);
    expect(res.statusCode).toBe(404);
    expect(html).toContain("was not found");
  });

  it("signs out: the session ends", async () => {
    const { cookies } = await signIn(owner.email);
    const csrf = hidden((await page(cookies)).html, "_csrf")!;
    const out = await post("/logout", cookies, { _csrf: csrf });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe("/login?signedOut=1");
    const after = await page(cookies);
    expect(after.html).toContain('action="/login"');
  });

  it("lists a user's workspaces at the root", async () => {
    const user = await createUser(t.db);
    await t.db.prisma.membership.create({ data: { workspaceId: ws.id, userId: user.id, role: "editor" } });
    const { cookies } = await signIn(user.email);
    const { html } = await page(cookies, "/");
    expect(html).toContain(`href="/w/${ws.slug}/flags"`);
  });
});
