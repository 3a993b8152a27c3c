import { useFeature } from "@ensign/react";
import { NAV_ITEMS, type NavItem } from "./nav-items";

interface SidebarProps {
  path: string;
  onNavigate: (url: string) => void;
}

/** The portal's navigation; gated items appear and vanish live as their flags change. */
export function Sidebar({ path, onNavigate }: SidebarProps) {
  return (
    <nav aria-label="Portal" className="flex flex-col gap-1">
      {NAV_ITEMS.map((item) =>
        item.featureFlag ? (
          <GatedLink key={item.url} item={item} flag={item.featureFlag} path={path} onNavigate={onNavigate} />
        ) : (
          <Link key={item.url} item={item} path={path} onNavigate={onNavigate} />
        ),
      )}
    </nav>
  );
}

// One component per gated item: each subscribes to its own flag and re-renders alone.
function GatedLink({ flag, ...props }: SidebarLinkProps & { flag: NonNullable<NavItem["featureFlag"]> }) {
  return useFeature(flag) ? <Link {...props} /> : null;
}

interface SidebarLinkProps {
  item: NavItem;
  path: string;
  onNavigate: (url: string) => void;
}

function Link({ item, path, onNavigate }: SidebarLinkProps) {
  const isCurrent = path === item.url;
  return (
    <a
      href={item.url}
      aria-current={isCurrent ? "page" : undefined}
      onClick={(event) => {
        event.preventDefault();
        onNavigate(item.url);
      }}
      className={`rounded-md px-3 py-2 text-sm font-medium ${isCurrent ? "bg-indigo-600 text-white" : "text-slate-700 hover:bg-slate-200"}`}
    >
      {item.title}
    </a>
  );
}
