import type { TenantDetailFlag } from "@ensign/contracts/tenants";
import { CalendarClock, CalendarOff, Lock, LockOpen, X } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Input, Select } from "../../../components/ui/input";
import { Switch } from "../../../components/ui/switch";
import { Td, Tr } from "../../../components/ui/table";
import { Tooltip } from "../../../components/ui/tooltip";
import { formatDateTime } from "../../../lib/format";
import { describeReason } from "./flag-reason";

export interface TenantFlagActions {
  /** Serves `variant` to the tenant; `version` is the current override's, when there is one. */
  onSet(flag: TenantDetailFlag, body: { variant: string; expiresAt?: string | null }): void;
  onLock(flag: TenantDetailFlag, locked: boolean): void;
  onClear(flag: TenantDetailFlag): void;
}

const toLocalInput = (iso: string | null) => (iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : "");
const toIso = (local: string) => (local ? new Date(local).toISOString() : null);

/** One flag's value for the tenant, why, and the tenant's override of it, editable for those who may. */
export function TenantFlagRow({ ws, tenantName, f, canWrite, canLock, isPending, actions }: { ws: string; tenantName: string; f: TenantDetailFlag; canWrite: boolean; canLock: boolean; isPending: boolean; actions: TenantFlagActions }) {
  const o = f.override;
  const editable = canWrite && (!o?.locked || canLock) && !isPending;
  const reason = describeReason(f);
  const help = f.description || undefined;
  return (
    <Tr>
      <Td>
        <Link to={`/w/${ws}/flags/${encodeURIComponent(f.key)}`} className="group block">
          <span className="font-medium text-slate-900 group-hover:text-indigo-700">{f.name}</span>
          <span className="block font-mono text-xs text-slate-500">{f.key}{f.module && ` · ${f.module}`}</span>
        </Link>
      </Td>
      <Td className="whitespace-nowrap">
        {f.type === "boolean" ? (
          <span className="inline-flex items-center gap-2">
            <Switch size="sm" checked={f.isOn} label={`${f.name} for ${tenantName}`} help={help} disabled={!editable}
              onCheckedChange={(on) => actions.onSet(f, { variant: on ? f.onVariant : f.offVariant })} />
            <span className={f.isOn ? "text-xs font-medium text-emerald-700" : "text-xs text-slate-500"}>{f.isOn ? "on" : "off"}</span>
          </span>
        ) : (
          <VariantPicker f={f} tenantName={tenantName} help={help} disabled={!editable} onPick={(variant) => (variant ? actions.onSet(f, { variant }) : actions.onClear(f))} />
        )}
      </Td>
      <Td className="text-xs">
        <Badge tone={reason.tone}>{reason.label}</Badge>
        <span className="mt-1 block max-w-48 truncate font-mono whitespace-nowrap text-slate-400" title={f.detail}>{f.detail}</span>
      </Td>
      <Td className="text-xs">
        {o ? (
          <>
            <div className="flex items-center gap-1.5 whitespace-nowrap">
              <Badge tone={o.variant === f.offVariant ? "neutral" : "green"}>{o.variant}</Badge>
              {canLock ? (
                <Button size="sm" variant={o.locked ? "secondary" : "ghost"} aria-pressed={o.locked} aria-label={o.locked ? `Unlock the override of ${f.name}, locked` : `Lock the override of ${f.name}`} disabled={isPending} onClick={() => actions.onLock(f, !o.locked)}>
                  {o.locked ? <Lock className="h-3.5 w-3.5 text-amber-600" aria-hidden="true" /> : <LockOpen className="h-3.5 w-3.5" aria-hidden="true" />}
                  {o.locked ? "Locked" : "Lock"}
                </Button>
              ) : o.locked && <Badge tone="amber"><Lock className="h-3 w-3" aria-hidden="true" />locked</Badge>}
              {editable ? (
                <ExpiryEditor key={`${o.version}-${o.expiresAt}`} flagName={f.name} expiresAt={o.expiresAt} onChange={(expiresAt) => actions.onSet(f, { variant: o.variant, expiresAt })} />
              ) : (
                <span className="text-slate-500">{o.expiresAt ? `until ${formatDateTime(o.expiresAt)}` : "no expiry"}</span>
              )}
              {o.isExpired && <Badge tone="red">expired</Badge>}
              {editable && (
                <Button size="sm" variant="danger-ghost" aria-label={`Clear the override of ${f.name}`} onClick={() => actions.onClear(f)}>
                  <X className="h-3.5 w-3.5" aria-hidden="true" />Clear
                </Button>
              )}
            </div>
            <span className="mt-1 block text-slate-400">by {o.source === "tenant_admin" ? "tenant admin" : "workspace admin"}</span>
          </>
        ) : <span className="text-slate-400">none</span>}
      </Td>
    </Tr>
  );
}

/** "No expiry" until asked for one; then a date and time, and a way back to never. */
function ExpiryEditor({ flagName, expiresAt, onChange }: { flagName: string; expiresAt: string | null; onChange(expiresAt: string | null): void }) {
  const [isEditing, setIsEditing] = useState(false);
  if (!expiresAt && !isEditing) {
    return (
      <Button size="sm" variant="ghost" aria-label={`Set an expiry for the override of ${flagName}, no expiry yet`} onClick={() => setIsEditing(true)}>
        <CalendarClock className="h-3.5 w-3.5" aria-hidden="true" />No expiry
      </Button>
    );
  }
  return (
    <span className="inline-flex items-center gap-0.5">
      <Input type="datetime-local" autoFocus={isEditing} aria-label={`Expiry of the override of ${flagName}`} title="Expires" className="h-8 w-44 text-xs" defaultValue={toLocalInput(expiresAt)}
        onBlur={(e) => { const next = toIso(e.target.value); if (next !== expiresAt) onChange(next); else if (!next) setIsEditing(false); }} />
      {expiresAt && (
        <Button size="icon" variant="ghost" aria-label={`Remove the expiry of the override of ${flagName}`} title="Never expire" onClick={() => onChange(null)}>
          <CalendarOff className="h-3.5 w-3.5" aria-hidden="true" />
        </Button>
      )}
    </span>
  );
}

function VariantPicker({ f, tenantName, help, disabled, onPick }: { f: TenantDetailFlag; tenantName: string; help?: string; disabled: boolean; onPick(variant: string): void }) {
  const select = (
    <Select aria-label={`Variant of ${f.name} for ${tenantName}`} value={f.override?.variant ?? ""} disabled={disabled} onChange={(e) => onPick(e.target.value)} className="h-8 w-40 text-xs">
      <option value="">{`Follow rules (${f.variant ?? "—"})`}</option>
      {f.variants.map((v) => <option key={v} value={v}>{v}</option>)}
    </Select>
  );
  return help ? <Tooltip content={help}>{select}</Tooltip> : select;
}
