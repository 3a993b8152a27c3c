import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One API the browser suite runs against: its own database, port and portal demo origin. */
export interface E2eApi {
  database: string;
  baseURL: string;
  /** The port the admin-to-portal spec serves the portal demo on; the API allows it by CORS. */
  portalPort: number;
  /** The API's process group, stopped by the global teardown. */
  pid?: number;
}

/** What the global setup started, for the workers and the teardown. */
export const RUN_FILE = fileURLToPath(new URL("../../test-results/e2e-run.json", import.meta.url));

export function readRun(): E2eApi[] {
  return (JSON.parse(readFileSync(RUN_FILE, "utf8")) as { apis: E2eApi[] }).apis;
}

/**
 * The API of the current Playwright worker. Each worker has one of its own (the global setup
 * starts one per worker), so the specs of one worker never see the writes of another, and a
 * worker runs its files one after another as a single worker did.
 */
export function thisWorkersApi(): E2eApi {
  const apis = readRun();
  const index = Number(process.env.TEST_PARALLEL_INDEX ?? 0);
  return apis[index % apis.length]!;
}

/** The base URL of this worker's API (and of the admin app it serves). */
export const baseURL = (): string => thisWorkersApi().baseURL;
