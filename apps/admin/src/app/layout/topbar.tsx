import { KeyRound, KeySquare, LogOut } from "lucide-react";
import { useNavigate } from "react-router";
import { useState } from "react";
import { Button } from "../../components/ui/button";
import { Menu, MenuContent, MenuItem, MenuLabel, MenuSeparator, MenuTrigger } from "../../components/ui/menu";
import { useSession } from "../../lib/auth";
import { useWorkspaceScope } from "../../lib/workspace-scope";
import { useLogout } from "../../features/auth/api/logout";
import { ChangePasswordDialog } from "../../features/auth/components/change-password-dialog";
import { EnvironmentSwitcher } from "./environment-switcher";
import { OpenEnvironmentWarning } from "./open-environment-warning";
import { ThemeMenu } from "./theme-menu";
import type { LiveStatus } from "./use-live-updates";

export function Topbar({ live }: { live: LiveStatus }) {
  const { ws, can } = useWorkspaceScope();
  const navigate = useNavigate();
  const session = useSession();
  const logout = useLogout();
  const [isChangingPassword, setChangingPassword] = useState(false);
  const user = session.data;
  const initials = (user?.name ?? "?")
    .split(/\s+/)
    .map((part) => part[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return (
    <header className="sticky top-0 z-30 flex h-14 items-center justify-between gap-4 border-b border-slate-200 bg-white/90 px-6 backdrop-blur xl:px-8">
      <div className="flex items-center gap-3">
        {can("workspace:read") && (
          <>
            <EnvironmentSwitcher />
            <OpenEnvironmentWarning />
          </>
        )}
      </div>
      <div className="flex items-center gap-3">
        {can("workspace:read") && (
          <span className="inline-flex items-center gap-1.5 text-xs text-slate-500" title={live === "live" ? "Changes made elsewhere appear here as they happen" : "Live updates are not connected; data refreshes when you return to the tab"}>
            <span className={live === "live" ? "h-2 w-2 rounded-full bg-emerald-500" : live === "connecting" ? "h-2 w-2 animate-pulse rounded-full bg-amber-400" : "h-2 w-2 rounded-full bg-slate-300"} aria-hidden="true" />
            <span data-testid="live-status">{live === "live" ? "Live" : live === "connecting" ? "Connecting" : "Offline"}</span>
          </span>
        )}
        <ThemeMenu />
        <Menu>
          <MenuTrigger asChild>
            <Button variant="ghost" className="gap-2 pr-1.5">
              <span className="sr-only">Account: </span>
              <span className="sr-only text-sm text-slate-600 lg:not-sr-only">{user?.email}</span>
              {/* The initials are drawn by CSS, so the button's name is its visible words. */}
              <span data-initials={initials} className="flex h-7 w-7 items-center justify-center rounded-full bg-slate-800 text-xs font-semibold text-white before:content-[attr(data-initials)]" aria-hidden="true" />
            </Button>
          </MenuTrigger>
          <MenuContent align="end">
            <MenuLabel>{user?.name}</MenuLabel>
            <div className="px-2.5 pb-1.5 text-xs text-slate-500">{user?.email}</div>
            <MenuSeparator />
            <MenuItem onSelect={() => void navigate(`/w/${ws}/account/tokens`)}>
              <KeySquare className="h-4 w-4" aria-hidden="true" />
              Access tokens
            </MenuItem>
            <MenuItem onSelect={() => setChangingPassword(true)}>
              <KeyRound className="h-4 w-4" aria-hidden="true" />
              Change password
            </MenuItem>
            <MenuItem onSelect={() => logout.mutate()}>
              <LogOut className="h-4 w-4" aria-hidden="true" />
              Sign out
            </MenuItem>
          </MenuContent>
        </Menu>
        <ChangePasswordDialog open={isChangingPassword} onOpenChange={setChangingPassword} />
      </div>
    </header>
  );
}
