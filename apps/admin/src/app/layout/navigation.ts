import type { Capability } from "@ensign/contracts/auth";
import { Gauge, Layers, type LucideIcon } from "lucide-react";

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
    items: [{ to: "overview", label: "Overview", icon: Gauge, requires: "workspace:read" }],
  },
  {
    label: "Settings",
    items: [{ to: "environments", label: "Environments", icon: Layers, requires: "workspace:read" }],
  },
];

/** Where a role lands when it opens a workspace. */
export function homePathFor(can: (capability: Capability) => boolean): string {
  if (can("workspace:read")) return "overview";
  if (can("tenant:manage")) return "tenant";
  return "overview";
}
