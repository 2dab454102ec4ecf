import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient, Shard } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';

/**
 * A scripted stream (shard listing and records), to check the source's shard bookkeeping where DynamoDB
 * Local gives no control: shards appear only on its own schedule.
 */
function scriptedStream(shards: Shard[]) {
  const calls: string[] = [];
  const streams = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      calls.push(name);
      if (name === 'DescribeStreamCommand') return { StreamDescription: { Shards: [...shards] } };
      if (name === 'GetShardIteratorCommand') return { ShardIterator: `it-${String(command.input['ShardId'])}` };
      if (name === 'GetRecordsCommand') return { Records: [], NextShardIterator: command.input['ShardIterator'] };
      throw new Error(`unexpected ${name}`);
    },
  } as unknown as DynamoDBStreamsClient;
  const dynamodb = { send: async () => ({ Table: { LatestStreamArn: 'arn:stream' } }) } as unknown as DynamoDBClient;
  return { streams, dynamodb, calls };
}

describe('DynamoDbStreamChangeSource shard bookkeeping', () => {
  it('lists shards again before it calls a shard named by the checkpoint gone', async () => {
    const shards: Shard[] = [{ ShardId: 'shard-1' }];
    const { streams, dynamodb, calls } = scriptedStream(shards);
    const source = new DynamoDbStreamChangeSource(dynamodb, streams, 'changesets', 60_000);
    expect((await source.poll(undefined, 100)).gap).toBeUndefined(); // lists shard-1 and caches the listing
    // Another node read a shard that appeared since; its checkpoint names it.
    shards.push({ ShardId: 'shard-2', ParentShardId: 'shard-1' });
    const result = await source.poll(JSON.stringify({ 'shard-1': 'done', 'shard-2': '42' }), 100);
    expect(result.gap).toBeUndefined();
    expect(JSON.parse(result.checkpoint!)).toEqual({ 'shard-1': 'done', 'shard-2': '42' });
    expect(calls.filter((c) => c === 'DescribeStreamCommand')).toHaveLength(2);
  });

  it('reports a gap when a shard it had not finished is really gone', async () => {
    const { streams, dynamodb } = scriptedStream([{ ShardId: 'shard-3' }]);
    const source = new DynamoDbStreamChangeSource(dynamodb, streams, 'changesets', 60_000);
    const result = await source.poll(JSON.stringify({ 'shard-1': '17' }), 100);
    expect(result.gap).toBe(true);
  });
});
