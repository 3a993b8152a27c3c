import { PanelLeftClose, PanelLeftOpen } from "lucide-react";
import { useState } from "react";
import { NavLink } from "react-router";
import { cn } from "../../lib/cn";
import { useWorkspaceScope } from "../../lib/workspace-scope";
import { NAVIGATION } from "./navigation";
import { WorkspaceSwitcher } from "./workspace-switcher";

/**
 * The main navigation. From 1280 px up it is always open; on narrower screens it collapses to a
 * rail of icons (each link keeps its name for screen readers and as a tooltip) and a button
 * opens it.
 */
export function Sidebar() {
  const { ws, can } = useWorkspaceScope();
  const [isExpanded, setExpanded] = useState(false);
  const sections = NAVIGATION.map((section) => ({ ...section, items: section.items.filter((item) => can(item.requires)) })).filter((s) => s.items.length > 0);
  // Below xl, only an expanded sidebar shows its texts.
  const text = isExpanded ? "" : "sr-only xl:not-sr-only";
  return (
    <aside data-expanded={isExpanded} className={cn("sticky top-0 flex h-screen shrink-0 flex-col border-r border-slate-200 bg-white xl:w-60", isExpanded ? "w-52" : "w-14")}>
      <div className={cn("border-b border-slate-100 p-3", !isExpanded && "hidden xl:block")}>
        <WorkspaceSwitcher />
      </div>
      <button
        type="button"
        onClick={() => setExpanded(!isExpanded)}
        aria-expanded={isExpanded}
        aria-label={isExpanded ? "Collapse the sidebar" : "Expand the sidebar"}
        title={isExpanded ? "Collapse the sidebar" : "Expand the sidebar"}
        className="m-2 flex items-center justify-center rounded-md p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-900 xl:hidden"
      >
        {isExpanded ? <PanelLeftClose className="h-4 w-4" aria-hidden="true" /> : <PanelLeftOpen className="h-4 w-4" aria-hidden="true" />}
      </button>
      <nav aria-label="Main" className={cn("flex-1 space-y-5 overflow-y-auto", isExpanded ? "p-3" : "p-2 xl:p-3")}>
        {sections.map((section, i) => (
          <div key={section.label ?? i}>
            {section.label && <p className={cn("mb-1.5 px-2.5 text-xs font-semibold tracking-wide text-slate-400 uppercase", text)}>{section.label}</p>}
            <ul className="space-y-0.5">
              {section.items.map((item) => (
                <li key={item.to}>
                  <NavLink
                    to={`/w/${ws}/${item.to}`}
                    title={item.label}
                    className={({ isActive }) =>
                      cn(
                        "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors",
                        isActive ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900",
                      )
                    }
                  >
                    <item.icon className="h-4 w-4 shrink-0" aria-hidden="true" />
                    <span className={text}>{item.label}</span>
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <div className={cn("border-t border-slate-100 px-5 py-3 text-xs text-slate-400", !isExpanded && "hidden xl:block")}>Ensign</div>
    </aside>
  );
}
