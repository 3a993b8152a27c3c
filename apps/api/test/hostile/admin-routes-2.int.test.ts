import { describe } from "vitest";
import { hostileSuite } from "./suite";

describe("hostile input: workspace admin routes, second half", () => {
  hostileSuite("admin (2 of 2)", ["admin", "superadmin", "session"], 20, 0x5eed, { part: 1, of: 2 });
});
