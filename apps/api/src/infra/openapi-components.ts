import * as apiKeys from "@ensign/contracts/api-keys";
import * as audit from "@ensign/contracts/audit";
import * as auth from "@ensign/contracts/auth";
import * as common from "@ensign/contracts/common";
import * as environments from "@ensign/contracts/environments";
import * as evaluation from "@ensign/contracts/evaluation";
import * as transfer from "@ensign/contracts/export";
import * as flags from "@ensign/contracts/flags";
import * as identities from "@ensign/contracts/identities";
import * as liveEvaluation from "@ensign/contracts/live-evaluation";
import * as members from "@ensign/contracts/members";
import * as modules from "@ensign/contracts/modules";
import * as overrides from "@ensign/contracts/overrides";
import * as portal from "@ensign/contracts/portal";
import * as schedules from "@ensign/contracts/schedules";
import * as segments from "@ensign/contracts/segments";
import * as snapshot from "@ensign/contracts/snapshot";
import * as stats from "@ensign/contracts/stats";
import * as targeting from "@ensign/contracts/targeting";
import * as tenantAdmin from "@ensign/contracts/tenant-admin";
import * as tenants from "@ensign/contracts/tenants";
import * as webhooks from "@ensign/contracts/webhooks";
import * as workspaces from "@ensign/contracts/workspaces";
import { z } from "zod";

/** The contract modules, the shared building blocks first: a name two modules export goes to the first. */
const CONTRACTS = [
  common,
  targeting,
  flags,
  environments,
  workspaces,
  tenants,
  overrides,
  tenantAdmin,
  members,
  modules,
  segments,
  schedules,
  apiKeys,
  identities,
  audit,
  auth,
  evaluation,
  liveEvaluation,
  portal,
  snapshot,
  stats,
  transfer,
  webhooks,
];

/** Path parameters and query strings become OpenAPI parameters, never components. */
const PARAMETER_SCHEMA = /(?:Params|Query)$/;

/**
 * Names every zod schema the contracts export after its export (`FlagResponse`, `JsonValue`), so
 * the OpenAPI document refers to it as a component instead of repeating it. Recursive schemas
 * (JSON values) can only be written as a named component.
 */
export function registerContractSchemas<R extends z.core.$ZodRegistry<{ id?: string }>>(registry: R): R {
  const taken = new Set<string>();
  for (const contract of CONTRACTS) {
    for (const [name, value] of Object.entries(contract)) {
      if (!(value instanceof z.ZodType) || !/^[A-Z][A-Za-z0-9]*$/.test(name) || PARAMETER_SCHEMA.test(name)) continue;
      if (taken.has(name) || registry.has(value)) continue;
      registry.add(value, { id: name });
      taken.add(name);
    }
  }
  return registry;
}
