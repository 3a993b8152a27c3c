import type { FlagResponse } from "@ensign/contracts/flags";
import type { ScheduleAction, ScheduleResponse } from "@ensign/contracts/schedules";
import { CalendarClock, Plus, Trash2, X } from "lucide-react";
import { useState } from "react";
import { Badge, type BadgeTone } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Input, Select } from "../../../components/ui/input";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useCancelSchedule, useCreateRamp, useCreateSchedule, useSchedules } from "../api/schedules";

const STATUS_TONE: Record<ScheduleResponse["status"], BadgeTone> = { pending: "indigo", applied: "green", failed: "red", cancelled: "neutral" };

export function describeAction(action: ScheduleAction): string {
  if (action.type === "enable") return "Enable";
  if (action.type === "disable") return "Disable";
  return `Roll out to ${action.percentage} %`;
}

const localIn = (minutes: number) => {
  const d = new Date(Date.now() + minutes * 60_000);
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** Changes that apply themselves at a time, and step-wise ramps. */
export function FlagSchedules({ flag }: { flag: FlagResponse }) {
  const { ws, env, environment, can } = useWorkspaceScope();
  const canWrite = can("state:write") && !flag.archivedAt;
  const schedules = useSchedules(ws, env, flag.key);
  const create = useCreateSchedule(ws, env, flag.key);
  const ramp = useCreateRamp(ws, env, flag.key);
  const cancel = useCancelSchedule(ws, env, flag.key);
  const [when, setWhen] = useState(() => localIn(60));
  const [kind, setKind] = useState<ScheduleAction["type"]>("enable");
  const [percentage, setPercentage] = useState(25);
  const [steps, setSteps] = useState(() => [
    { at: localIn(60), percentage: 10 },
    { at: localIn(60 * 24), percentage: 50 },
    { at: localIn(60 * 48), percentage: 100 },
  ]);

  const action = (): ScheduleAction => (kind === "set_rollout" ? { type: "set_rollout", percentage } : { type: kind });
  return (
    <div className="space-y-6">
      <Card title={`Schedules in ${environment.name}`} description="Applied by the server at the time given, recorded in the audit log as the system.">
        {schedules.isPending ? (
          <TableSkeleton rows={3} columns={4} />
        ) : schedules.isError ? (
          <ErrorPanel error={schedules.error} onRetry={() => void schedules.refetch()} />
        ) : schedules.data.items.length === 0 ? (
          <EmptyState icon={CalendarClock} title="Nothing scheduled">Schedule an enable, a disable or a rollout percentage, or a ramp of several steps.</EmptyState>
        ) : (
          <Table label="Schedules">
            <THead>
              <tr><Th>When</Th><Th>Change</Th><Th>Status</Th><Th>By</Th><Th className="w-24"><span className="sr-only">Actions</span></Th></tr>
            </THead>
            <TBody>
              {schedules.data.items.map((s) => (
                <Tr key={s.id}>
                  <Td className="text-sm">{formatDateTime(s.runAt)}<span className="block text-xs text-slate-400">{formatRelative(s.runAt)}</span></Td>
                  <Td>{describeAction(s.action)}{s.rampId && <Badge tone="violet" className="ml-2">ramp</Badge>}</Td>
                  <Td><Badge tone={STATUS_TONE[s.status]}>{s.status}</Badge>{s.error && <span className="block text-xs text-red-600">{s.error}</span>}</Td>
                  <Td className="text-xs text-slate-500">{s.createdBy ?? "—"}</Td>
                  <Td className="text-right">
                    {canWrite && s.status === "pending" && (
                      <Button size="sm" variant="danger-ghost" aria-label={`Cancel schedule at ${formatDateTime(s.runAt)}`} onClick={() => cancel.mutate({ id: s.id, ramp: false }, { onSuccess: () => toast.success("Schedule cancelled") })}>
                        <X className="h-3.5 w-3.5" aria-hidden="true" />Cancel
                      </Button>
                    )}
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      {canWrite && (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Schedule a change">
            <div className="flex flex-wrap items-end gap-3">
              <label className="text-sm font-medium text-slate-700">At<Input type="datetime-local" className="mt-1 w-56" value={when} onChange={(e) => setWhen(e.target.value)} /></label>
              <label className="text-sm font-medium text-slate-700">
                Change
                <Select className="mt-1 w-44" value={kind} onChange={(e) => setKind(e.target.value as ScheduleAction["type"])}>
                  <option value="enable">Enable</option>
                  <option value="disable">Disable</option>
                  <option value="set_rollout">Set rollout %</option>
                </Select>
              </label>
              {kind === "set_rollout" && <label className="text-sm font-medium text-slate-700">Percent<Input type="number" min={0} max={100} step={0.001} className="mt-1 w-24" value={percentage} onChange={(e) => setPercentage(Number(e.target.value))} /></label>}
              <Button variant="primary" isLoading={create.isPending} onClick={() => create.mutate({ runAt: new Date(when).toISOString(), action: action() }, { onSuccess: () => toast.success("Scheduled") })}>
                <Plus className="h-4 w-4" aria-hidden="true" />Schedule
              </Button>
            </div>
          </Card>
          <Card title="Ramp up in steps" description="Each step raises the rollout; nobody who has the flag loses it.">
            <ol className="space-y-2">
              {steps.map((step, i) => (
                <li key={i} className="flex items-center gap-2">
                  <span className="w-6 text-xs text-slate-400">{i + 1}.</span>
                  <Input type="datetime-local" aria-label={`Step ${i + 1} time`} className="w-56" value={step.at} onChange={(e) => setSteps(steps.map((s, j) => (j === i ? { ...s, at: e.target.value } : s)))} />
                  <Input type="number" aria-label={`Step ${i + 1} percent`} min={0} max={100} className="w-24" value={step.percentage} onChange={(e) => setSteps(steps.map((s, j) => (j === i ? { ...s, percentage: Number(e.target.value) } : s)))} />
                  <span className="text-sm text-slate-500">%</span>
                  <Button size="icon" variant="ghost" aria-label={`Remove step ${i + 1}`} disabled={steps.length <= 1} onClick={() => setSteps(steps.filter((_, j) => j !== i))}><Trash2 className="h-4 w-4" aria-hidden="true" /></Button>
                </li>
              ))}
            </ol>
            <div className="mt-3 flex gap-2">
              <Button size="sm" onClick={() => setSteps([...steps, { at: steps.at(-1)?.at ?? localIn(60), percentage: 100 }])}><Plus className="h-3.5 w-3.5" aria-hidden="true" />Add step</Button>
              <Button size="sm" variant="primary" isLoading={ramp.isPending} onClick={() => ramp.mutate({ steps: steps.map((s) => ({ at: new Date(s.at).toISOString(), percentage: s.percentage })) }, { onSuccess: () => toast.success(`Ramp of ${steps.length} steps scheduled`) })}>Schedule ramp</Button>
            </div>
          </Card>
        </div>
      )}
    </div>
  );
}
