import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterAll, afterEach } from "vitest";

// findBy… and waitFor wait up to 10 s (not 1 s): a deadline against a hang, on a machine that may be loaded.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => cleanup());

// A dismissed toast (sonner) removes itself 200 ms later on a timer of its own, which outlives the
// test's cleanup. Let such timers run while the file's window still exists: on a loaded machine
// one fired after jsdom was gone ("window is not defined"). Timers run in the order they expire.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 250)));

// jsdom has no pointer capture; toasts (sonner) call it when a toast's button is pressed.
if (!Element.prototype.setPointerCapture) {
  Element.prototype.setPointerCapture = () => {};
  Element.prototype.releasePointerCapture = () => {};
  Element.prototype.hasPointerCapture = () => false;
}

// jsdom lays nothing out: a virtual list's scroll container (data-virtual-scroll) reports the
// height of a desktop viewport's list, so its first rows render as in a browser.
const clientHeight = Object.getOwnPropertyDescriptor(Element.prototype, "clientHeight")!;
const clientWidth = Object.getOwnPropertyDescriptor(Element.prototype, "clientWidth")!;
Object.defineProperty(Element.prototype, "clientHeight", { configurable: true, get(this: Element) { return this.hasAttribute("data-virtual-scroll") ? 640 : clientHeight.get!.call(this); } });
Object.defineProperty(Element.prototype, "clientWidth", { configurable: true, get(this: Element) { return this.hasAttribute("data-virtual-scroll") ? 1200 : clientWidth.get!.call(this); } });
