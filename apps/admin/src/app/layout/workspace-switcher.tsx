import { Check, ChevronsUpDown, Plus } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { Menu, MenuContent, MenuItem, MenuLabel, MenuSeparator, MenuTrigger } from "../../components/ui/menu";
import { useSession } from "../../lib/auth";
import { useWorkspaceScope } from "../../lib/workspace-scope";
import { useWorkspaces } from "../../features/workspaces/api/get-workspaces";
import { CreateWorkspaceDialog } from "../../features/workspaces/components/create-workspace-dialog";

export function WorkspaceSwitcher() {
  const { workspace, role, tenant } = useWorkspaceScope();
  const workspaces = useWorkspaces();
  const navigate = useNavigate();
  const session = useSession();
  const [creating, setCreating] = useState(false);
  return (
    <>
    <Menu>
      <MenuTrigger className="flex w-full items-center gap-2.5 rounded-md p-1.5 text-left hover:bg-slate-100">
        {/* The initial is drawn by CSS, so the button's name is its visible words. */}
        <span
          data-initial={workspace.name.slice(0, 1).toUpperCase()}
          className="flex h-8 w-8 shrink-0 items-center justify-center rounded-md bg-indigo-600 text-sm font-semibold text-white before:content-[attr(data-initial)]"
          aria-hidden="true"
        />
        <span className="min-w-0 flex-1">
          <span className="sr-only">Switch workspace: </span>
          <span className="block truncate text-sm font-semibold text-slate-900">{workspace.name}</span>
          <span className="block truncate text-xs text-slate-500">{tenant ? `${tenant.name} · tenant admin` : role}</span>
        </span>
        <ChevronsUpDown className="h-4 w-4 shrink-0 text-slate-400" aria-hidden="true" />
      </MenuTrigger>
      <MenuContent>
        <MenuLabel>Workspaces</MenuLabel>
        {(workspaces.data ?? []).map((w) => (
          <MenuItem key={w.id} onSelect={() => navigate(`/w/${w.slug}`)}>
            <span className="flex-1 truncate">{w.name}</span>
            {w.slug === workspace.slug && <Check className="h-4 w-4 text-indigo-600" aria-label="current" />}
          </MenuItem>
        ))}
        {session.data?.isSuperadmin && (
          <>
            <MenuSeparator />
            <MenuItem onSelect={() => setCreating(true)}>
              <Plus className="h-4 w-4" aria-hidden="true" />
              New workspace
            </MenuItem>
          </>
        )}
      </MenuContent>
    </Menu>
    <CreateWorkspaceDialog open={creating} onOpenChange={setCreating} onCreated={(slug) => navigate(`/w/${slug}`)} />
    </>
  );
}
