import { useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { Building2, Flag, Layers, Plus, UsersRound } from "lucide-react";
import { useState, type ReactNode } from "react";
import { useNavigate } from "react-router";
import { getFlagsQueryOptions } from "../../features/flags/api/get-flags";
import { getSegmentsQueryOptions } from "../../features/segments/api/get-segments";
import { getTenantsQueryOptions } from "../../features/tenants/api/get-tenants";
import { useDebouncedValue } from "../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../lib/workspace-scope";
import { NAVIGATION } from "./navigation";

/** How many flags, tenants and segments the palette offers per search. */
const MATCHES = 8;

/** Jump to any page, flag, tenant or segment of the workspace, or run a common action, by typing. */
export function CommandPalette({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  const { ws, env, environment, environments, setEnvironment, can } = useWorkspaceScope();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const term = useDebouncedValue(search.trim(), 200) || undefined;
  const canRead = can("workspace:read");
  const enabled = open && canRead;
  const flags = useQuery({ ...getFlagsQueryOptions(ws, env, { search: term, sort: "key", order: "asc", page: 1, pageSize: MATCHES }), enabled });
  const tenants = useQuery({ ...getTenantsQueryOptions(ws, env, { search: term, sort: "key", order: "asc", page: 1 }), enabled });
  const segments = useQuery({ ...getSegmentsQueryOptions(ws, { search: term, page: 1 }), enabled });

  const run = (action: () => void) => {
    onOpenChange(false);
    setSearch("");
    action();
  };
  const go = (path: string, state?: unknown) => run(() => void navigate(`/w/${ws}/${path}`, { state }));
  const pages = NAVIGATION.flatMap((section) => section.items.filter((item) => can(item.requires)).map((item) => ({ ...item, section: section.label })));

  return (
    <Command.Dialog
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (!next) setSearch("");
      }}
      label="Command palette"
      vimBindings={false}
      overlayClassName="fixed inset-0 z-40 bg-slate-900/40"
      contentClassName="fixed top-[12vh] left-1/2 z-50 w-[calc(100vw-2rem)] max-w-xl -translate-x-1/2 overflow-hidden rounded-xl bg-white shadow-xl ring-1 ring-slate-900/10"
    >
      <Command.Input
        value={search}
        onValueChange={setSearch}
        placeholder="Jump to a page, flag, tenant or segment…"
        className="w-full border-b border-slate-100 px-4 py-3 text-sm outline-none placeholder:text-slate-400"
      />
      <Command.List className="max-h-[60vh] overflow-y-auto p-2 text-sm">
        <Command.Empty className="px-3 py-6 text-center text-slate-500">{flags.isFetching || tenants.isFetching ? "Searching…" : "Nothing matches."}</Command.Empty>
        <Group heading="Pages">
          {pages.map((page) => (
            <Item key={page.to} value={`page ${page.section ?? ""} ${page.label}`} onSelect={() => go(page.to)} icon={<page.icon className="h-4 w-4" aria-hidden="true" />}>
              {page.section ? `${page.section}: ${page.label}` : page.label}
            </Item>
          ))}
        </Group>
        <Group heading="Actions">
          {can("definitions:write") && (
            <Item value="action create flag new" onSelect={() => go("flags", { create: true })} icon={<Plus className="h-4 w-4" aria-hidden="true" />}>
              Create flag
            </Item>
          )}
          {environments
            .filter((e) => e.key !== environment.key)
            .map((e) => (
              <Item key={e.key} value={`action switch environment ${e.name} ${e.key}`} onSelect={() => run(() => setEnvironment(e.key))} icon={<Layers className="h-4 w-4" aria-hidden="true" />}>
                Switch environment to {e.name}
              </Item>
            ))}
        </Group>
        {!!flags.data?.items.length && (
          <Group heading="Flags">
            {flags.data.items.map((flag) => (
              <Item key={flag.key} value={`flag ${flag.key} ${flag.name}`} onSelect={() => go(`flags/${encodeURIComponent(flag.key)}`)} icon={<Flag className="h-4 w-4" aria-hidden="true" />}>
                {flag.name} <span className="font-mono text-xs text-slate-400">{flag.key}</span>
              </Item>
            ))}
          </Group>
        )}
        {!!tenants.data?.items.length && (
          <Group heading="Tenants">
            {tenants.data.items.slice(0, MATCHES).map((tenant) => (
              <Item key={tenant.key} value={`tenant ${tenant.key} ${tenant.name}`} onSelect={() => go(`tenants/${encodeURIComponent(tenant.key)}`)} icon={<Building2 className="h-4 w-4" aria-hidden="true" />}>
                {tenant.name} <span className="font-mono text-xs text-slate-400">{tenant.key}</span>
              </Item>
            ))}
          </Group>
        )}
        {!!segments.data?.items.length && (
          <Group heading="Segments">
            {segments.data.items.slice(0, MATCHES).map((segment) => (
              <Item key={segment.key} value={`segment ${segment.key} ${segment.name}`} onSelect={() => go("segments", { search: segment.key })} icon={<UsersRound className="h-4 w-4" aria-hidden="true" />}>
                {segment.name} <span className="font-mono text-xs text-slate-400">{segment.key}</span>
              </Item>
            ))}
          </Group>
        )}
      </Command.List>
    </Command.Dialog>
  );
}

function Group({ heading, children }: { heading: string; children: ReactNode }) {
  return (
    <Command.Group heading={heading} className="mb-1 [&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:py-1.5 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-slate-500">
      {children}
    </Command.Group>
  );
}

function Item({ value, onSelect, icon, children }: { value: string; onSelect(): void; icon: ReactNode; children: ReactNode }) {
  return (
    <Command.Item value={value} onSelect={onSelect} className="flex cursor-pointer items-center gap-2 rounded-md px-3 py-2 text-slate-700 data-[selected=true]:bg-slate-100 data-[selected=true]:text-slate-900">
      <span className="text-slate-400">{icon}</span>
      {children}
    </Command.Item>
  );
}
