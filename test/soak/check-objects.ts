import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { EventStore, isEventStoreError } from '../../lib/index.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/index.js';
import { S3BlobStore } from '../../lib/adapters/s3/index.js';
import { ChangesetPayloads, type ChangesetRecord } from '../../lib/store/index.js';
import { changesetsPrefix } from '../../lib/store/payload-keys.js';
import { slotOf, type ObjectState, type Violations } from './check-types.js';

/**
 * Large changesets after the run: sweeps the bucket (every object past the grace: the workload and the chaos are over, so no save
 * is in flight, and anything unreferenced is an orphan), then reads every committed pointer's object. Returns
 * the changesets with their events (the other checks need them) and what it found.
 */
export async function readObjects(
  client: DynamoDBClient,
  s3: S3Client,
  bucket: string,
  prefix: string,
  raw: readonly ChangesetRecord[],
): Promise<{ changesets: ChangesetRecord[]; objects: ObjectState }> {
  const blobs = new S3BlobStore(s3, bucket);
  // Its clock a day on: the sweep then takes every object as past the grace period.
  const later = () => new Date(Date.now() + 24 * 3_600_000);
  const store = new EventStore(new DynamoDbChangesetStorage({ client, tablePrefix: prefix }), { aggregateRecords: false, blobs, largeChangesets: { keyPrefix: prefix }, now: later });
  const sweep = await store.sweepOrphans();
  const payloads = new ChangesetPayloads(blobs);
  const pointers: Array<{ slot: string; key: string; problem?: string }> = [];
  const changesets: ChangesetRecord[] = [];
  for (const record of raw) {
    if (!record.payload) {
      changesets.push(record);
      continue;
    }
    try {
      changesets.push(await payloads.resolve(record));
      pointers.push({ slot: slotOf(record), key: record.payload.key });
    } catch (error) {
      if (!isEventStoreError(error, 'CHANGESET_PAYLOAD')) throw error;
      pointers.push({ slot: slotOf(record), key: record.payload.key, problem: error.message });
      changesets.push(record);
    }
  }
  const remaining: string[] = [];
  for await (const page of blobs.list(changesetsPrefix(prefix))) remaining.push(...page.map((b) => b.key));
  return { changesets, objects: { pointers, remaining, sweep } };
}

/** Every committed pointer resolves (object present, size and SHA-256 as committed); after the sweep, every object left is referenced. */
export function checkObjects(objects: ObjectState, v: Violations): number {
  for (const pointer of objects.pointers) if (pointer.problem) v.objects.push(`${pointer.slot}: ${pointer.problem}`);
  const referenced = new Set(objects.pointers.map((p) => p.key));
  for (const key of objects.remaining) if (!referenced.has(key)) v.objects.push(`object ${key} is referenced by no changeset after the sweep`);
  return objects.pointers.length;
}
