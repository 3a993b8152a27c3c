import { EvaluationTesterPage } from "../../features/evaluation/components/evaluation-tester-page";
import { useFlagDefinitions } from "../../features/flags/api/get-flag-definitions";
import { useWorkspaceScope } from "../../lib/workspace-scope";
import { RequireCapability } from "./guard";

export function EvaluateRoute() {
  const { ws } = useWorkspaceScope();
  const flags = useFlagDefinitions(ws);
  return (
    <RequireCapability capability="workspace:read">
      <EvaluationTesterPage flags={(flags.data ?? []).filter((f) => !f.archivedAt).map((f) => ({ key: f.key, name: f.name }))} />
    </RequireCapability>
  );
}
