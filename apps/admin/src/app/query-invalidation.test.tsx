import type { WorkspaceResponse } from "@ensign/contracts/workspaces";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useBulkOverrides } from "../components/overrides/bulk-overrides";
import { useUpdateFlag } from "../features/flags/api/update-flag";
import { useUpdateTenant } from "../features/tenants/api/save-tenant";
import { testScope } from "../testing/scope";
import { workspacesKey } from "../lib/query-keys";

/** Queries of the `demo` workspace as the app caches them, by what they show. */
const cached = {
  "flags list, production": ["ws", "demo", "env", "production", "flags", "list", { page: 1 }],
  "flags list, staging": ["ws", "demo", "env", "staging", "flags", "list", { page: 1 }],
  "tenant overrides of kb, production": ["ws", "demo", "env", "production", "flags", "detail", "kb", "tenant-overrides", { page: 1 }],
  "tenants list, production": ["ws", "demo", "env", "production", "tenants", "list", { page: 1 }],
  "tenants list, staging": ["ws", "demo", "env", "staging", "tenants", "list", { page: 1 }],
  "api keys, production": ["ws", "demo", "env", "production", "api-keys"],
  "flag definitions": ["ws", "demo", "flag-definitions"],
  "audit log": ["ws", "demo", "audit", "list", {}],
  "segments": ["ws", "demo", "segments"],
  "another workspace's flags": ["ws", "other", "env", "production", "flags", "list", { page: 1 }],
} as const;
type Cached = keyof typeof cached;

function setup(options: { workspacesLoaded: boolean }) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  if (options.workspacesLoaded) queryClient.setQueryData<WorkspaceResponse[]>(workspacesKey, [testScope().workspace]);
  for (const key of Object.values(cached)) queryClient.setQueryData(key, { items: [] });
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
  const invalidated = () => (Object.keys(cached) as Cached[]).filter((name) => queryClient.getQueryState(cached[name])?.isInvalidated);
  return { wrapper, invalidated };
}

const answer = (body: object) => vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } })));

afterEach(() => vi.unstubAllGlobals());

describe("what a mutation invalidates, by key prefix", () => {
  it("an applied bulk override: this environment's flags (their override lists too), its tenants and the audit log", async () => {
    const { wrapper, invalidated } = setup({ workspacesLoaded: true });
    const { result } = renderHook(() => useBulkOverrides("demo", "production"), { wrapper });
    answer({ preview: true, changes: [], skipped: [] });
    await act(() => result.current.mutateAsync({ action: "clear", flag: "kb", tenants: ["acme"], preview: true }));
    expect(invalidated()).toEqual([]);

    answer({ preview: false, changes: [], skipped: [] });
    await act(() => result.current.mutateAsync({ action: "clear", flag: "kb", tenants: ["acme"], preview: false }));
    expect(invalidated()).toEqual(["flags list, production", "tenant overrides of kb, production", "tenants list, production", "audit log"]);
  });

  it("a tenant's update: tenants and flags in every environment of the workspace, and the audit log", async () => {
    const { wrapper, invalidated } = setup({ workspacesLoaded: true });
    const { result } = renderHook(() => useUpdateTenant("demo"), { wrapper });
    answer({ key: "acme" });
    await act(() => result.current.mutateAsync({ key: "acme", version: 1, body: { name: "Acme" } }));
    expect(invalidated()).toEqual(["flags list, production", "flags list, staging", "tenant overrides of kb, production", "tenants list, production", "tenants list, staging", "audit log"]);
  });

  it("a flag definition's update: the definitions and every environment's flags", async () => {
    const { wrapper, invalidated } = setup({ workspacesLoaded: true });
    const { result } = renderHook(() => useUpdateFlag("demo", "kb"), { wrapper });
    answer({ key: "kb" });
    await act(() => result.current.mutateAsync({ version: 1, body: { name: "Knowledge base" } }));
    expect(invalidated()).toEqual(["flags list, production", "flags list, staging", "tenant overrides of kb, production", "flag definitions"]);
  });

  it("before the workspace's environments are known, every environment's queries of that workspace", async () => {
    const { wrapper, invalidated } = setup({ workspacesLoaded: false });
    const { result } = renderHook(() => useUpdateFlag("demo", "kb"), { wrapper });
    answer({ key: "kb" });
    await act(() => result.current.mutateAsync({ version: 1, body: { name: "Knowledge base" } }));
    expect(invalidated()).toEqual([
      "flags list, production",
      "flags list, staging",
      "tenant overrides of kb, production",
      "tenants list, production",
      "tenants list, staging",
      "api keys, production",
      "flag definitions",
    ]);
  });
});
