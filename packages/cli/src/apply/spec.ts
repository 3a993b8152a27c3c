import { readFile } from "node:fs/promises";
import { FlagKey, IsoDateTime, Key, Name } from "@ensign/contracts/common";
import { CreateFlagBody } from "@ensign/contracts/flags";
import { CreateModuleBody } from "@ensign/contracts/modules";
import { Percentage } from "@ensign/contracts/schedules";
import { AttributeName, FlagType, KeyList, LIMITS, RuleBody, Serve, VariantKey } from "@ensign/contracts/targeting";
import { WorkspaceSlug } from "@ensign/contracts/workspaces";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CliError, EXIT } from "../errors";

/** `rollout: 30`, or `rollout: { percent: 30, by: tenantKey }`: the fallthrough `flags rollout` sets. */
export const RolloutSpec = z.union([Percentage, z.object({ percent: Percentage, by: AttributeName.optional() }).strict()]);

/**
 * A flag's state in one environment. Only what is written is managed: a field left out is left
 * as it is. `rollout` is the short form of a percentage `fallthrough`; `rules`, when given, are
 * the whole list, in order.
 */
export const StateSpec = z
  .object({
    enabled: z.boolean().optional(),
    fallthrough: Serve.optional(),
    rollout: RolloutSpec.optional(),
    tenantAllow: KeyList.optional(),
    tenantDeny: KeyList.optional(),
    rules: z.array(RuleBody.strict()).max(LIMITS.rulesPerFlag).optional(),
  })
  .strict()
  .refine((s) => !(s.fallthrough && s.rollout !== undefined), { message: "give fallthrough or rollout, not both", path: ["rollout"] });
export type StateSpec = z.infer<typeof StateSpec>;

/**
 * A flag: the fields of `POST /flags` (only `key` is required; `name` defaults to the key), its
 * states by environment key, and `archived`. A field left out is not managed, except `archived`:
 * a flag in the file is meant to be live, so an archived one is restored.
 */
export const FlagSpec = CreateFlagBody.omit({ initialState: true, name: true, type: true })
  .extend({
    name: Name.optional(),
    /** `boolean` for a new flag when left out; an existing flag's type is then not compared. */
    type: FlagType.optional(),
    archived: z.boolean().optional(),
    states: z.record(Key, StateSpec).optional(),
  })
  .strict();
export type FlagSpec = z.infer<typeof FlagSpec>;

const OverrideBase = { flag: FlagKey, environment: Key, variant: VariantKey.optional(), expiresAt: IsoDateTime.nullable().optional() };

/** A tenant's or a user's override; `variant` defaults to the flag's on variant. */
export const OverrideSpec = z.union([
  z.object({ ...OverrideBase, tenant: Key, locked: z.boolean().optional() }).strict(),
  z.object({ ...OverrideBase, user: Key }).strict(),
]);
export type OverrideSpec = z.infer<typeof OverrideSpec>;

/** The file `ensign apply` reads (YAML or JSON). */
export const ApplyFile = z
  .object({
    /** The workspace's slug; `--workspace` and `ENSIGN_WORKSPACE` win over it. */
    workspace: WorkspaceSlug.optional(),
    modules: z.array(CreateModuleBody).default([]),
    flags: z.array(FlagSpec).default([]),
    overrides: z.array(OverrideSpec).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const once = (values: string[], path: string, what: string) => {
      const seen = new Set<string>();
      values.forEach((value, i) => {
        if (seen.has(value)) ctx.addIssue({ code: "custom", path: [path, i], message: `${what} ${value} appears twice` });
        seen.add(value);
      });
    };
    once(file.modules.map((m) => m.key), "modules", "module");
    once(file.flags.map((f) => f.key), "flags", "flag");
    once(file.overrides.map(overrideId), "overrides", "override");
  });
export type ApplyFile = z.infer<typeof ApplyFile>;

export const overrideId = (o: OverrideSpec) => `${o.flag} @ ${o.environment} ${"tenant" in o ? `tenant ${o.tenant}` : `user ${o.user}`}`;

/** `flags[2].states.production.rollout: ...` lines, from zod's issues. */
export function zodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), "");
    return `${path || "(file)"}: ${issue.message}`;
  });
}

/** Reads and checks an apply file; YAML unless it ends in `.json` (YAML reads JSON too). */
export async function readApplyFile(file: string, read: (file: string) => Promise<string> = (f) => readFile(f, "utf8")): Promise<ApplyFile> {
  let text: string;
  try {
    text = await read(file);
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT.usage);
  }
  return parseApplyFile(text, file);
}

export function parseApplyFile(text: string, name: string): ApplyFile {
  let raw: unknown;
  try {
    raw = name.endsWith(".json") ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new CliError(`${name} is not valid ${name.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message}`, EXIT.usage);
  }
  const parsed = ApplyFile.safeParse(raw ?? {});
  if (!parsed.success) throw new CliError(`${name} is not a valid apply file:`, EXIT.usage, zodIssues(parsed.error));
  return parsed.data;
}
