import type { EnvironmentUserOverride } from "@ensign/contracts/overrides";
import { RefreshCw, Trash2, UserRoundCog } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Checkbox } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { SearchInput } from "../../../components/ui/search-input";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Td, Th } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { VirtualTable } from "../../../components/ui/virtual-table";
import { formatDateTime, formatNumber, formatRelative } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useEnvironmentUserOverrides } from "../api/environment-user-overrides";
import { useClearUserOverride } from "../api/user-overrides";

/** Every user override of every flag in the environment: who gets what, until when, and a way to clear it. */
export function UserOverridesPage() {
  const { ws, env, environment, can } = useWorkspaceScope();
  const [search, setSearch] = useState("");
  const [hideExpired, setHideExpired] = useState(false);
  const [clearing, setClearing] = useState<EnvironmentUserOverride | null>(null);
  const q = useDebouncedValue(search, 300).trim() || undefined;
  const overrides = useEnvironmentUserOverrides(ws, env, { q, expired: hideExpired ? false : undefined });
  const canWrite = can("overrides:write");
  return (
    <>
      <PageHeader
        title="User overrides"
        description={`Users given a flag's variant directly, across every flag, in ${environment.name}. Add one from the flag's page.`}
        actions={
          <Button variant="ghost" aria-label="Refresh" onClick={() => void overrides.refetch()} disabled={overrides.isFetching}>
            <RefreshCw className={overrides.isFetching ? "h-4 w-4 animate-spin" : "h-4 w-4"} aria-hidden="true" />
          </Button>
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <SearchInput label="Search by user key" placeholder="Search by user key" value={search} onChange={setSearch} />
        <Checkbox label="Hide expired" checked={hideExpired} onChange={(e) => setHideExpired(e.target.checked)} />
      </div>
      {overrides.isPending ? (
        <TableSkeleton rows={8} columns={5} />
      ) : overrides.isError ? (
        <ErrorPanel error={overrides.error} onRetry={() => void overrides.refetch()} title="User overrides could not be loaded" />
      ) : overrides.total === 0 ? (
        <EmptyState icon={UserRoundCog} title={q || hideExpired ? "No user overrides match" : `No user overrides in ${environment.name}`}>
          {q || hideExpired ? "Try another user key." : "Give a user a flag's variant from the User overrides section of the flag's page."}
        </EmptyState>
      ) : (
        <>
          <VirtualTable
            label="User overrides"
            className={overrides.isPlaceholder ? "opacity-70 transition-opacity" : undefined}
            total={overrides.total}
            rowAt={overrides.rowAt}
            rowKey={(o) => o.id}
            onRangeChange={overrides.onRangeChange}
            columns={canWrite ? 5 : 4}
            header={
              <>
                <Th>User key</Th>
                <Th>Flag</Th>
                <Th>Variant</Th>
                <Th>Expires</Th>
                {canWrite && <Th className="text-right">Clear</Th>}
              </>
            }
            renderRow={(o) => (
              <>
                <Td className="font-mono text-xs text-slate-900">{o.userKey}</Td>
                <Td>
                  <Link to={`/w/${ws}/flags/${encodeURIComponent(o.flag)}`} className="font-medium text-slate-900 hover:underline">{o.flagName}</Link>
                  <span className="block font-mono text-xs text-slate-500">{o.flag}</span>
                </Td>
                <Td><Badge tone="indigo">{o.variant}</Badge></Td>
                <Td>
                  {o.expiresAt === null ? (
                    <span className="text-slate-500">permanent</span>
                  ) : o.isExpired ? (
                    <Badge tone="amber" title={formatDateTime(o.expiresAt)}>expired {formatRelative(o.expiresAt)}</Badge>
                  ) : (
                    <time dateTime={o.expiresAt} title={formatDateTime(o.expiresAt)}>{formatDateTime(o.expiresAt)}</time>
                  )}
                </Td>
                {canWrite && (
                  <Td className="py-1.5 text-right">
                    <Button size="icon" variant="danger-ghost" aria-label={`Clear ${o.userKey}'s override of ${o.flagName}`} title="Clear" onClick={() => setClearing(o)}>
                      <Trash2 className="h-4 w-4" aria-hidden="true" />
                    </Button>
                  </Td>
                )}
              </>
            )}
          />
          <p className="mt-3 text-sm text-slate-500" aria-live="polite">{formatNumber(overrides.total)} user {overrides.total === 1 ? "override" : "overrides"}</p>
        </>
      )}
      {clearing && <ClearDialog ws={ws} env={env} override={clearing} onDone={() => setClearing(null)} />}
    </>
  );
}

function ClearDialog({ ws, env, override, onDone }: { ws: string; env: string; override: EnvironmentUserOverride; onDone(): void }) {
  const clear = useClearUserOverride(ws, env, override.flag);
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => !open && onDone()}
      title={`Clear ${override.userKey}'s override?`}
      tone="danger"
      confirmLabel="Clear override"
      isPending={clear.isPending}
      onConfirm={() => clear.mutate(override.userKey, { onSuccess: () => { toast.success(`${override.userKey}'s override of ${override.flagName} was cleared`); onDone(); } })}
    >
      <p>
        {override.userKey} stops getting <code className="font-mono">{override.variant}</code> of {override.flagName} and is evaluated by the flag's rules again.
      </p>
    </ConfirmDialog>
  );
}
