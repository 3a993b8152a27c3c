import type { ExportFlagState, ImportSummary, WorkspaceExport } from "@ensign/contracts/export";
import { randomUUID } from "node:crypto";
import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { generateSigningSecret } from "../auth/secrets";
import { importRepository as repo } from "./import.repository";

const json = (value: unknown) => value as Prisma.InputJsonValue;
const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

function lookup(entries: { id: string; key: string }[]): (key: string) => string {
  const ids = new Map(entries.map((entry) => [entry.key, entry.id]));
  return (key) => {
    const id = ids.get(key);
    if (!id) throw new Error(`import: '${key}' was not written`);
    return id;
  };
}

/**
 * Environments are matched by key: those the workspace has keep their id, secret and API keys
 * and take the document's name, colour, order and issuer; missing ones are created with a
 * fresh secret. An environment the document does not know stays, with every flag off there.
 */
async function writeEnvironments(tx: Tx, workspaceId: string, doc: WorkspaceExport) {
  const existing = await repo.environments(tx, workspaceId);
  const known = new Map(existing.map((env) => [env.key, env.id]));
  let created = 0;
  for (const env of doc.environments) {
    const data = { name: env.name, color: env.color, sortOrder: env.sortOrder, contextIssuer: env.contextIssuer, contextJwksUrl: env.contextJwksUrl, requireContextToken: env.requireContextToken, ...(env.isProduction === undefined ? {} : { isProduction: env.isProduction }), ...(env.exposedHeaders === undefined ? {} : { exposedHeaders: env.exposedHeaders }) };
    const id = known.get(env.key);
    if (id) {
      await repo.updateEnvironment(tx, workspaceId, id, data);
    } else {
      const row = await repo.createEnvironment(tx, { isProduction: env.key === "production", ...data, key: env.key, workspaceId, contextSecret: generateSigningSecret() });
      existing.push(row);
      created += 1;
    }
  }
  return { all: existing, created, updated: doc.environments.length - created };
}

function offState(offVariant: string): ExportFlagState {
  return { enabled: false, fallthrough: { variant: offVariant }, tenantAllow: [], tenantDeny: [], rules: [] };
}

