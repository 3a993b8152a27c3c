import type { CreateRuleBody, FlagStateResponse, UpdateFlagStateBody, UpdateRuleBody } from "@ensign/contracts/flags";
import type { Rule, Serve } from "@ensign/contracts/targeting";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { flagsKey } from "../../../lib/query-keys";

const base = (ws: string, env: string, key: string) => `/v1/workspaces/${ws}/flags/${encodeURIComponent(key)}/environments/${env}`;

export const patchFlagState = (ws: string, env: string, key: string, version: number, body: UpdateFlagStateBody) =>
  api<FlagStateResponse>(base(ws, env, key), { method: "PATCH", body, version });
export const createRule = (ws: string, env: string, key: string, version: number, body: CreateRuleBody) =>
  api<FlagStateResponse>(`${base(ws, env, key)}/rules`, { method: "POST", body, version });
export const updateRule = (ws: string, env: string, key: string, version: number, ruleId: string, body: UpdateRuleBody) =>
  api<FlagStateResponse>(`${base(ws, env, key)}/rules/${ruleId}`, { method: "PATCH", body, version });
export const deleteRule = (ws: string, env: string, key: string, version: number, ruleId: string) =>
  api<FlagStateResponse>(`${base(ws, env, key)}/rules/${ruleId}`, { method: "DELETE", version });
export const reorderRules = (ws: string, env: string, key: string, version: number, ruleIds: string[]) =>
  api<FlagStateResponse>(`${base(ws, env, key)}/rules/order`, { method: "PUT", body: { ruleIds }, version });

export interface TargetingDraft {
  rules: Rule[];
  fallthrough: Serve;
  tenantAllow: string[];
  tenantDeny: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isNew = (rule: Rule) => rule.id.startsWith("new-");

/** What a save would send, in order; empty when nothing changed. */
export function targetingChanges(saved: FlagStateResponse, draft: TargetingDraft) {
  const draftIds = new Set(draft.rules.map((r) => r.id));
  const savedById = new Map(saved.rules.map((r) => [r.id, r]));
  const deleted = saved.rules.filter((r) => !draftIds.has(r.id)).map((r) => r.id);
  const created = draft.rules.flatMap((r, position) => (isNew(r) ? [{ rule: r, position }] : []));
  const updated = draft.rules.filter((r) => !isNew(r) && savedById.has(r.id) && !same({ ...savedById.get(r.id), id: r.id }, r));
  const keptOrder = draft.rules.filter((r) => !isNew(r)).map((r) => r.id);
  const savedOrder = saved.rules.filter((r) => draftIds.has(r.id)).map((r) => r.id);
  const state: UpdateFlagStateBody = {};
  if (!same(saved.fallthrough, draft.fallthrough)) state.fallthrough = draft.fallthrough;
  if (!same(saved.tenantAllow, draft.tenantAllow)) state.tenantAllow = draft.tenantAllow;
  if (!same(saved.tenantDeny, draft.tenantDeny)) state.tenantDeny = draft.tenantDeny;
  return { deleted, created, updated, reorder: !same(keptOrder, savedOrder), state, count: deleted.length + created.length + updated.length + (same(keptOrder, savedOrder) ? 0 : 1) + Object.keys(state).length };
}

/**
 * Saves edited targeting as the API's steps, each with the version the previous one returned:
 * delete removed rules, reorder the kept ones, edit changed ones, add new ones at their place,
 * then the fallthrough and lists. A 412 stops it: someone else changed the flag meanwhile.
 */
export async function saveTargeting(ws: string, env: string, key: string, saved: FlagStateResponse, draft: TargetingDraft): Promise<FlagStateResponse> {
  const changes = targetingChanges(saved, draft);
  let state = saved;
  for (const id of changes.deleted) state = await deleteRule(ws, env, key, state.version, id);
  if (changes.reorder) {
    const kept = draft.rules.filter((r) => !isNew(r)).map((r) => r.id);
    state = await reorderRules(ws, env, key, state.version, kept);
  }
  for (const rule of changes.updated) state = await updateRule(ws, env, key, state.version, rule.id, { name: rule.name ?? null, conditions: rule.conditions, serve: rule.serve });
  for (const { rule, position } of changes.created) {
    state = await createRule(ws, env, key, state.version, { ...(rule.name ? { name: rule.name } : {}), conditions: rule.conditions, serve: rule.serve, position });
  }
  if (Object.keys(changes.state).length > 0) state = await patchFlagState(ws, env, key, state.version, changes.state);
  return state;
}

export function useSaveTargeting(ws: string, env: string, key: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ saved, draft }: { saved: FlagStateResponse; draft: TargetingDraft }) => saveTargeting(ws, env, key, saved, draft),
    // Saved or half-saved, this environment's flags are refetched.
    onSettled: () => queryClient.invalidateQueries({ queryKey: flagsKey(ws, env) }),
  });
}
