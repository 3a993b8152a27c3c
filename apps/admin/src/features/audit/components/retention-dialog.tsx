import { Download } from "lucide-react";
import { useState } from "react";
import { Button } from "../../../components/ui/button";
import { Dialog } from "../../../components/ui/dialog";
import { Select } from "../../../components/ui/input";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { errorMessage } from "../../../lib/api-client";
import { formatDateTime, formatNumber } from "../../../lib/format";
import { downloadAuditExport, useAuditExports, useAuditRetention, useSetAuditRetention } from "../api/retention";

const PERIODS: [string, string][] = [
  ["", "Keep forever"],
  ["30", "30 days"],
  ["90", "90 days"],
  ["180", "180 days"],
  ["365", "1 year"],
  ["730", "2 years"],
  ["2555", "7 years"],
];

function periodLabel(days: number | null): string {
  if (days === null) return "kept forever";
  return `kept for ${PERIODS.find(([value]) => value === String(days))?.[1] ?? `${days} days`}`;
}

/** Owners set how long audit entries are kept and download what was purged. */
export function RetentionDialog({ ws, open, onOpenChange }: { ws: string; open: boolean; onOpenChange(open: boolean): void }) {
  const retention = useAuditRetention(ws);
  const exports = useAuditExports(ws, open);
  const save = useSetAuditRetention(ws);
  const [choice, setChoice] = useState<string | undefined>(undefined);
  const current = retention.data?.days ?? null;
  const selected = choice ?? (current === null ? "" : String(current));
  const options = PERIODS.some(([value]) => value === selected) ? PERIODS : [...PERIODS, [selected, `${selected} days`] as [string, string]];

  const submit = () => {
    const days = selected === "" ? null : Number(selected);
    save.mutate(days, {
      onSuccess: (saved) => {
        toast.success(`Audit entries are now ${periodLabel(saved.days)}`);
        setChoice(undefined);
      },
    });
  };

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      size="lg"
      title="Audit retention"
      description="Entries older than the period are exported as JSON Lines, kept for download here, and then removed from the log. Each removal is itself recorded."
      footer={
        <>
          <Button variant="ghost" onClick={() => onOpenChange(false)}>Close</Button>
          <Button variant="primary" onClick={submit} disabled={save.isPending || selected === (current === null ? "" : String(current))}>Save period</Button>
        </>
      }
    >
      <label className="block text-sm font-medium text-slate-700" htmlFor="audit-retention-period">Keep audit entries</label>
      <Select id="audit-retention-period" className="mt-1 w-60" value={selected} onChange={(e) => setChoice(e.target.value)}>
        {options.map(([value, label]) => (
          <option key={value} value={value}>{label}</option>
        ))}
      </Select>
      <p className="mt-2 text-xs text-slate-500">Currently {periodLabel(current)}. The job runs hourly in every API replica.</p>

      <h3 className="mt-6 mb-2 text-sm font-semibold text-slate-900">Exports of removed entries</h3>
      {exports.data && exports.data.items.length === 0 && <p className="text-sm text-slate-500">Nothing has been removed yet.</p>}
      {exports.data && exports.data.items.length > 0 && (
        <Table>
          <THead>
            <Tr>
              <Th>Entries from</Th>
              <Th>to</Th>
              <Th className="text-right">Entries</Th>
              <Th><span className="sr-only">Download</span></Th>
            </Tr>
          </THead>
          <TBody>
            {exports.data.items.map((item) => (
              <Tr key={item.id}>
                <Td>{formatDateTime(item.from)}</Td>
                <Td>{formatDateTime(item.to)}</Td>
                <Td className="text-right tabular-nums">{formatNumber(item.entryCount)}</Td>
                <Td className="text-right">
                  <Button size="sm" variant="ghost" onClick={() => downloadAuditExport(ws, item).catch((error: unknown) => toast.error(errorMessage(error)))}>
                    <Download className="h-4 w-4" aria-hidden="true" />
                    Download
                  </Button>
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </Dialog>
  );
}
