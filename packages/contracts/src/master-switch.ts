import { z } from "zod";

/**
 * The environment's emergency stop. While `enabled`, every flag there serves its off variant
 * (reason `DISABLED`, detail `MASTER_SWITCH`) to every API call, replica and server SDK.
 */
export const MasterSwitchState = z.object({
  enabled: z.boolean(),
  /** Why it was last turned on or off; null when no reason was given or it was never used. */
  reason: z.string().nullable(),
  /** When it was last turned on or off; null when it never was. */
  changedAt: z.string().nullable(),
  /** The e-mail of the user (or the id of the token) that last turned it on or off. */
  changedBy: z.string().nullable(),
});
export type MasterSwitchState = z.infer<typeof MasterSwitchState>;

/** Turns the master switch on (`enabled: true`) or lifts it. Asking for the state it is already in changes nothing. */
export const SetMasterSwitchBody = z
  .object({
    enabled: z.boolean(),
    /** Recorded with the switch and in the audit log, e.g. "checkout outage, incident 142". */
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict();
export type SetMasterSwitchBody = z.infer<typeof SetMasterSwitchBody>;
