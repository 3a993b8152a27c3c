import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import { hashPassword } from "../modules/auth/passwords";
import { generateSigningSecret } from "../modules/auth/secrets";
import { FINANCE_MODULES, PRODUCERS, slugify } from "./finance-features";

/** Local-only demo logins; never deploy the demo data anywhere reachable. */
export const DEMO_USERS = [
  { email: "admin@ensign.local", password: "ensign-admin-demo", name: "Ada Admin", role: "owner", superadmin: true },
  { email: "editor@ensign.local", password: "ensign-editor-demo", name: "Eddie Editor", role: "editor" },
  { email: "viewer@ensign.local", password: "ensign-viewer-demo", name: "Vera Viewer", role: "viewer" },
  { email: "tenant-admin@ensign.local", password: "ensign-tenant-demo", name: "Tess Tenant-Admin", role: "tenant_admin" },
  { email: "producer@arizona-comedy.test", password: "ensign-producer-demo", name: "Alex Producer", role: "tenant_admin" },
] as const;

/**
 * As every new environment, the demo's require signed context tokens of client keys: a producer
 * reads only its own flags. Production is marked live: toggles there ask for confirmation.
 */
export const DEMO_ENVIRONMENTS = [
  { key: "development", name: "Development", color: "#64748b", sortOrder: 0, requireContextToken: true, isProduction: false },
  { key: "staging", name: "Staging", color: "#d97706", sortOrder: 1, requireContextToken: true, isProduction: false },
  { key: "production", name: "Production", color: "#dc2626", sortOrder: 2, requireContextToken: true, isProduction: true },
];

const BOOLEAN_VARIANTS = [
  { key: "on", value: true, name: "On" },
  { key: "off", value: false, name: "Off" },
];

const salt = () => randomBytes(6).toString("base64url");

