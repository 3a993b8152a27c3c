import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../apps/api/test/helpers/app";
import { createTenant } from "../../../apps/api/test/helpers/evaluation-fixtures";
import { createMember, createWorkspace, login } from "../../../apps/api/test/helpers/fixtures";
import { runCli } from "./run-cli";

/**
 * Every command of the built `ensign` bin against the real API on a port: what it changes, what
 * it prints (tab-separated when piped, JSON with --json), the API's messages and the exit codes.
 */
describe("ensign commands against the real API", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let dir: string;
  let url: string;
  let token: string;
  let env: Record<string, string>;
  let session: Record<string, string>;

  const cli = (...args: string[]) => runCli(args, { env });
  const api = async <T>(route: string, workspace = ws.slug): Promise<T> => {
    const res = await t.app.inject({ method: "GET", url: `/v1/workspaces/${workspace}${route}`, headers: session });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as T;
  };

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    await createTenant(t.db, ws.id, "acme");
    const owner = await createMember(t.db, ws.id, "owner");
    session = (await login(t.app, owner.email)).headers;
    const made = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: session, payload: { name: "ci", role: "admin" } });
    token = made.json().secret;
    url = await t.app.listen({ host: "127.0.0.1", port: 0 });
    dir = await mkdtemp(path.join(tmpdir(), "ensign-cli-"));
    env = { ENSIGN_URL: url, ENSIGN_TOKEN: token, ENSIGN_WORKSPACE: ws.slug, HOME: dir, XDG_CONFIG_HOME: path.join(dir, "config") };
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("creates, lists, reads, switches and archives flags", async () => {
    const created = await cli("flags", "create", "new_checkout", "--name", "New checkout", "--tag", "web", "--tag", "q3", "--json");
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ key: "new_checkout", name: "New checkout", tags: ["web", "q3"], type: "boolean" });
    const theme = await cli("flags", "create", "theme", "--type", "string", "--variant", "light=light", "--variant", "dark=dark", "--off-variant", "light", "--on-variant", "dark");
    expect(theme.code, theme.stderr).toBe(0);

    const enabled = await cli("flags", "enable", "new_checkout", "--env", "staging");
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toBe("new_checkout is on in staging: serves variant off.\n");
    expect(await api("/flags/new_checkout/environments/staging")).toMatchObject({ enabled: true });
    expect((await cli("flags", "enable", "new_checkout", "--env", "staging")).stdout).toContain("(it was already)");

    // Piped: one tab-separated row per flag, no header, an environment per column.
    const list = await cli("flags", "list");
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.trim().split("\n")).toEqual(["new_checkout\tNew checkout\tboolean\t-\toff (disabled)\toff\toff (disabled)", "theme\ttheme\tstring\t-\toff (disabled)\toff (disabled)\toff (disabled)"]);
    const json = JSON.parse((await cli("flags", "list", "--env", "staging", "--json")).stdout) as { items: { key: string; environments: { environment: string; enabled: boolean }[] }[] };
    expect(json.items.map((f) => [f.key, f.environments.map((e) => `${e.environment}:${e.enabled}`)])).toEqual([
      ["new_checkout", ["staging:true"]],
      ["theme", ["staging:false"]],
    ]);

    const got = await cli("flags", "get", "new_checkout");
    expect(got.stdout).toContain("name\tNew checkout");
    expect(got.stdout).toContain("staging\tyes\toff");

    const disabled = await cli("flags", "disable", "new_checkout", "--env", "staging", "--json");
    expect(JSON.parse(disabled.stdout)).toMatchObject({ environment: "staging", enabled: false });

    expect((await cli("flags", "archive", "theme")).stdout).toBe("Archived flag theme.\n");
    expect((await api<{ archivedAt: string | null }>("/flags/theme")).archivedAt).not.toBeNull();
    const archived = await cli("flags", "list", "--archived");
    expect(archived.stdout.split("\t")[0]).toBe("theme");
  });

  it("rolls a flag out by percentage, bucketed by an attribute, and back to everyone", async () => {
    const rollout = await cli("flags", "rollout", "new_checkout", "--env", "production", "--percent", "12.5", "--by", "tenantKey");
    expect(rollout.code, rollout.stderr).toBe(0);
    expect(rollout.stderr).toContain("new_checkout is disabled in production: the rollout applies once it is enabled");
    expect(await api("/flags/new_checkout/environments/production")).toMatchObject({
      fallthrough: { split: { allocations: [{ variant: "on", weight: 12_500 }, { variant: "off", weight: 87_500 }], bucketBy: "tenantKey" } },
    });
    expect((await cli("flags", "rollout", "new_checkout", "--env", "production", "--percent", "100")).stdout).toBe("new_checkout in production serves variant on.\n");
    const bad = await cli("flags", "rollout", "new_checkout", "--env", "production", "--percent", "101");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--percent must be a number from 0 to 100");
  });

  it("sets and clears tenant and user overrides", async () => {
    const set = await cli("overrides", "set", "new_checkout", "--env", "production", "--tenant", "acme", "--lock");
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe("new_checkout in production serves on to tenant acme, locked.\n");
    // Setting again replaces it (the CLI sends the version it read).
    expect((await cli("overrides", "set", "new_checkout", "--env", "production", "--tenant", "acme", "--variant", "off")).code).toBe(0);
    expect(await api("/flags/new_checkout/environments/production/tenant-overrides/acme")).toMatchObject({ variant: "off", locked: true });

    const user = await cli("overrides", "set", "new_checkout", "--env", "production", "--user", "u-7", "--expires", "2099-01-01T00:00:00Z", "--json");
    expect(JSON.parse(user.stdout)).toMatchObject({ userKey: "u-7", variant: "on", expiresAt: "2099-01-01T00:00:00.000Z" });

    expect((await cli("overrides", "clear", "new_checkout", "--env", "production", "--tenant", "acme")).stdout).toBe("Cleared new_checkout's override for tenant acme in production.\n");
    expect((await cli("overrides", "clear", "new_checkout", "--env", "production", "--user", "u-7")).code).toBe(0);
    expect((await cli("overrides", "clear", "new_checkout", "--env", "production", "--user", "u-7")).stdout).toContain("nothing to clear");
    const list = await api<{ total: number }>("/flags/new_checkout/environments/production/tenant-overrides");
    expect(list.total).toBe(0);

    const both = await cli("overrides", "set", "new_checkout", "--env", "production", "--tenant", "acme", "--user", "u-7");
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("Name exactly one of --tenant <key> and --user <key>.");
  });

  it("schedules a rollout and lists it", async () => {
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const created = await cli("schedules", "create", "new_checkout", "--env", "production", "--at", at, "--percent", "50");
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("Scheduled rollout 50% of new_checkout in production at");
    const listed = JSON.parse((await cli("schedules", "list", "new_checkout", "--env", "production", "--json")).stdout) as { items: { action: unknown; status: string }[] };
    expect(listed.items).toEqual([expect.objectContaining({ action: { type: "set_rollout", percentage: 50 }, status: "pending" })]);
    const neither = await cli("schedules", "create", "new_checkout", "--env", "production", "--at", at);
    expect(neither.code).toBe(1);
  });

  it("creates an API key whose secret alone goes to stdout, and it evaluates", async () => {
    const created = await cli("keys", "create", "--env", "production", "--name", "web shop", "--kind", "server");
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^ens_srv_/);
    expect(created.stderr).toContain("it is not shown again");
    const config = await fetch(`${url}/v1/config`, { headers: { authorization: `Bearer ${secret}` } });
    expect(config.status).toBe(200);
    const keys = JSON.parse((await cli("keys", "list", "--json")).stdout) as { items: { name: string; prefix: string }[] };
    expect(keys.items).toEqual([expect.objectContaining({ name: "web shop", prefix: secret.slice(0, keys.items[0]!.prefix.length) })]);
  });

  it("exports a workspace to a file and imports it into an empty one, with progress", async () => {
    const file = path.join(dir, "export.json");
    const exported = await cli("export", "--output", file);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain("export [1/2] reading workspace");
    const doc = JSON.parse(await readFile(file, "utf8")) as { flags: { key: string }[] };
    expect(doc.flags.map((f) => f.key).sort()).toEqual(["new_checkout", "theme"]);

    const target = await createWorkspace(t.db);
    const owner = await createMember(t.db, target.id, "owner");
    const headers = (await login(t.app, owner.email)).headers;
    const made = await t.app.inject({ method: "POST", url: `/v1/workspaces/${target.slug}/service-tokens`, headers, payload: { name: "import", role: "admin" } });
    const imported = await runCli(["import", file, "--workspace", target.slug], { env: { ...env, ENSIGN_TOKEN: made.json().secret } });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain("import [3/3] importing 2 flags into");
    expect(imported.stdout).toContain("flags\t2");
    const res = await t.app.inject({ method: "GET", url: `/v1/workspaces/${target.slug}/flags/new_checkout`, headers });
    expect(res.statusCode).toBe(200);

    // The workspace is no longer empty: the API's refusal, with its message, exit 2.
    const again = await runCli(["import", file, "--workspace", target.slug], { env: { ...env, ENSIGN_TOKEN: made.json().secret } });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/Error: .+/);
    expect(again.stderr).toContain("HTTP 409");
  });

  it("stores a login with mode 0600 and uses it without ENSIGN_TOKEN", async () => {
    const home = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, "login-config") };
    const logged = await runCli(["login", "--url", url, "--workspace", ws.slug, "--token-stdin"], { env: home, stdin: `${token}\n` });
    expect(logged.code, logged.stderr).toBe(0);
    const file = path.join(dir, "login-config", "ensign", "config.json");
    expect(logged.stdout).toContain(`Stored in ${file}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ url, token, workspace: ws.slug });

    const list = await runCli(["flags", "list", "--json"], { env: home });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).items.length).toBeGreaterThan(0);

    const bad = await runCli(["login", "--url", url, "--workspace", ws.slug, "--token-stdin"], { env: home, stdin: "ens_svc_not-a-real-token" });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("The service token is not valid, has expired or was revoked.");

    expect((await runCli(["logout"], { env: home })).stdout).toContain("Removed");
    const after = await runCli(["flags", "list"], { env: home });
    expect(after.code).toBe(3);
    expect(after.stderr).toContain("Not signed in");
  });

  it("answers distinct exit codes with the API's message", async () => {
    const missing = await cli("flags", "get", "no_such_flag");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^Error: .*no_such_flag.*\n {2}\(NOT_FOUND, HTTP 404, request .+\)\n$/);

    const revoked = await runCli(["flags", "list"], { env: { ...env, ENSIGN_TOKEN: "ens_svc_revoked" } });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toContain("UNAUTHENTICATED, HTTP 401");

    const closed = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await runCli(["flags", "list"], { env: { ...env, ENSIGN_URL: closed } });
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain(`Cannot reach the API at ${closed}: ECONNREFUSED`);

    const usage = await cli("flags", "enable", "new_checkout");
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("required option '--env <env>' not specified");

    const unknown = await cli("flags", "frobnicate");
    expect(unknown.code).toBe(1);

    const noWorkspace = await runCli(["flags", "list"], { env: { ...env, ENSIGN_WORKSPACE: "" } });
    expect(noWorkspace.code).toBe(1);
    expect(noWorkspace.stderr).toContain("A service token needs it named");

    const help = await cli("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("BootstrapFeatures   ensign apply");
    expect(help.stdout).toContain("EnableFeature       ensign flags enable");
    expect(help.stdout).toContain("RolloutFeature      ensign flags rollout");
  });
});

/** A port nothing listens on: one the system just handed out and that was closed again. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
