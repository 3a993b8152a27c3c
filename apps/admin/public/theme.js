// Applies the theme chosen in the admin's header before the first paint (see src/themes.css and
// src/lib/theme.ts); without a choice, the system's colour scheme and contrast settings decide.
try {
  var theme = localStorage.getItem("ensign:theme");
  if (theme === "light" || theme === "dark" || theme === "contrast") document.documentElement.setAttribute("data-theme", theme);
} catch (error) {
  // Storage may be blocked; the system's settings apply.
}
