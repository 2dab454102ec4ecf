import { type AttributeValue, ConditionalCheckFailedException, type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';
import type { Lease, LeaseStore } from '../../feed/feed.port.js';
import { call } from './storage-call.js';
import { acquireLeaseRequest, releaseLeaseRequest, renewLeaseRequest } from './feed-requests.js';
import { CONTROL_ATTR as K, type TableNames } from './table-layout.js';

type Item = Record<string, AttributeValue>;

export function parseLease(item: Item | undefined): Lease | undefined {
  const owner = item?.[K.owner]?.S;
  if (!item || owner === undefined) return undefined;
  return {
    name: item[K.name]!.S!,
    owner,
    token: Number(item[K.token]?.N ?? 0),
    expiresAt: Number(item[K.expiresAt]?.N ?? 0),
  };
}

/** Leases in the control table: the sequencer's and every projection's. */
export class DynamoDbLeases implements LeaseStore {
  constructor(
    protected readonly client: DynamoDBClient,
    readonly tables: TableNames,
  ) {}

  async acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<Lease | undefined> {
    try {
      const result = await this.client.send(new UpdateItemCommand(acquireLeaseRequest(this.tables, name, owner, ttlMs, now)));
      return parseLease(result.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new StorageUnavailableError(`UpdateItem ${this.tables.control} (acquire lease ${name})`, error);
    }
  }

  async renewLease(lease: Lease, ttlMs: number, now: number): Promise<Lease | undefined> {
    try {
      const result = await this.client.send(new UpdateItemCommand(renewLeaseRequest(this.tables, lease, ttlMs, now)));
      return parseLease(result.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new StorageUnavailableError(`UpdateItem ${this.tables.control} (renew lease ${lease.name})`, error);
    }
  }

  async releaseLease(lease: Lease): Promise<void> {
    try {
      await this.client.send(new UpdateItemCommand(releaseLeaseRequest(this.tables, lease)));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw new StorageUnavailableError(`UpdateItem ${this.tables.control} (release lease ${lease.name})`, error);
    }
  }

  async readLease(name: string): Promise<Lease | undefined> {
    return parseLease(await this.readControl(name));
  }

  async readControl(name: string): Promise<Item | undefined> {
    const result = await call(`GetItem ${this.tables.control} (${name})`, () =>
      this.client.send(new GetItemCommand({ TableName: this.tables.control, Key: { [K.name]: { S: name } }, ConsistentRead: true })),
    );
    return result.Item;
  }
}
