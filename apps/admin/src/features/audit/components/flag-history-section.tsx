import { History } from "lucide-react";
import { useState } from "react";
import { AuditList } from "../../../components/audit/audit-list";
import { Button } from "../../../components/ui/button";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useFlagAudit } from "../api/get-flag-audit";

/** The flag's own audit history, every environment, with before/after diffs. */
export function FlagHistorySection({ flagKey }: { flagKey: string }) {
  const { ws } = useWorkspaceScope();
  const [cursors, setCursors] = useState<string[]>([]);
  const history = useFlagAudit(ws, flagKey, cursors.at(-1));
  if (history.isPending) return <TableSkeleton rows={5} columns={4} />;
  if (history.isError) return <ErrorPanel error={history.error} onRetry={() => void history.refetch()} />;
  if (history.data.items.length === 0) return <EmptyState icon={History} title="No history yet" />;
  return (
    <div>
      <AuditList items={history.data.items} showTarget={false} />
      <div className="mt-3 flex justify-end gap-2">
        <Button size="sm" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>Newer</Button>
        <Button size="sm" disabled={!history.data.nextCursor} onClick={() => history.data.nextCursor && setCursors((c) => [...c, history.data.nextCursor!])}>Older</Button>
      </div>
    </div>
  );
}
