import root from "../../eslint.config.js";

// Imports flow one way: shared (components, lib) -> features -> app. Features never import
// each other, and nothing imports through a barrel.
const crossFeature = { regex: "^\\.\\./\\.\\./(?!\\.\\./)", message: "Features do not import other features; move shared code to src/components or src/lib." };
const intoApp = { regex: "(^|/)app/", message: "Only the app layer composes features." };
const intoFeatures = { regex: "(^|/)features/", message: "Shared code must not depend on features." };

export default [
  ...root,
  {
    files: ["src/features/*/*/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [crossFeature, intoApp] }] },
  },
  {
    files: ["src/components/**/*.{ts,tsx}", "src/lib/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [intoFeatures, intoApp] }] },
  },
];
