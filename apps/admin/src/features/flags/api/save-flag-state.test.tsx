import type { FlagStateResponse } from "@ensign/contracts/flags";
import type { Rule } from "@ensign/contracts/targeting";
import { afterEach, describe, expect, it, vi } from "vitest";
import { saveTargeting, targetingChanges } from "./save-flag-state";

const rule = (id: string, value: string): Rule => ({ id, conditions: [{ attribute: "country", operator: "in", values: [value] }], serve: { variant: "on" } });
const saved: FlagStateResponse = {
  flag: "f",
  environment: "production",
  enabled: true,
  fallthrough: { variant: "off" },
  tenantAllow: [],
  tenantDeny: [],
  rules: [rule("00000000-0000-7000-8000-00000000000a", "NL"), rule("00000000-0000-7000-8000-00000000000b", "BE"), rule("00000000-0000-7000-8000-00000000000c", "DE")],
  version: 7,
  updatedAt: "2026-01-01T00:00:00Z",
};
const [a, b, c] = saved.rules as [Rule, Rule, Rule];

afterEach(() => vi.unstubAllGlobals());

describe("targetingChanges", () => {
  it("finds nothing to do in an unchanged draft", () => {
    expect(targetingChanges(saved, { rules: saved.rules, fallthrough: saved.fallthrough, tenantAllow: [], tenantDeny: [] }).count).toBe(0);
  });

  it("separates deleted, moved, edited and new rules, and state fields", () => {
    const edited = { ...b, conditions: [{ attribute: "country", operator: "in" as const, values: ["BE", "LU"] }] };
    const changes = targetingChanges(saved, { rules: [c, { ...rule("new-1", "FR") }, edited], fallthrough: { variant: "on" }, tenantAllow: ["acme"], tenantDeny: [] });
    expect(changes.deleted).toEqual([a.id]);
    expect(changes.reorder).toBe(true);
    expect(changes.updated.map((r) => r.id)).toEqual([b.id]);
    expect(changes.created).toEqual([{ rule: rule("new-1", "FR"), position: 1 }]);
    expect(changes.state).toEqual({ fallthrough: { variant: "on" }, tenantAllow: ["acme"] });
  });
});

describe("saveTargeting", () => {
  it("sends the steps in order, each with the version the previous one returned", async () => {
    const calls: { method: string; url: string; ifMatch: string | undefined; body: unknown }[] = [];
    let version = 7;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        const headers = init.headers as Record<string, string>;
        calls.push({ method: init.method ?? "GET", url, ifMatch: headers["if-match"], body: init.body ? JSON.parse(init.body as string) : undefined });
        version += 1;
        return new Response(JSON.stringify({ ...saved, version }), { status: 200 });
      }),
    );
    const result = await saveTargeting("demo", "production", "f", saved, { rules: [b, rule("new-1", "FR")], fallthrough: { variant: "on" }, tenantAllow: [], tenantDeny: [] });
    expect(calls.map((call) => `${call.method} ${call.url.replace("/v1/workspaces/demo/flags/f/environments/production", "")} ${call.ifMatch}`)).toEqual([
      `DELETE /rules/${a.id} "7"`,
      `DELETE /rules/${c.id} "8"`,
      `POST /rules "9"`,
      `PATCH  "10"`,
    ]);
    expect(calls[2]!.body).toEqual({ conditions: [{ attribute: "country", operator: "in", values: ["FR"] }], serve: { variant: "on" }, position: 1 });
    expect(calls[3]!.body).toEqual({ fallthrough: { variant: "on" } });
    expect(result.version).toBe(11);
  });
});
