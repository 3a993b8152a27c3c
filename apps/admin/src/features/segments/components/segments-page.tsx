import type { SegmentResponse } from "@ensign/contracts/segments";
import { Pencil, Plus, Trash2, UsersRound } from "lucide-react";
import { useEffect, useState } from "react";
import { useLocation, useNavigate } from "react-router";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { Dialog } from "../../../components/ui/dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { PageHeader } from "../../../components/ui/page-header";
import { Pagination } from "../../../components/ui/pagination";
import { SearchInput } from "../../../components/ui/search-input";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { formatRelative } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useSegments } from "../api/get-segments";
import { useCreateSegment, useDeleteSegment, useUpdateSegment } from "../api/save-segment";
import { segmentDefaults, SegmentForm } from "./segment-form";

export function SegmentsPage() {
  const { ws, can } = useWorkspaceScope();
  const canWrite = can("state:write");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const location = useLocation();
  const navigate = useNavigate();
  // The command palette opens a segment by arriving here with { search: key }.
  const wanted = (location.state as { search?: unknown } | null)?.search;
  const [arrivedWith, setArrivedWith] = useState<unknown>(null);
  if (location.state !== arrivedWith) {
    setArrivedWith(location.state);
    if (typeof wanted === "string") {
      setSearch(wanted);
      setPage(1);
    }
  }
  useEffect(() => {
    if (typeof wanted === "string") void navigate(location.pathname, { replace: true, state: null });
  }, [wanted, location.pathname, navigate]);
  const debounced = useDebouncedValue(search);
  const segments = useSegments(ws, { search: debounced || undefined, page });
  const create = useCreateSegment(ws);
  const update = useUpdateSegment(ws);
  const remove = useDeleteSegment(ws);
  const [editing, setEditing] = useState<SegmentResponse | "new" | null>(null);
  const [deleting, setDeleting] = useState<SegmentResponse | null>(null);
  return (
    <>
      <PageHeader
        title="Segments"
        description="Reusable audiences such as beta testers or VIP producers. Flag rules target them with “is in segment”."
        actions={canWrite && <Button variant="primary" onClick={() => setEditing("new")}><Plus className="h-4 w-4" aria-hidden="true" />New segment</Button>}
      />
      <SearchInput label="Search segments" value={search} onChange={(v) => { setSearch(v); setPage(1); }} className="mb-4" />
      {segments.isPending ? (
        <TableSkeleton rows={4} columns={4} />
      ) : segments.isError ? (
        <ErrorPanel error={segments.error} onRetry={() => void segments.refetch()} />
      ) : segments.data.items.length === 0 ? (
        <EmptyState icon={UsersRound} title={debounced ? "No segments match" : "No segments yet"}>A segment lists tenants and users, or describes them with rules.</EmptyState>
      ) : (
        <>
          <Table label="Segments">
            <THead>
              <tr>
                <Th>Segment</Th>
                <Th>Members</Th>
                <Th>Rules</Th>
                <Th>Used by</Th>
                <Th>Updated</Th>
                <Th className="w-24"><span className="sr-only">Actions</span></Th>
              </tr>
            </THead>
            <TBody>
              {segments.data.items.map((s) => (
                <Tr key={s.id}>
                  <Td>
                    <span className="font-medium text-slate-900">{s.name}</span>
                    <span className="block font-mono text-xs text-slate-500">{s.key}</span>
                  </Td>
                  <Td className="text-sm text-slate-600">
                    {s.includedTenants.length} tenants · {s.includedUsers.length} users
                    {(s.excludedTenants.length > 0 || s.excludedUsers.length > 0) && <span className="block text-xs text-slate-400">{s.excludedTenants.length + s.excludedUsers.length} excluded</span>}
                  </Td>
                  <Td className="tabular-nums">{s.rules.length}</Td>
                  <Td>{s.usedByFlags > 0 ? <Badge tone="indigo">{s.usedByFlags} flags</Badge> : <span className="text-xs text-slate-400">unused</span>}</Td>
                  <Td className="text-xs text-slate-500">{formatRelative(s.updatedAt)}</Td>
                  <Td className="text-right">
                    <Button size="icon" variant="ghost" aria-label={`${canWrite ? "Edit" : "View"} ${s.name}`} onClick={() => setEditing(s)}><Pencil className="h-4 w-4" aria-hidden="true" /></Button>
                    {canWrite && <Button size="icon" variant="danger-ghost" aria-label={`Delete ${s.name}`} onClick={() => setDeleting(s)}><Trash2 className="h-4 w-4" aria-hidden="true" /></Button>}
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pagination page={segments.data.page} pageSize={segments.data.pageSize} total={segments.data.total} onPageChange={setPage} noun="segments" />
        </>
      )}
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        size="lg"
        title={editing === "new" ? "New segment" : (editing?.name ?? "")}
        footer={
          canWrite ? (
            <>
              <Button onClick={() => setEditing(null)}>Cancel</Button>
              <Button variant="primary" type="submit" form="segment-form" isLoading={create.isPending || update.isPending}>{editing === "new" ? "Create segment" : "Save"}</Button>
            </>
          ) : (
            <Button onClick={() => setEditing(null)}>Close</Button>
          )
        }
      >
        {editing !== null && (
          <SegmentForm
            id="segment-form"
            isEdit={editing !== "new"}
            disabled={!canWrite}
            defaultValues={segmentDefaults(editing === "new" ? undefined : editing)}
            onSubmit={async ({ key, description, ...rest }) => {
              if (editing === "new") await create.mutateAsync({ key, description: description || undefined, ...rest });
              else await update.mutateAsync({ key: editing.key, version: editing.version, body: { ...rest, description: description || null } });
              toast.success(editing === "new" ? `Segment ${key} created` : "Segment saved");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete segment ${deleting?.key ?? ""}?`}
        tone="danger"
        confirmLabel="Delete segment"
        isPending={remove.isPending}
        onConfirm={() => deleting && remove.mutate({ key: deleting.key, version: deleting.version }, { onSuccess: () => { toast.success("Segment deleted"); setDeleting(null); } })}
      >
        <p>{deleting && deleting.usedByFlags > 0 ? `${deleting.usedByFlags} flags read this segment; their rules would no longer match it.` : "No flag uses this segment."}</p>
      </ConfirmDialog>
    </>
  );
}
