import { generateAccessToken } from "../apps/api/src/modules/auth/secrets";
import { createTestApp, type TestApp } from "../apps/api/test/helpers/app";
import { createApiKey, createFlag, createTenant, toggleFlag } from "../apps/api/test/helpers/evaluation-fixtures";
import { createWorkspace } from "../apps/api/test/helpers/fixtures";

/**
 * The real API listening on a free port, with seed 000's portal flags in production: the
 * knowledge base for desert-laughs only, the AI assistant for tucson-theatre-works only, and a
 * string flag whose value depends on the producer's plan.
 */
export interface PortalApi {
  url: string;
  clientKey: string;
  serverKey: string;
  /** The workspace's slug. */
  workspace: string;
  /** An admin service token of the workspace (`ens_svc_…`), as a CI job holds one. */
  serviceToken: string;
  /** Switches a flag in production and publishes the change, as the admin's toggle does. */
  toggle(flagKey: string, enabled: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startPortalApi(config: Record<string, string> = {}): Promise<PortalApi> {
  const t: TestApp = await createTestApp({ config });
  const ws = await createWorkspace(t.db);
  const prod = ws.environments[2]!;
  for (const key of ["arizona-comedy", "desert-laughs", "tucson-theatre-works"]) await createTenant(t.db, ws.id, key, { plan: key === "arizona-comedy" ? "pro" : "standard" });
  const allow = (tenants: string[]) => ({ [prod.id]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: tenants } });
  await createFlag(t.db, ws.id, { key: "knowledge_base_enabled", states: allow(["desert-laughs"]) });
  await createFlag(t.db, ws.id, { key: "ai_agents_enabled", states: allow(["tucson-theatre-works"]) });
  await createFlag(t.db, ws.id, {
    key: "checkout_theme",
    type: "string",
    variants: [
      { key: "modern", value: "modern" },
      { key: "classic", value: "classic" },
    ],
    states: { [prod.id]: { enabled: true, fallthrough: { variant: "classic" }, rules: [{ conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro"] }], serve: { variant: "modern" } }] } },
  });
  const clientKey = (await createApiKey(t.db, ws.id, prod.id, "client")).secret;
  const serverKey = (await createApiKey(t.db, ws.id, prod.id, "server")).secret;
  const service = generateAccessToken("service");
  await t.db.prisma.serviceToken.create({
    data: { workspaceId: ws.id, name: "ci", prefix: service.prefix, secretHash: service.hash, role: "admin", expiresAt: new Date(Date.now() + 86_400_000) },
  });
  const url = await t.app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    clientKey,
    serverKey,
    workspace: ws.slug,
    serviceToken: service.secret,
    toggle: async (flagKey, enabled) => void (await toggleFlag(t.app, t.db, ws.id, prod.id, flagKey, enabled)),
    close: () => t.close(),
  };
}
