import type { FlagListItem, FlagStatus } from "@ensign/contracts/flags";
import { FLAG_TYPES, type FlagType } from "@ensign/contracts/targeting";
import { Flag, FlaskConical, Plus, RefreshCw, SlidersHorizontal, X } from "lucide-react";
import { useEffect, useId, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Select } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { SearchInput } from "../../../components/ui/search-input";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { SortableTh, Td, Th } from "../../../components/ui/table";
import { VirtualTable } from "../../../components/ui/virtual-table";
import { formatNumber } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { facetsOf, useFlagDefinitions } from "../api/get-flag-definitions";
import { useFlagRows, type FlagFilters, type FlagSort } from "../api/get-flags";
import { useSafeToggle } from "../hooks/use-safe-toggle";
import { CreateFlagDialog } from "./create-flag-dialog";
import { FlagActions } from "./flag-actions";
import { FlagStatusCell, RolloutCell } from "./flag-status";
import { ProductionConfirmDialog, type ImpactPreview } from "./production-confirm";

type Filters = Omit<FlagFilters, "search" | "page" | "pageSize" | "sort" | "order" | "archived">;

/** `impact` shows who a toggle in a production environment affects, before it is confirmed. */
export function FlagsPage({ impact }: { impact?: ImpactPreview } = {}) {
  const { ws, env, environment, can } = useWorkspaceScope();
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<{ field: FlagSort; order: "asc" | "desc" }>({ field: "key", order: "asc" });
  const [filters, setFilters] = useState<Filters>({});
  const [archived, setArchived] = useState(false);
  const [showMore, setShowMore] = useState(false);
  const moreId = useId();
  const [creating, setCreating] = useState(false);
  const location = useLocation();
  const navigate = useNavigate();
  // The command palette's "Create flag" arrives here with { create: true }.
  const createRequested = (location.state as { create?: unknown } | null)?.create === true;
  const [arrivedWith, setArrivedWith] = useState<unknown>(null);
  if (location.state !== arrivedWith) {
    setArrivedWith(location.state);
    if (createRequested && can("definitions:write")) setCreating(true);
  }
  useEffect(() => {
    if (createRequested) void navigate(location.pathname, { replace: true, state: null });
  }, [createRequested, location.pathname, navigate]);
  const debounced = useDebouncedValue(search, 300);
  const query: Omit<FlagFilters, "page" | "pageSize"> = { ...filters, search: debounced.trim() || undefined, sort: sort.field, order: sort.order, archived };
  const flags = useFlagRows(ws, env, query);
  const definitions = useFlagDefinitions(ws);
  const facets = facetsOf(definitions.data);
  const toggle = useSafeToggle();
  const canToggle = can("state:write");
  const setFilter = <K extends keyof Filters>(key: K, value: Filters[K]) => {
    setFilters((f) => ({ ...f, [key]: value }));
  };
  const onSort = (field: FlagSort) => setSort((s) => ({ field, order: s.field === field && s.order === "asc" ? "desc" : "asc" }));
  const hasFilters = Object.values(filters).some((v) => v !== undefined) || !!debounced || archived;
  // Type, beta, deprecated and archived sit behind "More filters", so the row fits at 1280 px.
  const moreCount = Number(filters.type !== undefined) + Number(filters.beta !== undefined) + Number(filters.deprecated !== undefined) + Number(archived);

  return (
    <>
      <PageHeader
        title="Feature flags"
        description={`State shown for ${environment.name}. Switch the environment at the top to see another.`}
        actions={
          <>
            <Button variant="ghost" aria-label="Refresh" onClick={() => void flags.refetch()} disabled={flags.isFetching}>
              <RefreshCw className={flags.isFetching ? "h-4 w-4 animate-spin" : "h-4 w-4"} aria-hidden="true" />
            </Button>
            {can("definitions:write") && (
              <Button variant="primary" onClick={() => setCreating(true)}>
                <Plus className="h-4 w-4" aria-hidden="true" />
                Create flag
              </Button>
            )}
          </>
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-2">
        <SearchInput label="Search flags" placeholder="Search by name or key" className="w-60" value={search} onChange={setSearch} />
        <Select aria-label="Status filter" value={filters.state ?? ""} onChange={(e) => setFilter("state", (e.target.value || undefined) as FlagStatus | undefined)} className="w-auto">
          <option value="">Any status</option>
          <option value="on">On</option>
          <option value="partial">Partial</option>
          <option value="off">Off</option>
        </Select>
        <Select aria-label="Module filter" value={filters.module ?? ""} onChange={(e) => setFilter("module", e.target.value || undefined)} className="w-auto max-w-44">
          <option value="">Any module</option>
          {facets.modules.map((m) => <option key={m} value={m}>{m}</option>)}
        </Select>
        <Select aria-label="Tag filter" value={filters.tag ?? ""} onChange={(e) => setFilter("tag", e.target.value || undefined)} className="w-auto max-w-44">
          <option value="">Any tag</option>
          {facets.tags.map((t) => <option key={t} value={t}>{t}</option>)}
        </Select>
        <Button size="sm" variant="ghost" aria-expanded={showMore} aria-controls={moreId} onClick={() => setShowMore((v) => !v)}>
          <SlidersHorizontal className="h-3.5 w-3.5" aria-hidden="true" />
          More filters{moreCount > 0 && <Badge tone="indigo"><span className="sr-only">active: </span>{moreCount}</Badge>}
        </Button>
        {hasFilters && (
          <Button size="sm" variant="ghost" onClick={() => { setFilters({}); setSearch(""); setArchived(false); }}>
            <X className="h-3.5 w-3.5" aria-hidden="true" />
            Clear
          </Button>
        )}
      </div>
      {showMore && (
        <div id={moreId} className="-mt-2 mb-4 flex flex-wrap items-center gap-2">
          <Select aria-label="Type filter" value={filters.type ?? ""} onChange={(e) => setFilter("type", (e.target.value || undefined) as FlagType | undefined)} className="w-auto">
            <option value="">Any type</option>
            {FLAG_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </Select>
          <Select aria-label="Beta filter" value={filters.beta === undefined ? "" : String(filters.beta)} onChange={(e) => setFilter("beta", e.target.value === "" ? undefined : e.target.value === "true")} className="w-auto">
            <option value="">Beta or not</option>
            <option value="true">Beta only</option>
            <option value="false">Not beta</option>
          </Select>
          <Select aria-label="Deprecated filter" value={filters.deprecated === undefined ? "" : String(filters.deprecated)} onChange={(e) => setFilter("deprecated", e.target.value === "" ? undefined : e.target.value === "true")} className="w-auto">
            <option value="">Deprecated or not</option>
            <option value="true">Deprecated only</option>
            <option value="false">Not deprecated</option>
          </Select>
          <Select aria-label="Archived filter" value={archived ? "archived" : "active"} onChange={(e) => setArchived(e.target.value === "archived")} className="w-auto">
            <option value="active">Active flags</option>
            <option value="archived">Archived flags</option>
          </Select>
        </div>
      )}
      {flags.isPending ? (
        <TableSkeleton rows={10} columns={6} />
      ) : flags.isError ? (
        <ErrorPanel error={flags.error} onRetry={() => void flags.refetch()} title="Flags could not be loaded" />
      ) : flags.total === 0 ? (
        <EmptyState
          icon={Flag}
          title={hasFilters ? "No flags match these filters" : "No flags yet"}
          action={!hasFilters && can("definitions:write") && <Button variant="primary" onClick={() => setCreating(true)}>Create the first flag</Button>}
        >
          {hasFilters ? "Try fewer filters or another search." : "A flag lets you turn a feature on for some tenants or users before everyone."}
        </EmptyState>
      ) : (
        <>
          <VirtualTable
            label="Feature flags"
            className={flags.isPlaceholder ? "opacity-70 transition-opacity" : undefined}
            total={flags.total}
            rowAt={flags.rowAt}
            rowKey={(flag) => flag.id}
            onRangeChange={flags.onRangeChange}
            columns={7}
            rowClassName={(flag) => (flag.deprecatedAt ? "bg-slate-50/60" : undefined)}
            header={
              <>
                <SortableTh field="name" label="Name / key" sort={sort} onSort={onSort} />
                <SortableTh field="type" label="Type" sort={sort} onSort={onSort} />
                <SortableTh field="status" label="Status" sort={sort} onSort={onSort} />
                <SortableTh field="rollout" label="Rollout" sort={sort} onSort={onSort} />
                <SortableTh field="rules" label="Rules" sort={sort} onSort={onSort} className="text-right" />
                <SortableTh field="module" label="Module / tags" sort={sort} onSort={onSort} />
                <Th className="text-right">Actions</Th>
              </>
            }
            renderRow={(flag) => (
              <FlagCells flag={flag} env={env} ws={ws} canToggle={canToggle && !flag.archivedAt} canWrite={can("definitions:write")} isPending={toggle.pendingKey === flag.key} onToggle={(enabled, version) => toggle.request({ key: flag.key, name: flag.name, enabled, version })} />
            )}
          />
          <p className="mt-3 text-sm text-slate-500" aria-live="polite">{formatNumber(flags.total)} {flags.total === 1 ? "flag" : "flags"}</p>
        </>
      )}
      <CreateFlagDialog open={creating} onOpenChange={setCreating} />
      <ProductionConfirmDialog
        open={toggle.pending !== null}
        title={toggle.pending ? `Turn ${toggle.pending.name} ${toggle.pending.enabled ? "on" : "off"} in ${environment.name}?` : ""}
        confirmLabel={toggle.pending?.enabled ? "Turn on" : "Turn off"}
        flagKey={toggle.pending?.key ?? ""}
        flagName={toggle.pending?.name ?? ""}
        state={{ enabled: toggle.pending?.enabled ?? false }}
        impact={impact}
        isPending={toggle.isPending}
        onConfirm={toggle.confirm}
        onCancel={toggle.cancel}
      />
    </>
  );
}

function FlagCells({ flag, ws, env, canToggle, canWrite, isPending, onToggle }: { flag: FlagListItem; ws: string; env: string; canToggle: boolean; canWrite: boolean; isPending: boolean; onToggle(enabled: boolean, version: number): void }) {
  const summary = flag.environments.find((e) => e.environment === env);
  const href = `/w/${ws}/flags/${encodeURIComponent(flag.key)}`;
  return (
    <>
      <Td className="max-w-xs">
        <Link to={href} className="group block rounded focus-visible:outline-2">
          <span className="flex items-center gap-1.5 font-medium text-slate-900 group-hover:text-indigo-700">
            <span className="truncate">{flag.name}</span>
            {flag.isBeta && <Badge tone="violet"><FlaskConical className="h-3 w-3" aria-hidden="true" />beta</Badge>}
            {flag.deprecatedAt && <Badge tone="neutral">deprecated</Badge>}
          </span>
          <span className="block truncate font-mono text-xs text-slate-500">{flag.key}</span>
        </Link>
      </Td>
      <Td><Badge tone="neutral">{flag.type}</Badge></Td>
      <Td><FlagStatusCell name={flag.name} description={flag.description} summary={summary} canToggle={canToggle} isPending={isPending} onToggle={(enabled) => summary && onToggle(enabled, summary.version)} /></Td>
      <Td><RolloutCell summary={summary} /></Td>
      <Td className="text-right tabular-nums">
        {summary && summary.ruleCount > 0 ? <Link to={`${href}#targeting`} className="text-indigo-700 hover:underline">{summary.ruleCount}</Link> : <span className="text-slate-400">0</span>}
      </Td>
      <Td className="max-w-[14rem]">
        <span className="flex flex-wrap gap-1">
          {flag.module && <Badge tone="sky">{flag.module}</Badge>}
          {flag.tags.slice(0, 3).map((t) => <Badge key={t}>{t}</Badge>)}
          {flag.tags.length > 3 && <Badge>+{flag.tags.length - 3}</Badge>}
          {!flag.module && flag.tags.length === 0 && <span className="text-slate-400">—</span>}
        </span>
      </Td>
      <Td className="py-1.5"><FlagActions ws={ws} flag={flag} canWrite={canWrite} /></Td>
    </>
  );
}
