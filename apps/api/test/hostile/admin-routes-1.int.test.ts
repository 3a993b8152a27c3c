import { describe } from "vitest";
import { hostileSuite } from "./suite";

describe("hostile input: workspace admin routes, first half", () => {
  hostileSuite("admin (1 of 2)", ["admin", "superadmin", "session"], 20, 0x5eed, { part: 0, of: 2 });
});
