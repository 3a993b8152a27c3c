import { useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { Building2, Flag, Layers, Plus, UsersRound, type LucideIcon } from "lucide-react";
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

  // Pages and actions are matched here; flags, tenants and segments by the API's search, once it answers for what was typed.
  const matches = (text: string) => search.trim().toLowerCase().split(/\s+/).every((word) => text.toLowerCase().includes(word));
  const settled = term === (search.trim() || undefined);
  const found = <T,>(query: { data?: { items: T[] }; isPlaceholderData: boolean }) => (settled && !query.isPlaceholderData ? (query.data?.items ?? []).slice(0, MATCHES) : []);

  const icon = (Icon: LucideIcon) => <Icon className="h-4 w-4" aria-hidden="true" />;
  const groups: { heading: string; entries: Entry[] }[] = [
    {
      heading: "Pages",
      entries: NAVIGATION.flatMap((section) =>
        section.items
          .filter((item) => can(item.requires))
          .map((item) => ({ value: `page:${item.to}`, label: section.label ? `${section.label}: ${item.label}` : item.label, icon: icon(item.icon), onSelect: () => go(item.to) })),
      ).filter((entry) => matches(entry.label)),
    },
    {
      heading: "Actions",
      entries: [
        ...(can("definitions:write") ? [{ value: "action:create-flag", label: "Create flag", icon: icon(Plus), onSelect: () => go("flags", { create: true }) }] : []),
        ...environments
          .filter((e) => e.key !== environment.key)
          .map((e) => ({ value: `action:environment:${e.key}`, label: `Switch environment to ${e.name}`, icon: icon(Layers), onSelect: () => run(() => setEnvironment(e.key)) })),
      ].filter((entry) => matches(entry.label)),
    },
    {
      heading: "Flags",
      entries: found(flags).map((flag) => ({ value: `flag:${flag.key}`, label: flag.name, detail: flag.key, icon: icon(Flag), onSelect: () => go(`flags/${encodeURIComponent(flag.key)}`) })),
    },
    {
      heading: "Tenants",
      entries: found(tenants).map((tenant) => ({ value: `tenant:${tenant.key}`, label: tenant.name, detail: tenant.key, icon: icon(Building2), onSelect: () => go(`tenants/${encodeURIComponent(tenant.key)}`) })),
    },
    {
      heading: "Segments",
      entries: found(segments).map((segment) => ({ value: `segment:${segment.key}`, label: segment.name, detail: segment.key, icon: icon(UsersRound), onSelect: () => go("segments", { search: segment.key }) })),
    },
  ];
  const values = groups.flatMap((group) => group.entries.map((entry) => entry.value));
  // The highlighted entry stays put while results arrive, and moves to the first one when it disappears.
  const [highlighted, setHighlighted] = useState("");
  const current = values.includes(highlighted) ? highlighted : (values[0] ?? "");
  const searching = !settled || flags.isFetching || tenants.isFetching || segments.isFetching;

  return (
    <Command.Dialog
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (!next) setSearch("");
      }}
      label="Command palette"
      shouldFilter={false}
      value={current}
      onValueChange={setHighlighted}
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
        {values.length === 0 && <p className="px-3 py-6 text-center text-slate-500">{searching && canRead ? "Searching…" : "Nothing matches."}</p>}
        {groups
          .filter((group) => group.entries.length > 0)
          .map((group) => (
            <Command.Group
              key={group.heading}
              heading={group.heading}
              className="mb-1 [&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:py-1.5 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-slate-500"
            >
              {group.entries.map((entry) => (
                <Command.Item
                  key={entry.value}
                  value={entry.value}
                  onSelect={entry.onSelect}
                  className="flex cursor-pointer items-center gap-2 rounded-md px-3 py-2 text-slate-700 data-[selected=true]:bg-slate-100 data-[selected=true]:text-slate-900"
                >
                  <span className="text-slate-400">{entry.icon}</span>
                  {entry.label}
                  {entry.detail && <span className="font-mono text-xs text-slate-400">{entry.detail}</span>}
                </Command.Item>
              ))}
            </Command.Group>
          ))}
      </Command.List>
    </Command.Dialog>
  );
}

interface Entry {
  /** Unique across the palette; cmdk tracks the highlighted entry by it. */
  value: string;
  label: string;
  detail?: string;
  icon: ReactNode;
  onSelect(): void;
}
