import { Check, Contrast, Monitor, Moon, Sun, type LucideIcon } from "lucide-react";
import { useState } from "react";
import { Button } from "../../components/ui/button";
import { Menu, MenuContent, MenuItem, MenuLabel, MenuTrigger } from "../../components/ui/menu";
import { readTheme, setTheme, THEME_LABELS, THEMES, type Theme } from "../../lib/theme";

const ICONS: Record<Theme, LucideIcon> = { system: Monitor, light: Sun, dark: Moon, contrast: Contrast };

/** The header's theme picker: system, light, dark or high contrast, remembered in this browser. */
export function ThemeMenu() {
  const [theme, setChosen] = useState<Theme>(readTheme);
  const Icon = ICONS[theme];
  const choose = (next: Theme) => {
    setTheme(next);
    setChosen(next);
  };
  return (
    <Menu>
      <MenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label={`Theme: ${THEME_LABELS[theme]}`} title="Theme">
          <Icon className="h-4 w-4" aria-hidden="true" />
        </Button>
      </MenuTrigger>
      <MenuContent align="end" className="min-w-44">
        <MenuLabel>Theme</MenuLabel>
        {THEMES.map((option) => {
          const OptionIcon = ICONS[option];
          return (
            <MenuItem key={option} onSelect={() => choose(option)}>
              <OptionIcon className="h-4 w-4" aria-hidden="true" />
              <span className="flex-1">{THEME_LABELS[option]}</span>
              {option === theme && <Check className="h-4 w-4 text-indigo-600" aria-label="chosen" />}
            </MenuItem>
          );
        })}
      </MenuContent>
    </Menu>
  );
}
