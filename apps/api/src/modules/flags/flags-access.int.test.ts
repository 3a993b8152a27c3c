import { CAPABILITIES, type Capability } from "@ensign/contracts/auth";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { createTenants, flagsClient, type FlagsClient } from "../../../test/helpers/flags";

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
const CALLERS = ["owner", "admin", "editor", "viewer", "tenant_admin", "other-workspace"] as const;
type Caller = (typeof CALLERS)[number];

interface Call {
  method: Method;
  /** Relative to `/v1/workspaces/:workspace/flags`. */
  path: string;
  payload?: unknown;
  version?: number;
}

interface RouteCase {
  name: string;
  capability: Capability;
  /** Builds a call that succeeds for an allowed caller: fresh resources, current versions. */
  prepare(setup: FlagsClient): Promise<Call>;
  success: number;
}

const rule = { conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variant: "on" } };
const soon = () => new Date(Date.now() + 3_600_000).toISOString();
let counter = 0;
const fresh = async (setup: FlagsClient) => {
  const key = `matrix-${++counter}`;
  expect((await setup.create({ key, name: key })).statusCode).toBe(201);
  return key;
};
const stateVersion = async (setup: FlagsClient, key: string, env = "production") => (await setup.state(key, env)).json().version as number;
const withRule = async (setup: FlagsClient) => {
  const key = await fresh(setup);
  const res = await setup.addRule(key, "production", 1, rule);
  return { key, ruleId: res.json().rules[0].id as string };
};
const withSchedule = async (setup: FlagsClient) => {
  const key = await fresh(setup);
  const res = await setup.call("POST", `/${key}/environments/production/schedules`, { payload: { runAt: soon(), action: { type: "enable" } } });
  return { key, scheduleId: res.json().id as string };
};

const ROUTES: RouteCase[] = [
  { name: "list flags", capability: "workspace:read", success: 200, prepare: async () => ({ method: "GET", path: "?env=production" }) },
  { name: "create flag", capability: "definitions:write", success: 201, prepare: async () => ({ method: "POST", path: "", payload: { key: `created-${++counter}`, name: "Created" } }) },
  { name: "get flag", capability: "workspace:read", success: 200, prepare: async (s) => ({ method: "GET", path: `/${await fresh(s)}` }) },
  { name: "edit flag", capability: "definitions:write", success: 200, prepare: async (s) => ({ method: "PATCH", path: `/${await fresh(s)}`, payload: { name: "Edited" }, version: 1 }) },
  { name: "deprecate", capability: "definitions:write", success: 200, prepare: async (s) => ({ method: "POST", path: `/${await fresh(s)}/deprecate`, version: 1 }) },
  { name: "archive", capability: "definitions:write", success: 200, prepare: async (s) => ({ method: "POST", path: `/${await fresh(s)}/archive`, version: 1 }) },
  {
    name: "restore",
    capability: "definitions:write",
    success: 200,
    prepare: async (s) => {
      const key = await fresh(s);
      await s.call("POST", `/${key}/archive`, { version: 1 });
      return { method: "POST", path: `/${key}/restore`, version: 2 };
    },
  },
  { name: "copy state", capability: "state:write", success: 200, prepare: async (s) => ({ method: "POST", path: `/${await fresh(s)}/copy-state`, payload: { from: "staging", to: "production" }, version: 1 }) },
  { name: "get state", capability: "workspace:read", success: 200, prepare: async (s) => ({ method: "GET", path: `/${await fresh(s)}/environments/production` }) },
  { name: "edit state", capability: "state:write", success: 200, prepare: async (s) => ({ method: "PATCH", path: `/${await fresh(s)}/environments/production`, payload: { enabled: true }, version: 1 }) },
  { name: "toggle", capability: "state:write", success: 200, prepare: async (s) => ({ method: "PUT", path: `/${await fresh(s)}/environments/production/enabled`, payload: { enabled: true }, version: 1 }) },
  { name: "add rule", capability: "state:write", success: 201, prepare: async (s) => ({ method: "POST", path: `/${await fresh(s)}/environments/production/rules`, payload: rule, version: 1 }) },
  {
    name: "edit rule",
    capability: "state:write",
    success: 200,
    prepare: async (s) => {
      const { key, ruleId } = await withRule(s);
      return { method: "PATCH", path: `/${key}/environments/production/rules/${ruleId}`, payload: { name: "Pro" }, version: await stateVersion(s, key) };
    },
  },
  {
    name: "delete rule",
    capability: "state:write",
    success: 200,
    prepare: async (s) => {
      const { key, ruleId } = await withRule(s);
      return { method: "DELETE", path: `/${key}/environments/production/rules/${ruleId}`, version: await stateVersion(s, key) };
    },
  },
  {
    name: "reorder rules",
    capability: "state:write",
    success: 200,
    prepare: async (s) => {
      const { key, ruleId } = await withRule(s);
      return { method: "PUT", path: `/${key}/environments/production/rules/order`, payload: { ruleIds: [ruleId] }, version: await stateVersion(s, key) };
    },
  },
  { name: "list schedules", capability: "workspace:read", success: 200, prepare: async (s) => ({ method: "GET", path: `/${await fresh(s)}/environments/production/schedules` }) },
  {
    name: "create schedule",
    capability: "state:write",
    success: 201,
    prepare: async (s) => ({ method: "POST", path: `/${await fresh(s)}/environments/production/schedules`, payload: { runAt: soon(), action: { type: "set_rollout", percentage: 20 } } }),
  },
  {
    name: "create ramp",
    capability: "state:write",
    success: 201,
    prepare: async (s) => ({ method: "POST", path: `/${await fresh(s)}/environments/production/schedules/ramp`, payload: { steps: [{ at: soon(), percentage: 10 }] } }),
  },
  {
    name: "cancel schedule",
    capability: "state:write",
    success: 200,
    prepare: async (s) => {
      const { key, scheduleId } = await withSchedule(s);
      return { method: "DELETE", path: `/${key}/environments/production/schedules/${scheduleId}` };
    },
  },
];

