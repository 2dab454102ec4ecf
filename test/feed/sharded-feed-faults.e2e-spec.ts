import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';
import { FeedShards } from '../../lib/feed/feed-shards.js';
import { EventStore } from '../../lib/store/event-store.js';
import { checkFeedHistory } from '../../lib/testing/feed-history.js';
import { type FaultProxy, startFaultProxy } from '../support/faults/index.js';
import { dynamoDbConfig, localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { CausalWorkload, stepAll } from './sharded-feed.contract.js';

/**
 * K = 4 feed shards on DynamoDB Local behind the fault proxy: the feed's requests (not the writers') lose
 * replies of batch commits that DynamoDB applied, are throttled or answered 500, while the count is raised
 * 1 -> 4 and while the first node's leases pass to a second node. Every step's failure is retried as the loop
 * would. The feed must hold each changeset once, in a consumer order that respects every predecessor and
 * dependency.
 */
/** A one-shot call made while faults are injected (10% of reads fail): asked again until it goes through. */
async function untilDone<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 10) throw error;
    }
  }
}

describe('sharded feed (K = 4) under injected faults, DynamoDB Local', () => {
  let proxy: FaultProxy;
  const direct = localDynamoDb();
  const clients: Array<{ destroy(): void }> = [];
  let store: EventStore | undefined;

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: dynamoDbConfig().endpoint as string, seed: 20 });
  });
  afterAll(async () => {
    // Also when the test failed half-way: an open store or client keeps jest from exiting.
    await store?.close();
    for (const client of clients) client.destroy();
    direct.destroy();
    await proxy.stop();
  });

  /** A node's feed side, every request through the proxy and none retried by the SDK: each fault reaches the library. */
  function feedNode(prefix: string, owner: string, clock: () => number): FeedShards {
    const client = localDynamoDb({ endpoint: proxy.endpoint, maxAttempts: 1 });
    const streams = new DynamoDBStreamsClient({ ...dynamoDbConfig(), endpoint: proxy.endpoint, maxAttempts: 1 });
    clients.push(client, streams);
    const changesets = new DynamoDbChangesetStorage({ client, tablePrefix: prefix });
    const feed = new DynamoDbFeedStorage(client, changesets.tables);
    const source = new DynamoDbStreamChangeSource(client, streams, changesets.tables.changesets);
    return new FeedShards(changesets, feed, source, { owner, batchIntervalMs: 0, leaseTtlMs: 1000, watermarkFlushMs: 0, now: clock });
  }

  /** Steps every sequencer `rounds` times; a step that fails is retried at the next round. */
  async function stepThroughFaults(shards: FeedShards, rounds: number): Promise<number> {
    let failed = 0;
    for (let round = 0; round < rounds; round++) {
      for (const sequencer of shards.sequencers) await sequencer.step().catch(() => failed++);
    }
    return failed;
  }

  it('loses, repeats and reorders nothing through lost replies, throttling and 500s, a raise 1 -> 4 and a change of owner', async () => {
    const prefix = uniquePrefix('sfault');
    const changesets = new DynamoDbChangesetStorage({ client: direct, tablePrefix: prefix });
    await changesets.createTables();
    store = new EventStore(changesets);
    const work = new CausalWorkload({ store }, 30);
    let clock = 1_000_000;
    const first = feedNode(prefix, 'node-1', () => clock);
    await first.load();
    await work.commit(60);

    const feedTables = (info: { resources: readonly string[] }) => info.resources.some((t) => t === changesets.tables.feed || t === changesets.tables.control);
    proxy.addRule({ operation: 'TransactWriteItems', where: feedTables, rate: 0.3, fault: { kind: 'drop-response' } });
    proxy.addRule({ operation: 'GetRecords', rate: 0.2, fault: { kind: 'throttle' } });
    proxy.addRule({ operation: /^(GetItem|Query|BatchGetItem)$/, rate: 0.1, fault: { kind: 'http500' } });
    let failed = await stepThroughFaults(first, 15);
    await work.commit(60);
    await untilDone(() => first.raise(4));
    expect(first.sequencers).toHaveLength(4);
    failed += await stepThroughFaults(first, 15);
    await work.commit(60);
    failed += await stepThroughFaults(first, 5);

    // node-1 stops where it is, mid-way, keeping its leases; node-2 takes every shard once they expire.
    clock += 5000;
    const second = feedNode(prefix, 'node-2', () => clock);
    await untilDone(() => second.load());
    await work.commit(60);
    failed += await stepThroughFaults(second, 15);
    const injected = proxy.counts();
    proxy.clearRules();
    await stepAll(second);

    expect(injected['drop-response']?.TransactWriteItems).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    const report = await checkFeedHistory(new DynamoDbFeedStorage(direct, changesets.tables), 4, work.acknowledged);
    expect(report.examples).toEqual([]);
    expect(report).toMatchObject({ entries: 240, violations: 0 });
  }, 120_000);
});
