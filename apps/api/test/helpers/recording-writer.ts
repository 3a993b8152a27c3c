import type { Actor, AuditRecord } from "../../src/infra/audit";
import type { Reader, Tx } from "../../src/infra/db/scoped";
import { AppError } from "../../src/infra/errors";
import type { BumpScope, Write, Writer } from "../../src/infra/writer";
import type { ApiKeyRevokedMessage } from "../../src/modules/api-access/api-key-revocations";

/** An audit record with the actor it was written for. */
export interface Audited extends AuditRecord {
  actor: Actor;
}

/** What the writes that committed audited and bumped; `["*"]` is a bump of every environment. */
export interface Committed {
  audit: Audited[];
  bumped: string[][];
}

/** The transaction the in-memory fakes are handed: they never look at it. */
export const memoryTx = {} as Tx;

/** A reader over the in-memory fakes. */
export const memoryReading: Reader = (_workspaceId, fn) => fn(memoryTx);

/** In-memory rows that a failed write puts back as they were. */
export interface Restorable {
  /** Saves the rows; the function it answers puts them back. */
  save(): () => void;
}

/**
 * A writer for unit tests over in-memory repositories: it keeps what a write audited (with its
 * actor) and bumped, what each bump was scoped to (`scopes`, beside `committed.bumped`), and the
 * API keys it revoked (`revoked`), and when the write throws it drops
 * that and puts `rows` back, as a rollback would. Writes as the owner record the same way for
 * every workspace they open.
 */
export function recordingWriter(rows?: Restorable) {
  const committed: Committed = { audit: [], bumped: [] };
  const revoked: ApiKeyRevokedMessage[] = [];
  const scopes: (BumpScope | undefined)[] = [];

  async function recording<R>(fn: (open: (workspaceId: string) => Write) => Promise<R>): Promise<R> {
    const pending: Committed = { audit: [], bumped: [] };
    const pendingRevoked: ApiKeyRevokedMessage[] = [];
    const pendingScopes: (BumpScope | undefined)[] = [];
    const open = (workspaceId: string): Write => ({
      tx: memoryTx,
      workspaceId,
      async audit(actor, ...records) {
        pending.audit.push(...records.map((record) => ({ ...record, actor })));
      },
      async bump(ids, scope) {
        pending.bumped.push(ids ?? ["*"]);
        pendingScopes.push(scope);
        return [];
      },
      announce() {},
      revoke(message) {
        pendingRevoked.push(message);
      },
      undoable: (part) => part(),
    });
    const restore = rows?.save();
    let result: R;
    try {
      result = await fn(open);
    } catch (error) {
      restore?.();
      throw error;
    }
    committed.audit.push(...pending.audit);
    committed.bumped.push(...pending.bumped);
    revoked.push(...pendingRevoked);
    scopes.push(...pendingScopes);
    return result;
  }

  const writer: Writer = Object.assign(<R>(workspaceId: string, fn: (tx: Tx, w: Write) => Promise<R>) => recording((open) => fn(memoryTx, open(workspaceId))), {
    asOwner: <R>(fn: (tx: Tx, open: (workspaceId: string) => Write) => Promise<R>) => recording((open) => fn(memoryTx, open)),
  });
  return { writer, committed, revoked, scopes };
}

/** The AppError a call fails with; anything else (success included) fails the test. */
export async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to be refused");
}

/** The code of the AppError a call fails with, `"resolved"` when it succeeds, or the other error as text. */
export function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "resolved",
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );
}
