import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { Account } from '../fixtures/account.js';
import { localDynamoDb } from '../support/local-aws.js';
import { freshTables, readView, startNode, until } from '../projections/harness.js';

/** Every `Query` the client sends to `table`. */
function countQueries(client: DynamoDBClient, table: string): { count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: { TableName?: string } }) => {
      if (context.commandName === 'QueryCommand' && args.input.TableName === table) counter.count++;
      return next(args);
    }) as never,
    { step: 'initialize', name: `count-feed-queries-${randomUUID()}` },
  );
  return counter;
}

describe('projections beside the sequencer read its batches from memory (DynamoDB Local)', () => {
  it('applies every batch without reading the feed table back, idles without reading it, and reads what the table holds', async () => {
    const client = localDynamoDb();
    const { storage, views } = await freshTables(client, 'recent', 'views');
    const viewTable = views[0]!;
    const feedQueries = countQueries(client, storage.tables.feed);
    const node = startNode(client, storage, viewTable);
    try {
      const accounts: Account[] = [];
      for (let round = 1; round <= 4; round++) {
        // Each round is sequenced in its own batches and applied before the next round is saved.
        for (let i = 0; i < 5; i++) {
          const account = new Account(randomUUID());
          account.open(`owner ${round}`);
          await node.accounts.save(account);
          // A second changeset: this test's projection writes each event as its own update of the item.
          account.deposit(round);
          await node.accounts.save(account);
          accounts.push(account);
        }
        await until(async () => {
          await node.manager.drive();
          const views = await Promise.all(accounts.map((a) => readView(client, viewTable, a.id)));
          return views.every((v) => v !== undefined && v.applied === 2);
        });
      }
      for (const [i, account] of accounts.entries()) expect(await readView(client, viewTable, account.id)).toMatchObject({ balance: Math.floor(i / 5) + 1, applied: 2 });
      // Idle steps find nothing after the local sequencer's head, and need no read to know it.
      for (let i = 0; i < 5; i++) expect((await node.manager.drive()).projections['balances']).toBe('idle');
      expect(feedQueries.count).toBe(0);

      // What memory gave is what the feed table holds: a reader without the local batches reads it back.
      const fromTable = await new FeedReader(new DynamoDbFeedStorage(client, storage.tables), storage).read(1, 1000);
      expect(fromTable).toHaveLength(40);
      expect(feedQueries.count).toBeGreaterThan(0);
      expect(await node.manager.reader.read(1, 1000)).toEqual(fromTable);
    } finally {
      await node.manager.stop();
      client.destroy();
    }
  });
});