function send(app: FastifyInstance, slug: string, headers: Record<string, string>, call: Call) {
  return app.inject({
    method: call.method,
    url: `/v1/workspaces/${slug}/flags${call.path}`,
    headers: { ...headers, ...(call.version === undefined ? {} : { "if-match": `"${call.version}"` }) },
    ...(call.payload === undefined ? {} : { payload: call.payload as object }),
  });
}

describe("who may call the flag routes", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let other: Awaited<ReturnType<typeof createWorkspace>>;
  let setup: FlagsClient;
  const headers = {} as Record<Caller, Record<string, string>>;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    other = await createWorkspace(t.db);
    const [tenant] = await createTenants(t.db, ws.id, ["tenant-one"]);
    for (const role of ["owner", "admin", "editor", "viewer"] as const) headers[role] = await memberHeaders(t.app, t.db, ws.id, role);
    headers.tenant_admin = await memberHeaders(t.app, t.db, ws.id, "tenant_admin", tenant!.id);
    headers["other-workspace"] = await memberHeaders(t.app, t.db, other.id, "owner");
    setup = flagsClient(t.app, ws.slug, headers.owner);
  });
  afterAll(() => t.close());

  const auditCount = () => t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id } });

  it.each(ROUTES.map((route) => [route.name, route] as const))("%s: allowed exactly per CAPABILITIES, 403 otherwise, 404 from another workspace", async (_name, route) => {
    const outcome: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const caller of CALLERS) {
      const call = await route.prepare(setup);
      const before = await auditCount();
      const res = await send(t.app, ws.slug, headers[caller], call);
      outcome[caller] = res.statusCode;
      const allowed = caller !== "other-workspace" && (CAPABILITIES[route.capability] as readonly string[]).includes(caller);
      expected[caller] = caller === "other-workspace" ? 404 : allowed ? route.success : 403;
      if (!allowed) expect(await auditCount()).toBe(before);
    }
    expect(outcome).toEqual(expected);
  });
});
