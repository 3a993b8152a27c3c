import type { PrismaClient } from "../generated/prisma/client";
import type { ApiKeyRevocations, ApiKeyRevokedMessage } from "../modules/api-access/api-key-revocations";
import { recordAudit, type Actor, type AuditRecord } from "./audit";
import { bumpEnvironments, type ChangeNotifier, type EnvironmentChange, type SnapshotDelta } from "./changes";
import { inWorkspace, type TransactionOptions, type Tx } from "./db/scoped";

/** One write in progress: its transaction, and what it records and announces with it. */
export interface Write {
  /** The write's transaction, confined to the workspace by row-level security. */
  readonly tx: Tx;
  readonly workspaceId: string;
  /** Records audit entries (and their outbox events) in the write's transaction. */
  audit(actor: Actor, ...records: AuditRecord[]): Promise<void>;
  /**
   * Bumps the snapshot version of these environments (every one of the workspace's without ids);
   * announced after commit. With a scope, the write changed only those flags and tenants there:
   * the announcement then carries them, so replicas replace them rather than reload the environment.
   */
  bump(environmentIds?: string[], scope?: BumpScope): Promise<EnvironmentChange[]>;
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

/**
 * What a bump changed in its environments: only these flags (their definitions, states, rules,
 * overrides) and these tenants (created, or their attributes, roles or module switches).
 */
export interface BumpScope {
  flags?: readonly string[];
  tenants?: readonly string[];
}

/**
 * Reads, in the write's transaction, the flags and tenants a write changed as the environment's
 * snapshot at `range.version` stores them; null when they cannot be sent (replicas then
 * reload). The snapshots module provides it.
 */
export type DeltaReader = (
  tx: Tx,
  environmentId: string,
  scope: { flags: readonly string[]; tenants: readonly string[] },
  range: { fromVersion: number; version: number },
) => Promise<SnapshotDelta | null>;

export interface WriterDeps {
  prisma: PrismaClient;
  notifier: ChangeNotifier;
  revocations: ApiKeyRevocations;
  readDelta: DeltaReader;
}

interface Announcements {
  changes: EnvironmentChange[];
  /** Per change, what its bump was scoped to; undefined for a change of anything else. */
  scopes: (BumpScope | undefined)[];
  revoked: ApiKeyRevokedMessage[];
}

const announcements = (): Announcements => ({ changes: [], scopes: [], revoked: [] });

function openWrite(tx: Tx, workspaceId: string, out: Announcements): Write {
  let savepoints = 0;
  return {
    tx,
    workspaceId,
    audit: (actor, ...records) => recordAudit(tx, actor, ...records),
    async bump(environmentIds, scope) {
      const bumped = await bumpEnvironments(tx, workspaceId, environmentIds);
      out.changes.push(...bumped);
      const isScoped = !!scope && (scope.flags?.length ?? 0) + (scope.tenants?.length ?? 0) > 0;
      out.scopes.push(...bumped.map(() => (isScoped ? scope : undefined)));
      return bumped;
    },
    announce(...changes) {
      out.changes.push(...changes);
      out.scopes.push(...changes.map(() => undefined));
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
        out.scopes.length = marks.changes;
        out.revoked.length = marks.revoked;
        // When even this fails the transaction is lost anyway: the first error is the one to tell.
        await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
        throw error;
      }
    },
  };
}

/**
 * Before commit: for each environment whose every bump in the write was scoped to flags and
 * tenants, reads those at the new version and puts them on the environment's last change; the
 * write's earlier changes of it go, as no replica could ever see those versions. An environment
 * bumped for anything else once, or whose delta is too large, is announced without a delta.
 */
async function attachDeltas(tx: Tx, out: Announcements, readDelta: DeltaReader): Promise<void> {
  type Scoped = { flags: Set<string>; tenants: Set<string>; first: EnvironmentChange; last: EnvironmentChange };
  const byEnvironment = new Map<string, Scoped | null>();
  for (const [i, change] of out.changes.entries()) {
    const scope = out.scopes[i];
    const seen = byEnvironment.get(change.environmentId);
    if (!scope || change.isDeleted || seen === null) {
      byEnvironment.set(change.environmentId, null);
    } else if (!seen) {
      byEnvironment.set(change.environmentId, { flags: new Set(scope.flags), tenants: new Set(scope.tenants), first: change, last: change });
    } else {
      for (const flag of scope.flags ?? []) seen.flags.add(flag);
      for (const tenant of scope.tenants ?? []) seen.tenants.add(tenant);
      if (change.version > seen.last.version) seen.last = change;
      if (change.version < seen.first.version) seen.first = change;
    }
  }
  for (const [environmentId, scoped] of byEnvironment) {
    if (!scoped || scoped.flags.size + scoped.tenants.size === 0) continue;
    const range = { fromVersion: scoped.first.version - 1, version: scoped.last.version };
    const delta = await readDelta(tx, environmentId, { flags: [...scoped.flags], tenants: [...scoped.tenants] }, range);
    if (!delta) continue;
    scoped.last.delta = delta;
    out.changes = out.changes.filter((change) => change.environmentId !== environmentId || change === scoped.last);
  }
}

/** The one way the API writes: transaction, audit entries, version bumps, and announcements after commit. */
export function createWriter({ prisma, notifier, revocations, readDelta }: WriterDeps): Writer {
  async function announce(out: Announcements): Promise<void> {
    for (const message of out.revoked) await revocations.published(message);
    await notifier.published(out.changes);
  }

  async function writing<R>(workspaceId: string, fn: (tx: Tx, w: Write) => Promise<R>, options?: TransactionOptions): Promise<R> {
    const out = announcements();
    const result = await inWorkspace(
      prisma,
      workspaceId,
      async (tx) => {
        const done = await fn(tx, openWrite(tx, workspaceId, out));
        await attachDeltas(tx, out, readDelta);
        return done;
      },
      options,
    );
    await announce(out);
    return result;
  }

  async function asOwner<R>(fn: (tx: Tx, open: (workspaceId: string) => Write) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    const out = announcements();
    const result = await prisma.$transaction(async (tx) => {
      const done = await fn(tx, (workspaceId) => openWrite(tx, workspaceId, out));
      await attachDeltas(tx, out, readDelta);
      return done;
    }, options);
    await announce(out);
    return result;
  }

  return Object.assign(writing, { asOwner });
}
