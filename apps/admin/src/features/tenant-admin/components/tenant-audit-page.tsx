import { History } from "lucide-react";
import { useState } from "react";
import { AuditList } from "../../../components/audit/audit-list";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { PageHeader } from "../../../components/ui/page-header";
import { Pagination } from "../../../components/ui/pagination";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useTenantAudit } from "../api/get-tenant-audit";

/** Who changed which of the tenant's features, and when. */
export function TenantAuditPage() {
  const { ws, tenant } = useWorkspaceScope();
  const [page, setPage] = useState(1);
  const audit = useTenantAudit(ws, { page });
  return (
    <>
      <PageHeader title="Audit log" eyebrow={tenant?.name} description="Every change to your organisation's features: yours, and your provider's." />
      {audit.isPending ? (
        <TableSkeleton rows={6} columns={4} />
      ) : audit.isError ? (
        <ErrorPanel error={audit.error} onRetry={() => void audit.refetch()} />
      ) : audit.data.items.length === 0 ? (
        <EmptyState icon={History} title="No changes yet">
          When a feature is switched on or off for your organisation, it shows up here.
        </EmptyState>
      ) : (
        <>
          <AuditList items={audit.data.items} />
          <Pagination page={audit.data.page} pageSize={audit.data.pageSize} total={audit.data.total} onPageChange={setPage} noun="entries" />
        </>
      )}
    </>
  );
}
