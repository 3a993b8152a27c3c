import * as contracts from "@ensign/contracts/portal";
import { expect, it } from "vitest";
import { API_KEY_HEADER, CONTEXT_TOKEN_HEADER } from "./headers";

it("sends the credential headers the contracts name", () => {
  expect([API_KEY_HEADER, CONTEXT_TOKEN_HEADER]).toEqual([contracts.API_KEY_HEADER, contracts.CONTEXT_TOKEN_HEADER]);
});
