import { Feature } from "@ensign/react";
import type { ReactNode } from "react";
import { AiAssistantPage } from "./ai-assistant-page";
import { NAV_ITEMS } from "./nav-items";

const BODIES: Record<string, ReactNode> = {
  "/dashboard/overview": "Ticket sales, upcoming shows and payouts at a glance.",
  "/dashboard/shows": "Your shows: create, edit and publish them.",
  "/dashboard/orders": "Every order, refund and transfer.",
  "/dashboard/finances": "Settlements, payouts and invoices.",
  "/dashboard/knowledge-base": "Articles and guides on running great shows.",
  "/dashboard/ai-assistant": <AiAssistantPage />,
  "/dashboard/services": "Marketing tools and analytics add-ons.",
  "/dashboard/support": "Talk to the PiqueTickets team.",
};

/** The page for `path`; a gated page whose flag is off says so instead of rendering. */
export function PageContent({ path }: { path: string }) {
  const item = NAV_ITEMS.find((i) => i.url === path) ?? NAV_ITEMS[0]!;
  const body = (
    <section>
      <h1 className="text-2xl font-semibold">{item.title}</h1>
      <div className="mt-4 text-slate-600">{BODIES[item.url]}</div>
    </section>
  );
  if (!item.featureFlag) return body;
  return (
    <Feature flag={item.featureFlag} fallback={<p className="text-slate-600">{item.title} is not available for your account.</p>}>
      {body}
    </Feature>
  );
}
