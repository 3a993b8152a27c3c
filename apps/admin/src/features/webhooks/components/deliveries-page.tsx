import type { DeliveryResponse, DeliveryStatus } from "@ensign/contracts/webhooks";
import { ArrowLeft, Send } from "lucide-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { Badge, type BadgeTone } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Select } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useDeliveries, type DeliveriesFilter } from "../api/get-deliveries";
import { useWebhook } from "../api/get-webhooks";
import { useRedeliver } from "../api/redeliver";
import { destinationOf, filtersOf } from "./webhooks-page";

const STATUS_TONE: Record<DeliveryStatus, BadgeTone> = { delivered: "green", pending: "amber", failed: "red" };

function Answer({ delivery }: { delivery: DeliveryResponse }) {
  if (delivery.responseStatus === null) return <span className="text-slate-400">{delivery.attempts === 0 ? "—" : "no answer"}</span>;
  const ok = delivery.responseStatus >= 200 && delivery.responseStatus < 300;
  return <span className={ok ? "text-emerald-700" : "text-red-700"}>{delivery.responseStatus}</span>;
}

/** One webhook's delivery log: each event, its status, the receiver's answer and latency; failed and delivered ones can go again. */
export function DeliveriesPage() {
  const { ws } = useWorkspaceScope();
  const { id = "" } = useParams();
  const webhook = useWebhook(ws, id);
  const [filter, setFilter] = useState<DeliveriesFilter>({});
  const [cursors, setCursors] = useState<string[]>([]);
  const deliveries = useDeliveries(ws, id, filter);
  const redeliver = useRedeliver(ws, id);

  const page = (cursor: string | undefined) => setFilter((current) => ({ ...current, cursor }));
  return (
    <>
      <PageHeader
        eyebrow={<Link to={`/w/${ws}/webhooks`} className="inline-flex items-center gap-1 hover:text-slate-700"><ArrowLeft className="h-3.5 w-3.5" aria-hidden="true" />Webhooks</Link>}
        title={webhook.data?.name ?? "Delivery log"}
        description={webhook.data ? `${destinationOf(webhook.data)} · ${filtersOf(webhook.data)}` : undefined}
        actions={
          <Select
            aria-label="Status"
            value={filter.status ?? ""}
            onChange={(event) => {
              setCursors([]);
              setFilter({ status: (event.target.value || undefined) as DeliveryStatus | undefined });
            }}
          >
            <option value="">Every status</option>
            <option value="delivered">Delivered</option>
            <option value="pending">Pending</option>
            <option value="failed">Failed</option>
          </Select>
        }
      />
      {webhook.isError ? (
        <ErrorPanel error={webhook.error} onRetry={() => void webhook.refetch()} />
      ) : deliveries.isPending ? (
        <TableSkeleton rows={5} columns={7} />
      ) : deliveries.isError ? (
        <ErrorPanel error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : deliveries.data.items.length === 0 ? (
        <EmptyState icon={Send} title="Nothing delivered yet">
          Events appear here as changes in the workspace commit and pass this webhook&apos;s filters.
        </EmptyState>
      ) : (
        <>
          <Table label="Deliveries">
            <THead>
              <tr>
                <Th>Event</Th>
                <Th>Status</Th>
                <Th>Response</Th>
                <Th>Latency</Th>
                <Th>Attempts</Th>
                <Th>Last attempt</Th>
                <Th className="w-28"><span className="sr-only">Actions</span></Th>
              </tr>
            </THead>
            <TBody>
              {deliveries.data.items.map((d) => (
                <Tr key={d.id}>
                  <Td>
                    <div className="font-mono text-xs text-slate-900">{d.eventType}</div>
                    <div className="text-xs text-slate-500">event {d.eventId}</div>
                  </Td>
                  <Td>
                    <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                    {d.status === "pending" && d.nextAttemptAt && <div className="mt-0.5 text-xs text-slate-500" title={formatDateTime(d.nextAttemptAt)}>next {formatRelative(d.nextAttemptAt)}</div>}
                    {d.error && <div className="mt-0.5 max-w-xs truncate text-xs text-red-600" title={d.error}>{d.error}</div>}
                  </Td>
                  <Td className="font-mono text-xs"><Answer delivery={d} /></Td>
                  <Td className="text-xs">{d.latencyMs === null ? "—" : `${d.latencyMs} ms`}</Td>
                  <Td className="text-xs">{d.attempts}</Td>
                  <Td className="text-xs text-slate-500" title={formatDateTime(d.lastAttemptAt)}>{d.lastAttemptAt ? formatRelative(d.lastAttemptAt) : "—"}</Td>
                  <Td className="text-right">
                    {d.status !== "pending" && (
                      <Button
                        size="sm"
                        isLoading={redeliver.isPending && redeliver.variables === d.id}
                        onClick={() => redeliver.mutate(d.id, { onSuccess: () => toast.success(`Event ${d.eventId} goes again`) })}
                      >
                        Redeliver
                      </Button>
                    )}
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <div className="mt-3 flex justify-end gap-2">
            <Button
              size="sm"
              disabled={cursors.length === 0}
              onClick={() => {
                const previous = cursors.slice(0, -1);
                setCursors(previous);
                page(previous.at(-1));
              }}
            >
              Newer
            </Button>
            <Button
              size="sm"
              disabled={!deliveries.data.nextCursor}
              onClick={() => {
                const next = deliveries.data.nextCursor ?? undefined;
                setCursors([...cursors, next ?? ""]);
                page(next);
              }}
            >
              Older
            </Button>
          </div>
        </>
      )}
    </>
  );
}
