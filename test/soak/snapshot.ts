import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { parseFeedBatch } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { FEED_BUCKET_SIZE, FEED_SHARD_BUCKETS } from '../../lib/adapters/dynamodb/table-layout.js';
import { feedShardName } from '../../lib/feed/feed.port.js';
import { shardCheckpointName } from '../../lib/projections/projection-runner.js';
import { DynamoDbFeedStorage, DynamoDbProjectionStore, tableNames } from '../../lib/adapters/dynamodb/index.js';
import { readChangesets, readViews, scan } from '../multi-process/tables.js';
import type { Application, StoredState } from './check-types.js';
import { historyTable } from './history-projection.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { readObjects } from './check-objects.js';

type Item = Record<string, AttributeValue>;


/** Every item of a feed shard's buckets up to the head's and one more (Query, as the library reads the feed). */
async function feedItems(client: DynamoDBClient, table: string, head: number, shard: number): Promise<Item[]> {
  const items: Item[] = [];
  for (let offset = 0; offset <= Math.floor(head / FEED_BUCKET_SIZE) + 1; offset++) {
    const bucket = shard * FEED_SHARD_BUCKETS + offset;
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
  const feed = new DynamoDbFeedStorage(client, tables);
  const { shards } = await feed.readFeedConfig();
  const heads = await Promise.all(Array.from({ length: shards }, async (_, k) => (await feed.readSequencerState(feedShardName(k))).head));
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
  for (const name of projections) {
    for (let k = 0; k < shards; k++) checkpoints[shardCheckpointName(name, k)] = (await store.readCheckpoint(shardCheckpointName(name, k))).position;
  }
  const entries = await Promise.all(
    heads.map(async (head, shard) => (await feedItems(client, tables.feed, head, shard)).flatMap((item) => parseFeedBatch(tables.feed, item).entries.map((e) => ({ ...e, shard })))),
  );
  const { changesets, objects } = await readObjects(client, s3.client, s3.bucket, prefix, await readChangesets(client, prefix));
  return {
    changesets,
    objects,
    feed: entries.flat(),
    head: heads.reduce((sum, head) => sum + head, 0),
    ...(shards > 1 ? { heads } : {}),
    applications,
    views: await readViews(client, prefix),
    checkpoints,
  };
}
