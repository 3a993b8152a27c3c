/**
 * `@ensign/sdk/node`: local evaluation for Node services with a server key. Everything from
 * the browser entry is re-exported, so a service imports from one place.
 */
export * from "../index";
export { createLocalClient, type LocalClient, type LocalClientOptions } from "./local-client";
