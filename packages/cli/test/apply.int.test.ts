import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../apps/api/test/helpers/app";
import { createTenant } from "../../../apps/api/test/helpers/evaluation-fixtures";
import { createMember, createWorkspace, login, unique } from "../../../apps/api/test/helpers/fixtures";
import { runCli } from "./run-cli";

/**
 * The GitOps path of issue 16's "done when", with the built `ensign` bin as a subprocess against
 * the real API on a port: a script holding only a service token sets a workspace up from an
 * apply file, a second run finds no drift, `flags rollout` changes a rollout, and `apply --check`
 * then reports the drift against the file (exit 4) until `apply` puts it back.
 */
describe("ensign apply with a service token", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  let session: Record<string, string>;

  const api = async <T>(url: string): Promise<T> => {
    const res = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}${url}`, headers: session });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as T;
  };
  const cli = (...args: string[]) => runCli(args, { env });

  const spec = () => `# The workspace's flags, as a repository keeps them.
modules:
  - key: FIN
    name: Finance
    keyPrefix: fin_
flags:
  - key: fin_invoices
    name: Invoices
    module: FIN
    tags: [billing]
    states:
      staging:
        enabled: true
      production:
        enabled: true
        rollout: { percent: 25, by: tenantKey }
        tenantDeny: [desert-laughs]
  - key: fin_exports
    name: Exports
    module: FIN
    dependsOn: [fin_invoices]
    states:
      production:
        enabled: true
        rules:
          - name: pro plans
            conditions: [{ attribute: tenant.plan, operator: in, values: [pro] }]
            serve: { variant: "on" }
  - key: checkout_theme
    name: Checkout theme
    type: string
    variants:
      - { key: classic, value: classic }
      - { key: modern, value: modern }
    offVariant: classic
    onVariant: modern
    states:
      production: { enabled: true, fallthrough: { variant: classic } }
overrides:
  - { flag: fin_invoices, environment: production, tenant: arizona-comedy, variant: "on", locked: true }
  - { flag: checkout_theme, environment: production, user: user-42, variant: modern }
`;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    for (const key of ["arizona-comedy", "desert-laughs"]) await createTenant(t.db, ws.id, key, { plan: "pro" });
    const owner = await createMember(t.db, ws.id, "owner");
    session = (await login(t.app, owner.email)).headers;
    const token = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: session, payload: { name: "ci", role: "admin" } });
    expect(token.statusCode, token.body).toBe(201);
    const url = await t.app.listen({ host: "127.0.0.1", port: 0 });
    dir = await mkdtemp(path.join(tmpdir(), "ensign-cli-"));
    // Only what a CI job has: the address, the workspace and the service token. No stored login.
    env = { ENSIGN_URL: url, ENSIGN_TOKEN: token.json().secret, ENSIGN_WORKSPACE: ws.slug, HOME: dir, XDG_CONFIG_HOME: path.join(dir, "config") };
    file = path.join(dir, "ensign.yaml");
    await writeFile(file, spec());
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("shows the plan with --dry-run and --check, and writes nothing", async () => {
    const dry = await cli("apply", file, "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("+ create module FIN");
    expect(dry.stdout).toContain("+ create flag fin_invoices");
    expect(dry.stdout).toMatch(/fallthrough: variant off -> on 25%, off 75% by tenantKey/);

    const check = await cli("apply", file, "--check", "--json");
    expect(check.code).toBe(4);
    const plan = JSON.parse(check.stdout) as { drift: boolean; changes: { action: string; kind: string; target: string }[] };
    expect(plan.drift).toBe(true);
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.target}`)).toEqual([
      "create module FIN",
      "create flag fin_invoices",
      "create flag fin_exports",
      "create flag checkout_theme",
      "set state fin_invoices @ staging",
      "set state fin_invoices @ production",
      "set state fin_exports @ production",
      "set state checkout_theme @ production",
      "set override fin_invoices @ production tenant arizona-comedy",
      "set override checkout_theme @ production user user-42",
    ]);
    expect((await api<{ total: number }>("/flags")).total).toBe(0);
    expect((await api<{ total: number }>("/modules")).total).toBe(0);
  });

  it("sets the workspace up from the file, as the service token", async () => {
    const applied = await cli("apply", file);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Applied 10 changes");
    // Progress of the long operation, on stderr, one line per step when not a terminal.
    expect(applied.stderr).toContain("applying [10/10] set override checkout_theme @ production user user-42");

    const invoices = await api<{ module: string; tags: string[]; environments: { environment: string; enabled: boolean }[] }>("/flags/fin_invoices");
    expect(invoices).toMatchObject({ module: "FIN", tags: ["billing"] });
    expect(invoices.environments.filter((e) => e.enabled).map((e) => e.environment).sort()).toEqual(["production", "staging"]);
    const production = await api<Record<string, unknown>>("/flags/fin_invoices/environments/production");
    expect(production).toMatchObject({
      enabled: true,
      fallthrough: { split: { allocations: [{ variant: "on", weight: 25_000 }, { variant: "off", weight: 75_000 }], bucketBy: "tenantKey" } },
      tenantDeny: ["desert-laughs"],
    });
    const exports = await api<{ rules: { name: string; serve: unknown }[] }>("/flags/fin_exports/environments/production");
    expect(exports.rules).toEqual([expect.objectContaining({ name: "pro plans", serve: { variant: "on" } })]);
    expect(await api("/flags/fin_invoices/environments/production/tenant-overrides/arizona-comedy")).toMatchObject({ variant: "on", locked: true });
    expect(await api("/flags/checkout_theme/environments/production/user-overrides/user-42")).toMatchObject({ variant: "modern" });

    // Every write is audited as the service token (the owner only made the token).
    const actors = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, NOT: { action: "service_token.created" } }, select: { actorType: true, actorName: true } });
    expect(actors.length).toBeGreaterThanOrEqual(10);
    expect(new Set(actors.map((a) => `${a.actorType} ${a.actorName}`))).toEqual(new Set(["service_token ci"]));
  });

  it("finds no drift on a second run, and applying again changes nothing", async () => {
    const check = await cli("apply", file, "--check");
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain(`No changes: ${ws.slug} matches ${file}.`);

    const before = await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id } });
    const again = await cli("apply", file);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("No changes");
    expect(await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id } })).toBe(before);
  });

  it("changes a rollout with flags rollout, and --check reports the drift against the file", async () => {
    const rollout = await cli("flags", "rollout", "fin_invoices", "--env", "production", "--percent", "60", "--by", "tenantKey");
    expect(rollout.code, rollout.stderr).toBe(0);
    expect(rollout.stdout).toContain("fin_invoices in production serves on 60%, off 40% by tenantKey.");

    const check = await cli("apply", file, "--check");
    expect(check.code).toBe(4);
    expect(check.stdout).toContain("~ update state fin_invoices @ production");
    expect(check.stdout).toContain("fallthrough: on 60%, off 40% by tenantKey -> on 25%, off 75% by tenantKey");
    expect(check.stdout).toContain("1 change between");

    const json = JSON.parse((await cli("apply", file, "--check", "--json")).stdout) as { drift: boolean; changes: { target: string; fields: { field: string }[] }[] };
    expect(json).toMatchObject({ drift: true, changes: [{ target: "fin_invoices @ production", fields: [{ field: "fallthrough" }] }] });

    const restored = await cli("apply", file);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain("Applied 1 change");
    expect((await cli("apply", file, "--check")).code).toBe(0);
  });

  it("puts back an archived flag, a cleared override and a changed definition", async () => {
    const archived = await cli("flags", "archive", "checkout_theme");
    expect(archived.code, archived.stderr).toBe(0);
    expect((await cli("overrides", "clear", "fin_invoices", "--env", "production", "--tenant", "arizona-comedy")).code).toBe(0);
    const flag = await api<{ version: number }>("/flags/fin_exports");
    const renamed = await t.app.inject({
      method: "PATCH",
      url: `/v1/workspaces/${ws.slug}/flags/fin_exports`,
      headers: { ...session, "if-match": `"${flag.version}"` },
      payload: { name: "Renamed by hand" },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);

    const check = await cli("apply", file, "--check");
    expect(check.code).toBe(4);
    expect(check.stdout).toContain("+ restore flag checkout_theme");
    expect(check.stdout).toContain('name: "Renamed by hand" -> "Exports"');
    expect(check.stdout).toContain("+ set override fin_invoices @ production tenant arizona-comedy");

    expect((await cli("apply", file)).code).toBe(0);
    expect((await cli("apply", file, "--check")).code).toBe(0);
  });

  it("refuses a file that is not valid before any request, with the field's path", async () => {
    const bad = path.join(dir, "bad.yaml");
    await writeFile(bad, `flags:\n  - key: Not-A-Key\n    states:\n      production: { rollout: 150 }\n`);
    const result = await cli("apply", bad, "--check");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not a valid apply file");
    expect(result.stderr).toMatch(/flags\[0\]\.key: /);
    expect(result.stderr).toMatch(/flags\[0\]\.states\.production\.rollout/);

    const unknownEnv = path.join(dir, "unknown-env.json");
    await writeFile(unknownEnv, JSON.stringify({ flags: [{ key: "fin_invoices", states: { qa: { enabled: true } } }] }));
    const env = await cli("apply", unknownEnv, "--check");
    expect(env.code).toBe(1);
    expect(env.stderr).toContain(`Workspace ${ws.slug} has no environment qa`);

    const retyped = path.join(dir, "retyped.json");
    await writeFile(retyped, JSON.stringify({ flags: [{ key: "checkout_theme", type: "boolean" }] }));
    const typeChange = await cli("apply", retyped, "--check");
    expect(typeChange.code).toBe(1);
    expect(typeChange.stderr).toContain("Flag checkout_theme is a string flag in the workspace and boolean in the file");

    // Left out, the type is not managed: a file that names only a string flag's state has no drift.
    const untyped = path.join(dir, "untyped.json");
    await writeFile(untyped, JSON.stringify({ flags: [{ key: "checkout_theme", states: { production: { enabled: true } } }] }));
    const partial = await cli("apply", untyped, "--check");
    expect(partial.code, partial.stdout + partial.stderr).toBe(0);
  });

  it("an editor token bound to staging may apply staging's state but not production's", async () => {
    const made = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: session, payload: { name: unique("staging"), role: "editor", environment: "staging" } });
    const staging = path.join(dir, "staging.yaml");
    await writeFile(staging, `flags:\n  - key: fin_invoices\n    states:\n      staging: { enabled: false }\n      production: { enabled: false }\n`);
    const result = await runCli(["apply", staging], { env: { ...env, ENSIGN_TOKEN: made.json().secret } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("Error: update state fin_invoices @ production: The service token may only change the 'staging' environment.");
    expect(result.stderr).toContain("the 1 change before it was made; 1 change not made.");
    expect(await api("/flags/fin_invoices/environments/staging")).toMatchObject({ enabled: false });
    expect(result.stderr).toMatch(/\(FORBIDDEN, HTTP 403, request [^)]+\)/);
  });
});
