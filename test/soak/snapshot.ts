import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { parseFeedBatch } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { FEED_BUCKET_SIZE } from '../../lib/adapters/dynamodb/table-layout.js';
import { DynamoDbFeedStorage, DynamoDbProjectionStore, tableNames } from '../../lib/adapters/dynamodb/index.js';
import { readChangesets, readViews, scan } from '../multi-process/tables.js';
import type { Application, StoredState } from './check-types.js';
import { historyTable } from './history-projection.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { readObjects } from './check-objects.js';

type Item = Record<string, AttributeValue>;


/** Every item of the feed's buckets up to the head's and one more (Query, as the library reads the feed). */
async function feedItems(client: DynamoDBClient, table: string, head: number): Promise<Item[]> {
  const items: Item[] = [];
  for (let bucket = 0; bucket <= Math.floor(head / FEED_BUCKET_SIZE) + 1; bucket++) {
    let start: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand({ TableName: table, KeyConditionExpression: '#bucket = :b', ExpressionAttributeNames: { '#bucket': 'bucket' }, ExpressionAttributeValues: { ':b': { N: String(bucket) } }, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return items;
}

/** Reads everything the checker needs from DynamoDB and S3, raw (every feed batch, not through the reader, which stops at a hole), with a client that has no faults. */
export async function readStoredState(
  client: DynamoDBClient,
  prefix: string,
  projections: readonly string[],
  s3: { readonly client: S3Client; readonly bucket: string },
): Promise<Omit<StoredState, 'sql'>> {
  const tables = tableNames(prefix);
  const head = (await new DynamoDbFeedStorage(client, tables).readSequencerState()).head;
  const applications: Application[] = (await scan(client, historyTable(prefix))).map((item) => ({
    projection: item.projection!.S!,
    aggregateType: item.aggregateType!.S!,
    aggregateId: item.aggregateId!.S!,
    seq: Number(item.seq!.N),
    applied: Number(item.applied?.N ?? 0),
    position: Number(item.position?.N ?? 0),
  }));
  const store = new DynamoDbProjectionStore(client, tables);
  const checkpoints: Record<string, number> = {};
  for (const name of projections) checkpoints[name] = (await store.readCheckpoint(name)).position;
  const { changesets, objects } = await readObjects(client, s3.client, s3.bucket, prefix, await readChangesets(client, prefix));
  return {
    changesets,
    objects,
    feed: (await feedItems(client, tables.feed, head)).flatMap((item) => parseFeedBatch(tables.feed, item).entries),
    head,
    applications,
    views: await readViews(client, prefix),
    checkpoints,
  };
}
