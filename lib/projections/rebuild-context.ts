import { LeaseLostError } from '../errors/lease-lost.error.js';
import type { Lease } from '../feed/feed.port.js';
import type { ProjectionStore, ReadModelWrite } from './projection.port.js';

/**
 * What a projection's `onRebuild(ctx)` gets: writes to its read model that hold only while this node
 * still holds the projection's lease. A node paused in the middle of a rebuild (GC, SIGSTOP) cannot wipe
 * rows that the node which took over has written since: its late writes are refused (`LeaseLostError`),
 * and the new owner runs `onRebuild` again itself before it applies anything.
 */
export class RebuildContext {
  constructor(
    private readonly store: ProjectionStore,
    private readonly lease: Lease,
    /** The projection being rebuilt. */
    readonly projection: string,
    private readonly resolve: (table: string) => string = (table) => table,
  ) {}

  /**
   * Deletes every item of a read-model table, or those whose key `where` accepts (for a table shared by
   * several projections), in fenced transactions. Resolves to the number of items deleted. A table the
   * projection declares may be named as declared (the prefix is added), like in `ProjectionContext`.
   */
  async clearTable(name: string, options: { readonly where?: (key: Readonly<Record<string, unknown>>) => boolean } = {}): Promise<number> {
    const table = this.resolve(name);
    let deleted = 0;
    for await (const keys of this.store.scanKeys(table)) {
      const chosen = options.where ? keys.filter(options.where) : keys;
      await this.write(...chosen.map((Key) => ({ Delete: { TableName: table, Key } })));
      deleted += chosen.length;
    }
    return deleted;
  }

  /** Applies read-model writes now, fenced by the lease, in transactions of at most `maxWritesPerCommit`. */
  async write(...writes: ReadModelWrite[]): Promise<void> {
    const size = Math.max(1, this.store.maxWritesPerCommit);
    for (let i = 0; i < writes.length; i += size) {
      const outcome = await this.store.fencedWrite(this.lease, writes.slice(i, i + size));
      if (outcome === 'fenced') throw new LeaseLostError(this.lease.name, `the rebuild of projection "${this.projection}"`);
    }
  }
}
