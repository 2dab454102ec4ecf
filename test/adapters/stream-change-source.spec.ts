import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBStreamsClient, type Shard, TrimmedDataAccessException } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';

/**
 * A scripted stream (shard listing and records), to check the source's shard bookkeeping where DynamoDB
 * Local gives no control: shards appear only on its own schedule.
 */
function scriptedStream(shards: Shard[], refuse: (iterator: string) => boolean = () => false) {
  const calls: string[] = [];
  let iterators = 0;
  const streams = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      calls.push(name);
      if (name === 'DescribeStreamCommand') return { StreamDescription: { Shards: [...shards] } };
      if (name === 'GetShardIteratorCommand') return { ShardIterator: `it-${String(command.input['ShardId'])}-${++iterators}` };
      if (name === 'GetRecordsCommand') {
        const iterator = String(command.input['ShardIterator']);
        if (refuse(iterator)) throw new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} });
        return { Records: [], NextShardIterator: iterator };
      }
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

  it('takes a new iterator, and reports no gap, when an iterator of a shard it has read nothing from is refused as trimmed', async () => {
    // DynamoDB Local: the iterator taken while the shard was empty is refused once the first record arrives.
    const refused = new Set<string>();
    const { streams, dynamodb, calls } = scriptedStream([{ ShardId: 'shard-1' }], (iterator) => refused.has(iterator));
    const source = new DynamoDbStreamChangeSource(dynamodb, streams, 'changesets', 60_000);
    expect((await source.poll(undefined, 100)).gap).toBeUndefined();
    refused.add('it-shard-1-1');
    const result = await source.poll(undefined, 100);
    expect(result.gap).toBeUndefined();
    expect(calls.filter((c) => c === 'GetShardIteratorCommand')).toHaveLength(2);
  });

  it('still reports a gap when the records after its checkpoint are trimmed', async () => {
    const { streams, dynamodb } = scriptedStream([{ ShardId: 'shard-1' }], () => true);
    const source = new DynamoDbStreamChangeSource(dynamodb, streams, 'changesets', 60_000);
    const result = await source.poll(JSON.stringify({ 'shard-1': '17' }), 100);
    expect(result.gap).toBe(true);
  });

  it('reports a gap when even a new TRIM_HORIZON iterator is refused', async () => {
    const { streams, dynamodb } = scriptedStream([{ ShardId: 'shard-1' }], () => true);
    const source = new DynamoDbStreamChangeSource(dynamodb, streams, 'changesets', 60_000);
    expect((await source.poll(undefined, 100)).gap).toBe(true);
  });
});
