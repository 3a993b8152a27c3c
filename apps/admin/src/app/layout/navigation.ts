import type { Capability } from "@ensign/contracts/auth";
import { Bot, Boxes, Building2, Flag, FlaskConical, History, KeyRound, Layers, Layers3, LayoutDashboard, Network, ToggleRight, UserRound, UserRoundCog, Users, UsersRound, Webhook, type LucideIcon } from "lucide-react";

export interface NavItem {
  to: string;
  label: string;
  icon: LucideIcon;
  /** Shown only to roles with this capability. */
  requires: Capability;
}

export interface NavSection {
  label?: string;
  items: NavItem[];
}

/** The sidebar, per section; each item appears only for roles that may use its page. */
export const NAVIGATION: NavSection[] = [
  {
    items: [
      { to: "overview", label: "Overview", icon: LayoutDashboard, requires: "workspace:read" },
      { to: "flags", label: "Flags", icon: Flag, requires: "workspace:read" },
      { to: "tenants", label: "Tenants", icon: Building2, requires: "workspace:read" },
      { to: "user-overrides", label: "User overrides", icon: UserRoundCog, requires: "workspace:read" },
      { to: "identities", label: "Identities", icon: UserRound, requires: "workspace:read" },
      { to: "segments", label: "Segments", icon: UsersRound, requires: "workspace:read" },
      { to: "modules", label: "Modules", icon: Boxes, requires: "workspace:read" },
      { to: "roles", label: "Roles", icon: Network, requires: "workspace:read" },
      { to: "override-layers", label: "Override layers", icon: Layers3, requires: "workspace:read" },
      { to: "evaluate", label: "Evaluation tester", icon: FlaskConical, requires: "workspace:read" },
      { to: "audit", label: "Audit log", icon: History, requires: "workspace:read" },
    ],
  },
  {
    label: "Settings",
    items: [
      { to: "environments", label: "Environments", icon: Layers, requires: "workspace:read" },
      { to: "members", label: "Members", icon: Users, requires: "workspace:read" },
      { to: "api-keys", label: "API keys", icon: KeyRound, requires: "keys:manage" },
      { to: "service-tokens", label: "Service tokens", icon: Bot, requires: "keys:manage" },
      { to: "webhooks", label: "Webhooks", icon: Webhook, requires: "webhooks:manage" },
    ],
  },
  {
    label: "Your organisation",
    items: [
      { to: "tenant/features", label: "Features", icon: ToggleRight, requires: "tenant:manage" },
      { to: "tenant/roles", label: "Roles", icon: Network, requires: "tenant:manage" },
      { to: "tenant/audit", label: "Audit log", icon: History, requires: "tenant:manage" },
    ],
  },
];

/** Where a role lands when it opens a workspace. */
export function homePathFor(can: (capability: Capability) => boolean): string {
  if (can("workspace:read")) return "overview";
  if (can("tenant:manage")) return "tenant/features";
  return "flags";
}
