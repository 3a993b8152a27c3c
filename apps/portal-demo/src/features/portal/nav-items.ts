/** Seed 000, Appendix A: the sidebar, three items gated by a flag each. */
export interface NavItem {
  title: string;
  url: string;
  /** Shown only when this boolean flag is on for the signed-in producer. */
  featureFlag?: "knowledge_base_enabled" | "ai_agents_enabled" | "additional_services_enabled";
}

export const NAV_ITEMS: NavItem[] = [
  { title: "Dashboard", url: "/dashboard/overview" },
  { title: "Shows", url: "/dashboard/shows" },
  { title: "Orders", url: "/dashboard/orders" },
  { title: "Finances", url: "/dashboard/finances" },
  { title: "Knowledge Base", url: "/dashboard/knowledge-base", featureFlag: "knowledge_base_enabled" },
  { title: "AI Assistant", url: "/dashboard/ai-assistant", featureFlag: "ai_agents_enabled" },
  { title: "Additional Services", url: "/dashboard/services", featureFlag: "additional_services_enabled" },
  { title: "Support", url: "/dashboard/support" },
];
