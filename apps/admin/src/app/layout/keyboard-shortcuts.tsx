import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { Dialog } from "../../components/ui/dialog";

// The palette and cmdk load on first open only, so the first page load carries neither.
const CommandPalette = lazy(() => import("./command-palette").then((m) => ({ default: m.CommandPalette })));

export const SHORTCUTS: { keys: string[]; description: string }[] = [
  { keys: ["/"], description: "Focus the search box of the page" },
  { keys: ["Ctrl", "K"], description: "Open the command palette (⌘ K on a Mac)" },
  { keys: ["?"], description: "Show these shortcuts" },
  { keys: ["Esc"], description: "Close a dialog or the palette" },
];

/** True while the user types into a field, where a bare key must reach the field. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
}

/** The search box of the current page: the first search field inside the main area. */
function pageSearchBox(): HTMLInputElement | null {
  return document.querySelector<HTMLInputElement>('#main input[type="search"]');
}

/**
 * Workspace-wide keys: `/` focuses the page's search box, Ctrl+K or ⌘K opens the command palette,
 * `?` lists the shortcuts.
 */
export function KeyboardShortcuts() {
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [paletteLoaded, setPaletteLoaded] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const paletteOpenRef = useRef(false);
  const openPalette = (open: boolean) => {
    paletteOpenRef.current = open;
    setPaletteOpen(open);
  };

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.isComposing) return;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        // Over another dialog, the palette would stack a second modal: that dialog keeps the keys.
        if (!paletteOpenRef.current && document.querySelector('[role="dialog"], [role="alertdialog"]')) return;
        event.preventDefault();
        setPaletteLoaded(true);
        openPalette(!paletteOpenRef.current);
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      // Another dialog is open: its own keys apply.
      if (document.querySelector('[role="dialog"], [role="alertdialog"]')) return;
      if (event.key === "/") {
        const box = pageSearchBox();
        if (!box) return;
        event.preventDefault();
        box.focus();
        box.select();
      } else if (event.key === "?") {
        event.preventDefault();
        setHelpOpen(true);
      }
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);

  return (
    <>
      {paletteLoaded && (
        <Suspense fallback={null}>
          <CommandPalette open={paletteOpen} onOpenChange={openPalette} />
        </Suspense>
      )}
      <Dialog open={helpOpen} onOpenChange={setHelpOpen} title="Keyboard shortcuts" size="sm">
        <dl className="divide-y divide-slate-100 text-sm">
          {SHORTCUTS.map((shortcut) => (
            <div key={shortcut.description} className="flex items-center justify-between gap-4 py-2">
              <dt className="text-slate-700">{shortcut.description}</dt>
              <dd className="flex shrink-0 gap-1">
                {shortcut.keys.map((key) => (
                  <kbd key={key} className="rounded border border-slate-200 bg-slate-50 px-1.5 py-0.5 font-mono text-xs text-slate-700">
                    {key}
                  </kbd>
                ))}
              </dd>
            </div>
          ))}
        </dl>
      </Dialog>
    </>
  );
}
