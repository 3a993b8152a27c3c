import { NavLink } from "react-router";
import { cn } from "../../lib/cn";
import { useWorkspaceScope } from "../../lib/workspace-scope";
import { NAVIGATION } from "./navigation";
import { WorkspaceSwitcher } from "./workspace-switcher";

export function Sidebar() {
  const { ws, can } = useWorkspaceScope();
  const sections = NAVIGATION.map((section) => ({ ...section, items: section.items.filter((item) => can(item.requires)) })).filter((s) => s.items.length > 0);
  return (
    <aside className="sticky top-0 flex h-screen w-52 shrink-0 xl:w-60 flex-col border-r border-slate-200 bg-white">
      <div className="border-b border-slate-100 p-3">
        <WorkspaceSwitcher />
      </div>
      <nav aria-label="Main" className="flex-1 space-y-5 overflow-y-auto p-3">
        {sections.map((section, i) => (
          <div key={section.label ?? i}>
            {section.label && <p className="mb-1.5 px-2.5 text-xs font-semibold tracking-wide text-slate-400 uppercase">{section.label}</p>}
            <ul className="space-y-0.5">
              {section.items.map((item) => (
                <li key={item.to}>
                  <NavLink
                    to={`/w/${ws}/${item.to}`}
                    className={({ isActive }) =>
                      cn(
                        "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors",
                        isActive ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900",
                      )
                    }
                  >
                    <item.icon className="h-4 w-4 shrink-0" aria-hidden="true" />
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <div className="border-t border-slate-100 px-5 py-3 text-xs text-slate-400">Ensign</div>
    </aside>
  );
}
