import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { StorageUnavailableError } from '../../lib/errors/storage-unavailable.error.js';
import { EventStore } from '../../lib/store/event-store.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';

/** Counts Query requests as they are sent; `failFrom` makes the n-th and later ones fail before reaching the server. */
function watchQueries(client: DynamoDBClient): { sent: () => number; failFrom: (n: number) => void; failed: () => number } {
  let sent = 0;
  let failed = 0;
  let failFrom = Number.POSITIVE_INFINITY;
  const middleware: Parameters<DynamoDBClient['middlewareStack']['add']>[0] = (next, context) => async (args) => {
    if (context.commandName !== 'QueryCommand') return next(args);
    sent++;
    if (sent >= failFrom) {
      failed++;
      throw Object.assign(new Error('injected: Query refused'), { name: 'ValidationException', $fault: 'client' });
    }
    return next(args);
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: `watch-queries-${Math.random()}` });
  return { sent: () => sent, failFrom: (n) => void (failFrom = n), failed: () => failed };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; !condition(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A stream of more than one Query page (4 changesets of ~350 KB; a page is at most 1 MB). */
describe('reading a stream across Query pages, on DynamoDB Local', () => {
  const client = localDynamoDb();
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix('pages') });
  const store = new EventStore(storage, { aggregateRecords: false });
  const stream = { aggregateType: 'Doc', aggregateId: randomUUID() };
  const queries = watchQueries(client);

  beforeAll(async () => {
    await storage.createTables();
    for (let i = 0; i < 4; i++) {
      const event = { eventId: randomUUID(), type: 'doc.written', data: { text: `${i}`.repeat(350_000) }, occurredAt: new Date().toISOString() };
      await store.append({ stream, expectedVersion: i, events: [event] });
    }
  });
  afterAll(async () => {
    await store.close();
    client.destroy();
  });
  beforeEach(() => queries.failFrom(Number.POSITIVE_INFINITY));

  it('asks for the next page before the caller has gone through this one', async () => {
    const before = queries.sent();
    const reader = storage.readChangesets(stream, 1)[Symbol.asyncIterator]();
    expect((await reader.next()).value).toMatchObject({ seq: 1 });
    // Still on the first page's first changeset: the second page is on its way already.
    await until(() => queries.sent() === before + 2, 'the second page to be asked for');
    const seqs = [1];
    for (let next = await reader.next(); !next.done; next = await reader.next()) seqs.push(next.value.seq);
    expect(seqs).toEqual([1, 2, 3, 4]);
  });

  it('reports a page that fails to a caller that reads on, and leaves no unhandled rejection to one that stopped', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      queries.failFrom(queries.sent() + 2);
      const seen: number[] = [];
      await expect(
        (async () => {
          for await (const changeset of storage.readChangesets(stream, 1)) seen.push(changeset.seq);
        })(),
      ).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.length).toBeLessThan(4);

      const failedBefore = queries.failed();
      queries.failFrom(queries.sent() + 2);
      for await (const changeset of storage.readChangesets(stream, 1)) {
        expect(changeset.seq).toBe(1);
        break;
      }
      // The second page's request failed after the caller had left; let the process notice if nobody handled it.
      await until(() => queries.failed() === failedBefore + 1, 'the abandoned page to fail');
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
