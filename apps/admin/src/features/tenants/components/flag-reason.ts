import type { TenantDetailFlag } from "@ensign/contracts/tenants";
import type { BadgeTone } from "../../../components/ui/badge";

/** Why a tenant gets a flag's value, in words, from the step that decided (`detail`). */
export function describeReason(f: Pick<TenantDetailFlag, "reason" | "detail" | "module">): { label: string; tone: BadgeTone } {
  const { reason, detail } = f;
  if (reason === "ERROR") return { label: `Error: ${detail}`, tone: "red" };
  if (detail === "TENANT_OVERRIDE_LOCKED") return { label: "Locked override", tone: "violet" };
  if (detail === "TENANT_OVERRIDE") return { label: "Override", tone: "indigo" };
  if (detail === "USER_OVERRIDE") return { label: "User override", tone: "indigo" };
  if (detail.startsWith("LAYER_OVERRIDE_LOCKED:")) return { label: `Locked ${detail.slice("LAYER_OVERRIDE_LOCKED:".length)} override`, tone: "violet" };
  if (detail.startsWith("LAYER_OVERRIDE:")) return { label: `${detail.slice("LAYER_OVERRIDE:".length)} override`, tone: "indigo" };
  if (detail === "TENANT_ALLOW") return { label: "Allow list", tone: "indigo" };
  if (detail === "TENANT_DENY") return { label: "Deny list", tone: "amber" };
  if (detail === "MODULE_DISABLED") return { label: f.module ? `Module ${f.module} off` : "Module off", tone: "amber" };
  if (detail === "FLAG_DISABLED") return { label: "Flag switched off", tone: "amber" };
  if (detail === "MASTER_SWITCH") return { label: "Master switch", tone: "red" };
  if (detail.startsWith("PREREQUISITE_FAILED:")) return { label: `Needs ${detail.slice("PREREQUISITE_FAILED:".length)}`, tone: "amber" };
  if (detail.startsWith("RULE:")) return { label: reason === "SPLIT" ? "Rule (split)" : "Rule", tone: "neutral" };
  if (detail === "FALLTHROUGH:NO_BUCKET_KEY") return { label: "Default (no bucket key)", tone: "neutral" };
  if (reason === "SPLIT") return { label: "Default rollout (split)", tone: "neutral" };
  return { label: "Default", tone: "neutral" };
}
