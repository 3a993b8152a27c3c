import { useId } from "react";
import { useWorkspaceScope } from "../../lib/workspace-scope";

/** The environment every environment-specific page shows; remembered per workspace. */
export function EnvironmentSwitcher() {
  const { environments, environment, setEnvironment } = useWorkspaceScope();
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-xs font-medium tracking-wide text-slate-500 uppercase">
        Environment
      </label>
      <div className="relative">
        <span className="pointer-events-none absolute top-1/2 left-2.5 h-2.5 w-2.5 -translate-y-1/2 rounded-full" style={{ background: environment.color ?? "#64748b" }} aria-hidden="true" />
        <select
          id={id}
          value={environment.key}
          onChange={(event) => setEnvironment(event.target.value)}
          className="h-8 rounded-md border border-slate-300 bg-white pr-8 pl-7 text-sm font-medium text-slate-800 shadow-xs focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/20 focus:outline-none"
        >
          {environments.map((e) => (
            <option key={e.key} value={e.key}>
              {e.name}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
