import { MalformedItemError } from '../../errors/malformed-item.error.js';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';
import type { CommitOutcome, Lease, LeaseStore } from '../../feed/feed.port.js';
import type { CheckpointState, CheckpointStore, ParkedChangeset, ProjectionCheckpoint, ProjectionCommitOutcome, ReadModelWrite } from '../projection.port.js';
import { CheckpointSql } from './checkpoint-sql.js';
import type { SqlPort } from './sql.port.js';

/** What a handler threw inside a batch's transaction, with the index of the changeset it was applying. */
export class HandlerFailure {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {}
}

const FENCED = Symbol('fenced');

/**
 * Projection checkpoints as rows of a SQL table, beside the read model; leases stay where the other
 * projections' are (DynamoDB). Every change of a row is fenced by the lease's token, stored in the row.
 */
export class SqlCheckpoints<Tx> implements CheckpointStore {
  readonly sql: CheckpointSql;

  constructor(
    readonly port: SqlPort<Tx>,
    private readonly leases: LeaseStore,
    readonly table: string,
  ) {
    this.sql = new CheckpointSql(port.dialect, table);
  }

  acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<Lease | undefined> {
    return this.leases.acquireLease(name, owner, ttlMs, now);
  }

  renewLease(lease: Lease, ttlMs: number, now: number): Promise<Lease | undefined> {
    return this.leases.renewLease(lease, ttlMs, now);
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.leases.releaseLease(lease);
  }

  readLease(name: string): Promise<Lease | undefined> {
    return this.leases.readLease(name);
  }

  async readCheckpoint(name: string): Promise<ProjectionCheckpoint> {
    return (await this.readRow(name)) ?? { position: 0, parked: [], parkedTotal: 0 };
  }

  /** The row with its fence; `undefined` when the projection never ran here. */
  async readRow(name: string, tx?: Tx): Promise<(ProjectionCheckpoint & { readonly fence: number }) | undefined> {
    const { rows } = await this.call(`SELECT ${this.table} ${name}`, () => this.port.execute(tx, this.sql.read(), [name]));
    const row = rows[0];
    if (!row) return undefined;
    let parked: ParkedChangeset[];
    try {
      parked = JSON.parse(String(row['parked'] ?? '[]')) as ParkedChangeset[];
    } catch {
      throw new MalformedItemError(this.table, name, 'parked is not JSON');
    }
    const stoppedAt = row['stopped_at'];
    return {
      position: Number(row['feed_position']),
      fence: Number(row['fence']),
      parked,
      parkedTotal: Number(row['parked_total']),
      ...(stoppedAt === null || stoppedAt === undefined ? {} : { stoppedAt: Number(stoppedAt) }),
      ...(row['rebuilding'] === true || Number(row['rebuilding']) === 1 ? { rebuilding: true } : {}),
    };
  }

  async claimCheckpoint(name: string, lease: Lease): Promise<ProjectionCheckpoint | undefined> {
    await this.call(`INSERT ${this.table} ${name}`, () => this.port.execute(undefined, this.sql.insertRow(), [name]));
    const { affected } = await this.call(`UPDATE ${this.table} claim ${name}`, () =>
      this.port.execute(undefined, this.sql.claim(), [lease.token, Date.now(), name, lease.token]),
    );
    if (affected === 0) return undefined;
    const { fence: _, ...checkpoint } = (await this.readRow(name))!;
    return checkpoint;
  }

  async commit(lease: Lease, from: number, to: number, writes: readonly ReadModelWrite[], state: CheckpointState): Promise<ProjectionCommitOutcome> {
    if (writes.length > 0) throw new TypeError('a SQL projection writes its read model with ctx.manager, not with queued writes');
    // A move that keeps the position (parking with 'stop', resuming) cannot be told from no move by reading
    // back: it is not read back, and redoing it is harmless.
    return this.transact(lease, from === to ? undefined : to, (tx) => this.advance(tx, lease, from, to, state));
  }

  /** Moves the checkpoint from `from` to `to` inside `tx`; false when it is not at `from` or a newer term wrote it. */
  async advance(tx: Tx, lease: Lease, from: number, to: number, state: CheckpointState): Promise<boolean> {
    const name = projectionName(lease);
    const params = [to, lease.token, JSON.stringify(state.parked), state.parkedTotal ?? state.parked.length, state.stoppedAt ?? null, Date.now(), name, from, lease.token];
    return (await this.port.execute(tx, this.sql.advance(), params)).affected === 1;
  }

  reset(lease: Lease): Promise<CommitOutcome> {
    return this.transact(lease, 0, (tx) => this.resetRow(tx, lease, true));
  }

  /** Sets the checkpoint back to 0 inside `tx`, fenced. */
  async resetRow(tx: Tx, lease: Lease, rebuilding: boolean): Promise<boolean> {
    const flag = this.port.dialect === 'postgres' ? rebuilding : Number(rebuilding);
    return (await this.port.execute(tx, this.sql.reset(), [flag, lease.token, Date.now(), projectionName(lease), lease.token])).affected === 1;
  }

  finishRebuild(lease: Lease): Promise<CommitOutcome> {
    return this.transact(lease, undefined, (tx) => this.finishRow(tx, lease));
  }

  async finishRow(tx: Tx, lease: Lease): Promise<boolean> {
    return (await this.port.execute(tx, this.sql.finishRebuild(), [lease.token, Date.now(), projectionName(lease), lease.token])).affected === 1;
  }

  /**
   * Runs `work` in one transaction, committed iff it returns true (false: fenced, rolled back). A failure outside
   * the handlers (the checkpoint statement, the COMMIT itself) may have committed: the row is read back, and the
   * move to `to` under this lease's token tells that it did. A handler's failure is rethrown as `HandlerFailure`.
   */
  async transact(lease: Lease, to: number | undefined, work: (tx: Tx) => Promise<boolean>): Promise<CommitOutcome> {
    try {
      await this.port.transaction(async (tx) => {
        if (!(await work(tx))) throw FENCED;
      });
      return 'committed';
    } catch (error) {
      if (error === FENCED) return 'fenced';
      if (error instanceof HandlerFailure) throw error;
      const row = to === undefined ? undefined : await this.readRow(projectionName(lease)).catch(() => undefined);
      if (row && row.position === to && row.fence === lease.token) return 'committed';
      throw new StorageUnavailableError(`SQL commit of ${lease.name} to ${this.table} (outcome unknown, not applied)`, error);
    }
  }

  private async call<R>(operation: string, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      throw new StorageUnavailableError(operation, error);
    }
  }
}

/** The projection a lease belongs to (`projection#<name>`). */
export function projectionName(lease: Lease): string {
  return lease.name.replace(/^projection#/, '');
}
