import { describe } from "vitest";
import { hostileSuite } from "./suite";

describe("hostile input: evaluation, tenant-admin and public routes", () => {
  hostileSuite("evaluation, tenant-admin and public", ["client", "server", "tenant", "public"], 40, 0x5eed);
});
