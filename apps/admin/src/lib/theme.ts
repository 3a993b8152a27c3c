/** The admin's colour themes; `system` follows `prefers-color-scheme` and `prefers-contrast`. */
export const THEMES = ["system", "light", "dark", "contrast"] as const;
export type Theme = (typeof THEMES)[number];
/** Read before the first paint by public/theme.js, which must use the same key. */
export const THEME_KEY = "ensign:theme";

export const THEME_LABELS: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark", contrast: "High contrast" };

export function readTheme(): Theme {
  try {
    const stored = localStorage.getItem(THEME_KEY);
    return (THEMES as readonly string[]).includes(stored ?? "") ? (stored as Theme) : "system";
  } catch {
    return "system";
  }
}

/** Applies the theme to the page and remembers it. */
export function setTheme(theme: Theme): void {
  if (theme === "system") document.documentElement.removeAttribute("data-theme");
  else document.documentElement.setAttribute("data-theme", theme);
  try {
    if (theme === "system") localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage may be blocked: the choice lasts for this page only.
  }
}

/** The current value of a palette colour (`--color-slate-200`), as the theme maps it. */
export function paletteColour(name: string, fallback: string): string {
  if (typeof document === "undefined") return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(`--color-${name}`).trim() || fallback;
}

/**
 * Calls `onChange` whenever the colours in effect may change: a theme chosen in the menu, or
 * the system's colour scheme or contrast preference. For what CSS cannot restyle, such as a
 * canvas. Returns the unsubscribe function.
 */
export function onThemeChange(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  const queries = ["(prefers-color-scheme: dark)", "(prefers-contrast: more)"].map((q) => window.matchMedia(q));
  for (const query of queries) query.addEventListener("change", onChange);
  return () => {
    observer.disconnect();
    for (const query of queries) query.removeEventListener("change", onChange);
  };
}
