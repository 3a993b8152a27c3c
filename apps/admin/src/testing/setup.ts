import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy… and waitFor wait up to 10 s (not 1 s): a deadline against a hang, on a machine that may be loaded.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => cleanup());

// jsdom has no pointer capture; toasts (sonner) call it when a toast's button is pressed.
if (!Element.prototype.setPointerCapture) {
  Element.prototype.setPointerCapture = () => {};
  Element.prototype.releasePointerCapture = () => {};
  Element.prototype.hasPointerCapture = () => false;
}
