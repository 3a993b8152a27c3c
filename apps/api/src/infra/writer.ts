import type { PrismaClient } from "../generated/prisma/client";
import type { ApiKeyRevocations, ApiKeyRevokedMessage } from "../modules/api-access/api-key-revocations";
import { recordAudit, type Actor, type AuditRecord } from "./audit";
import { bumpEnvironments, type ChangeNotifier, type EnvironmentChange } from "./changes";
import { inWorkspace, type TransactionOptions, type Tx } from "./db/scoped";

/** One write in progress: its transaction, and what it records and announces with it. */
export interface Write {
  /** The write's transaction, confined to the workspace by row-level security. */
  readonly tx: Tx;
  readonly workspaceId: string;
  /** Records audit entries (and their outbox events) in the write's transaction. */
  audit(actor: Actor, ...records: AuditRecord[]): Promise<void>;
  /** Bumps the snapshot version of these environments (every one of the workspace's without ids); announced after commit. */
  bump(environmentIds?: string[]): Promise<EnvironmentChange[]>;
  /** Changes the write made without a bump (an environment created or deleted), announced after commit. */
  announce(...changes: EnvironmentChange[]): void;
  /** API keys that stop being valid, announced to every replica after commit (before the environment changes). */
  revoke(message: ApiKeyRevokedMessage): void;
  /**
   * Runs part of the write under a savepoint: if it throws, what it wrote, bumped and announced
   * is undone and the error goes on, while the rest of the write can still commit.
   */
  undoable<R>(fn: () => Promise<R>): Promise<R>;
}

export interface Writer {
  /**
   * Runs `fn` in one transaction in the workspace; once it commits, the revoked keys and the
   * changed environments are announced. Nothing is announced when it rolls back, and a failure
   * to announce never fails the write (replicas catch up by polling versions).
   */
  <R>(workspaceId: string, fn: (tx: Tx, w: Write) => Promise<R>, options?: TransactionOptions): Promise<R>;
  /**
   * The same for the few writes that start as the owner connection, outside row-level security:
   * creating or archiving a workspace, and jobs that claim due work across workspaces (they
   * confine themselves with `enterWorkspace` once they know the workspace). `open` starts the
   * write in a workspace; the announcements follow the commit as above.
   */
  asOwner<R>(fn: (tx: Tx, open: (workspaceId: string) => Write) => Promise<R>, options?: TransactionOptions): Promise<R>;
}

export interface WriterDeps {
  prisma: PrismaClient;
  notifier: ChangeNotifier;
  revocations: ApiKeyRevocations;
}

interface Announcements {
  changes: EnvironmentChange[];
  revoked: ApiKeyRevokedMessage[];
}

function openWrite(tx: Tx, workspaceId: string, out: Announcements): Write {
  let savepoints = 0;
  return {
    tx,
    workspaceId,
    audit: (actor, ...records) => recordAudit(tx, actor, ...records),
    async bump(environmentIds) {
      const bumped = await bumpEnvironments(tx, workspaceId, environmentIds);
      out.changes.push(...bumped);
      return bumped;
    },
    announce(...changes) {
      out.changes.push(...changes);
    },
    revoke(message) {
      out.revoked.push(message);
    },
    async undoable(fn) {
      const name = `undoable_${++savepoints}`;
      const marks = { changes: out.changes.length, revoked: out.revoked.length };
      await tx.$executeRawUnsafe(`SAVEPOINT ${name}`);
      try {
        return await fn();
      } catch (error) {
        out.changes.length = marks.changes;
        out.revoked.length = marks.revoked;
        // When even this fails the transaction is lost anyway: the first error is the one to tell.
        await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
        throw error;
      }
    },
  };
}

/** The one way the API writes: transaction, audit entries, version bumps, and announcements after commit. */
export function createWriter({ prisma, notifier, revocations }: WriterDeps): Writer {
  async function announce(out: Announcements): Promise<void> {
    for (const message of out.revoked) await revocations.published(message);
    await notifier.published(out.changes);
  }

  async function writing<R>(workspaceId: string, fn: (tx: Tx, w: Write) => Promise<R>, options?: TransactionOptions): Promise<R> {
    const out: Announcements = { changes: [], revoked: [] };
    const result = await inWorkspace(prisma, workspaceId, (tx) => fn(tx, openWrite(tx, workspaceId, out)), options);
    await announce(out);
    return result;
  }

  async function asOwner<R>(fn: (tx: Tx, open: (workspaceId: string) => Write) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    const out: Announcements = { changes: [], revoked: [] };
    const result = await prisma.$transaction((tx) => fn(tx, (workspaceId) => openWrite(tx, workspaceId, out)), options);
    await announce(out);
    return result;
  }

  return Object.assign(writing, { asOwner });
}
