import type { Lease, LeaseStore } from '../../lib/feed/feed.port.js';
import type { InMemoryLeases } from '../../lib/adapters/memory/memory-feed.js';
import type { DynamoModel } from './dynamo-model.js';

export const CONTROL = 'control';
/** A lease or checkpoint item of the control table without the feed's source checkpoint: about this many bytes. */
export const CONTROL_ITEM_BYTES = 160;

/** One plain request on one control-table item (a lease, a head, a checkpoint). */
export function controlRequest<R>(model: DynamoModel, operation: string, name: string, kind: 'read' | 'write', effect: () => Promise<R>, bytes = CONTROL_ITEM_BYTES): Promise<R> {
  const units = kind === 'write' ? Math.max(1, Math.ceil(bytes / 1024)) : Math.max(1, Math.ceil(bytes / 4096));
  return model.send({ operation: `${operation} ${CONTROL} (${name})`, kind, accesses: [{ table: CONTROL, key: name, bytes, units }] }, effect);
}

/** Leases as `DynamoDbLeases` keeps them: one conditional `UpdateItem` or a strongly consistent `GetItem` on the lease's item. */
export class ModelLeases implements LeaseStore {
  constructor(
    protected readonly model: DynamoModel,
    protected readonly leases: InMemoryLeases,
  ) {}

  acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<Lease | undefined> {
    return controlRequest(this.model, 'UpdateItem', name, 'write', () => this.leases.acquireLease(name, owner, ttlMs, now));
  }

  renewLease(lease: Lease, ttlMs: number, now: number): Promise<Lease | undefined> {
    return controlRequest(this.model, 'UpdateItem', lease.name, 'write', () => this.leases.renewLease(lease, ttlMs, now));
  }

  releaseLease(lease: Lease): Promise<void> {
    return controlRequest(this.model, 'UpdateItem', lease.name, 'write', () => this.leases.releaseLease(lease));
  }

  readLease(name: string): Promise<Lease | undefined> {
    return controlRequest(this.model, 'GetItem', name, 'read', () => this.leases.readLease(name));
  }
}