/** Writes a validated document into an empty workspace; returns what it wrote. */
export async function writeImport(tx: Tx, workspaceId: string, doc: WorkspaceExport): Promise<ImportSummary> {
  const environments = await writeEnvironments(tx, workspaceId, doc);
  const environmentId = lookup(environments.all);

  const moduleId = lookup(
    await repo.modules(tx, doc.modules.map((m) => ({ workspaceId, key: m.key, name: m.name, description: m.description, keyPrefix: m.keyPrefix, tenantManageable: m.tenantManageable }))),
  );

  const flagId = lookup(
    await repo.flags(
      tx,
      doc.flags.map((f) => ({
        workspaceId,
        key: f.key,
        name: f.name,
        description: f.description,
        moduleId: f.module === null ? null : moduleId(f.module),
        type: f.type,
        variants: json(f.variants),
        offVariant: f.offVariant,
        onVariant: f.onVariant,
        salt: f.salt,
        tags: f.tags,
        isBeta: f.isBeta,
        tenantManageable: f.tenantManageable,
        trackAnalytics: f.trackAnalytics,
        feedbackUrl: f.feedbackUrl,
        dependsOn: f.dependsOn,
        lifecycle: f.lifecycle,
        owner: f.owner,
        deprecatedAt: dateOrNull(f.deprecatedAt),
        archivedAt: dateOrNull(f.archivedAt),
      })),
    ),
  );

  // Every flag gets a state in every environment of the workspace.
  const stateOf = new Map<string, ExportFlagState>();
  const stateRows: Prisma.FlagStateCreateManyInput[] = [];
  for (const flag of doc.flags) {
    for (const env of environments.all) {
      const state = flag.states[env.key] ?? offState(flag.offVariant);
      stateOf.set(`${flagId(flag.key)}/${env.id}`, state);
      const { rules: _rules, fallthrough, ...rest } = state;
      stateRows.push({ ...rest, workspaceId, flagId: flagId(flag.key), environmentId: env.id, fallthrough: json(fallthrough) });
    }
  }
  const states = await repo.flagStates(tx, stateRows);
  const ruleRows = states.flatMap((state) =>
    (stateOf.get(`${state.flagId}/${state.environmentId}`)?.rules ?? []).map((rule, position) => ({
      workspaceId,
      flagStateId: state.id,
      position,
      name: rule.name ?? null,
      conditions: json(rule.conditions),
      serve: json(rule.serve),
    })),
  );
  const rules = await repo.rules(tx, ruleRows);

  const ramps = new Map<string, string>();
  const rampId = (ramp: string | null) => {
    if (ramp === null) return null;
    if (!ramps.has(ramp)) ramps.set(ramp, randomUUID());
    return ramps.get(ramp)!;
  };
  const schedules = await repo.schedules(
    tx,
    doc.flags.flatMap((flag) =>
      Object.entries(flag.schedules).flatMap(([env, list]) =>
        list.map((s) => ({
          workspaceId,
          flagId: flagId(flag.key),
          environmentId: environmentId(env),
          runAt: new Date(s.runAt),
          action: json(s.action),
          rampId: rampId(s.ramp),
          createdBy: s.createdBy,
        })),
      ),
    ),
  );

  const segments = await repo.segments(tx, doc.segments.map((s) => ({ ...s, workspaceId, rules: json(s.rules) })));
  const tenantId = lookup(
    await repo.tenants(tx, doc.tenants.map((t) => ({ workspaceId, key: t.key, name: t.name, attributes: json(t.attributes) }))),
  );
  const tenantModules = await repo.tenantModules(
    tx,
    doc.tenants.flatMap((t) =>
      Object.entries(t.modules).map(([module, enabled]) => ({ workspaceId, tenantId: tenantId(t.key), moduleId: moduleId(module), enabled })),
    ),
  );
  const tenantOverrides = await repo.tenantOverrides(
    tx,
    doc.tenantOverrides.map((o) => ({
      workspaceId,
      flagId: flagId(o.flag),
      environmentId: environmentId(o.environment),
      tenantId: tenantId(o.tenant),
      variant: o.variant,
      source: o.source,
      locked: o.locked,
      expiresAt: dateOrNull(o.expiresAt),
      updatedBy: o.updatedBy,
    })),
  );
  const userOverrides = await repo.userOverrides(
    tx,
    doc.userOverrides.map((o) => ({
      workspaceId,
      flagId: flagId(o.flag),
      environmentId: environmentId(o.environment),
      userKey: o.userKey,
      variant: o.variant,
      expiresAt: dateOrNull(o.expiresAt),
      updatedBy: o.updatedBy,
    })),
  );
  const identities = await repo.identities(
    tx,
    doc.identities.map((i) => ({ workspaceId, environmentId: environmentId(i.environment), key: i.key, traits: json(i.traits) })),
  );

  const layerId = lookup(
    await repo.overrideLayers(
      tx,
      doc.overrideLayers.map((l) => ({ workspaceId, key: l.key, name: l.name, description: l.description, attribute: l.attribute, values: l.values })),
    ),
  );
  if (doc.overrideOrder.length > 0) await repo.overrideOrder(tx, workspaceId, doc.overrideOrder);
  const layerOverrides = await repo.layerOverrides(
    tx,
    doc.layerOverrides.map((o) => ({
      workspaceId,
      flagId: flagId(o.flag),
      environmentId: environmentId(o.environment),
      layerId: layerId(o.layer),
      value: o.value,
      variant: o.variant,
      locked: o.locked,
      expiresAt: dateOrNull(o.expiresAt),
      updatedBy: o.updatedBy,
    })),
  );

  return {
    environments: { created: environments.created, updated: environments.updated },
    modules: doc.modules.length,
    flags: doc.flags.length,
    flagStates: states.length,
    rules,
    schedules,
    segments,
    tenants: doc.tenants.length,
    tenantModules,
    tenantOverrides,
    userOverrides,
    identities,
    overrideLayers: doc.overrideLayers.length,
    layerOverrides,
  };
}