/** Loads the demo workspaces unless they are there already. Returns whether it loaded anything. */
export async function seedDemo(prisma: PrismaClient): Promise<boolean> {
  if (await prisma.workspace.findUnique({ where: { slug: "piquetickets" } })) return false;

  const users = new Map<string, string>();
  for (const demo of DEMO_USERS) {
    const user = await prisma.user.upsert({
      where: { email: demo.email },
      update: {},
      create: {
        email: demo.email,
        name: demo.name,
        passwordHash: await hashPassword(demo.password),
        isSuperadmin: "superadmin" in demo && demo.superadmin,
      },
    });
    users.set(demo.email, user.id);
  }
  const userId = (email: string) => users.get(email)!;

  await prisma.$transaction(
    async (tx) => {
      // PiqueTickets: seed 000's producer portal.
      const pique = await tx.workspace.create({ data: { slug: "piquetickets", name: "PiqueTickets" } });
      const piqueEnvs = await Promise.all(
        DEMO_ENVIRONMENTS.map((env) => tx.environment.create({ data: { ...env, workspaceId: pique.id, contextSecret: generateSigningSecret() } })),
      );
      const producers = [];
      for (const [i, name] of PRODUCERS.entries()) {
        producers.push(
          await tx.tenant.create({
            data: {
              workspaceId: pique.id,
              key: slugify(name),
              name,
              attributes: { plan: i % 5 === 0 ? "pro" : "standard", region: i % 3 === 0 ? "north" : "south", venueCount: (i % 7) + 1 },
            },
          }),
        );
      }
      const portalFlags = [
        { key: "knowledge_base_enabled", name: "Knowledge Base", description: "Access to knowledge base articles and documentation" },
        { key: "ai_agents_enabled", name: "AI Assistant", description: "AI assistant features (chatbot, recommendations)" },
        { key: "additional_services_enabled", name: "Additional Services", description: "Additional services (marketing tools, analytics)" },
      ];
      for (const def of portalFlags) {
        const flag = await tx.flag.create({
          data: {
            workspaceId: pique.id,
            ...def,
            type: "boolean",
            variants: BOOLEAN_VARIANTS,
            offVariant: "off",
            onVariant: "on",
            salt: salt(),
            tags: ["producer-portal"],
            // Seed 000: producers see their features but never switch them themselves.
            tenantManageable: false,
            lifecycle: "permanent",
            owner: "portal-team",
          },
        });
        for (const env of piqueEnvs) {
          // Live everywhere, off unless a producer is switched on: seed 000's "all disabled for new producers".
          await tx.flagState.create({
            data: { workspaceId: pique.id, flagId: flag.id, environmentId: env.id, enabled: true, fallthrough: { variant: "off" } },
          });
        }
        // A few producers already have features, as if an admin had switched them on.
        const production = piqueEnvs[2]!;
        const chosen = def.key === "knowledge_base_enabled" ? [1, 2, 3, 5, 8] : def.key === "additional_services_enabled" ? [2, 13] : [3];
        for (const index of chosen) {
          await tx.tenantOverride.create({
            data: {
              workspaceId: pique.id,
              flagId: flag.id,
              environmentId: production.id,
              tenantId: producers[index]!.id,
              variant: "on",
              source: "workspace_admin",
              updatedBy: "admin@ensign.local",
            },
          });
        }
      }
      // Producers' staff as the portal's backend reports them: onboarding progress as traits.
      const stages = ["signup", "signup", "email_verified", "onboarding", "onboarding", "onboarding", "active", "active", "active", "active", "power_user", "power_user"];
      for (const [i, stage] of [...stages, ...stages].entries()) {
        const producer = producers[i % producers.length]!;
        await tx.identity.create({
          data: {
            workspaceId: pique.id,
            environmentId: piqueEnvs[2]!.id,
            key: `staff-${String(i + 1).padStart(3, "0")}`,
            traits: { stage, emailVerified: stage !== "signup", actionsCount: stages.indexOf(stage) * 7 + (i % 5), producer: producer.key },
          },
        });
      }
      await tx.segment.create({
        data: {
          workspaceId: pique.id,
          key: "beta-producers",
          name: "Beta producers",
          description: "Producers who test new portal features first.",
          includedTenants: [producers[1]!.key, producers[2]!.key, producers[8]!.key],
        },
      });

      // Finance Suite: seed 003's modules and features.
      const finance = await tx.workspace.create({ data: { slug: "finance-suite", name: "Finance Suite" } });
      const financeEnvs = await Promise.all(
        DEMO_ENVIRONMENTS.map((env) => tx.environment.create({ data: { ...env, workspaceId: finance.id, contextSecret: generateSigningSecret() } })),
      );
      const tenants = [];
      for (const [key, name, plan] of [
        ["goodwin-administratie", "Goodwin Administratie", "premium"],
        ["acme-holiday-homes", "Acme Holiday Homes", "standard"],
        ["zeeland-str", "Zeeland STR Beheer", "premium"],
        ["noord-boekhouding", "Noord Boekhouding", "standard"],
        ["de-vakantiewoning", "De Vakantiewoning", "standard"],
      ] as const) {
        tenants.push(await tx.tenant.create({ data: { workspaceId: finance.id, key, name, attributes: { plan, country: "NL" } } }));
      }
      const flagIds = new Map<string, string>();
      for (const mod of FINANCE_MODULES) {
        const module = await tx.module.create({
          data: { workspaceId: finance.id, key: mod.key, name: mod.name, description: mod.description, keyPrefix: `${mod.key.toLowerCase()}_`, tenantManageable: true },
        });
        for (const feature of mod.features) {
          const flag = await tx.flag.create({
            data: {
              workspaceId: finance.id,
              key: feature.key,
              name: feature.name,
              description: feature.description,
              moduleId: module.id,
              type: "boolean",
              variants: BOOLEAN_VARIANTS,
              offVariant: "off",
              onVariant: "on",
              salt: salt(),
              isBeta: feature.isBeta ?? false,
              // Seed 003's open question 4: a beta feature links to a feedback form.
              feedbackUrl: feature.isBeta ? `https://feedback.finance-suite.example/${slugify(feature.key)}` : null,
              // Seed 003: tenant admins manage their own finance features.
              tenantManageable: true,
              dependsOn: feature.dependsOn ?? [],
              tags: [mod.key.toLowerCase()],
              lifecycle: "permanent",
            },
          });
          flagIds.set(feature.key, flag.id);
          for (const env of financeEnvs) {
            await tx.flagState.create({
              data: {
                workspaceId: finance.id,
                flagId: flag.id,
                environmentId: env.id,
                enabled: true,
                fallthrough: { variant: feature.defaultOn ? "on" : "off" },
              },
            });
          }
        }
        // De Vakantiewoning does not license the STR module.
        if (mod.key === "STR") {
          await tx.tenantModule.create({ data: { workspaceId: finance.id, tenantId: tenants[4]!.id, moduleId: module.id, enabled: false } });
        }
      }
      const financeProduction = financeEnvs[2]!;
      // The provider has locked AI extraction off for Acme Holiday Homes.
      await tx.tenantOverride.create({
        data: {
          workspaceId: finance.id,
          flagId: flagIds.get("fin_ai_extraction")!,
          environmentId: financeProduction.id,
          tenantId: tenants[1]!.id,
          variant: "off",
          source: "workspace_admin",
          locked: true,
          updatedBy: "admin@ensign.local",
        },
      });

      // Members.
      for (const workspace of [pique, finance]) {
        await tx.membership.create({ data: { workspaceId: workspace.id, userId: userId("admin@ensign.local"), role: "owner" } });
        await tx.membership.create({ data: { workspaceId: workspace.id, userId: userId("editor@ensign.local"), role: "editor" } });
        await tx.membership.create({ data: { workspaceId: workspace.id, userId: userId("viewer@ensign.local"), role: "viewer" } });
      }
      await tx.membership.create({
        data: { workspaceId: finance.id, userId: userId("tenant-admin@ensign.local"), role: "tenant_admin", tenantId: tenants[0]!.id },
      });
      await tx.membership.create({
        data: { workspaceId: pique.id, userId: userId("producer@arizona-comedy.test"), role: "tenant_admin", tenantId: producers[0]!.id },
      });
    },
    { timeout: 120_000 },
  );
  return true;
}
