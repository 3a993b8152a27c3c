import { describe } from "vitest";
import { hostileSuite } from "./suite";

describe("hostile input: workspace admin routes", () => {
  hostileSuite("admin", ["admin", "superadmin", "session"], 20, 0x5eed);
});
