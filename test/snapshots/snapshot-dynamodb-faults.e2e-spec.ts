import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbSnapshotRecords } from '../../lib/adapters/dynamodb/dynamodb-snapshot-records.js';
import { localDynamoDb } from '../support/local-aws.js';
import { ledgers, localBackend, replayingLedgers, type SnapshotBackend } from './harness.js';
import { Ledger } from './ledger.js';

/** Fails every UpdateItem of a snapshot record, after the server applied nothing (a throttled, 500-ing DynamoDB). */
function failSnapshotUpdates(client: DynamoDBClient): { failed: number } {
  const counter = { failed: 0 };
  const middleware: Parameters<DynamoDBClient['middlewareStack']['add']>[0] = (next, context) => async (args) => {
    const input = args.input as { Key?: { stream?: { S?: string } } };
    if (context.commandName === 'UpdateItemCommand' && input.Key?.stream?.S?.startsWith('#snapshot#')) {
      counter.failed++;
      throw Object.assign(new Error('injected: throttled'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    }
    return next(args);
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: `fail-snapshot-updates-${Math.random()}` });
  return counter;
}

describe('snapshot records on a failing DynamoDB', () => {
  let backend: SnapshotBackend;
  const client = localDynamoDb();

  beforeAll(async () => {
    backend = await localBackend();
  });
  afterAll(async () => {
    await backend.close();
    client.destroy();
  });

  it('saves succeed and are loaded in full; the failed snapshot writes are logged', async () => {
    const injected = failSnapshotUpdates(client);
    const faulty = { ...backend, records: new DynamoDbSnapshotRecords(client, `${backend.keyPrefix}aggregates`) };
    const { repository, snapshotter, warnings } = ledgers(faulty, { every: 2, store: 'inline' });
    const ledger = new Ledger(randomUUID());
    for (let i = 0; i < 6; i++) {
      ledger.enter('a', i);
      expect((await repository.save(ledger)).version).toBe(i + 1);
      await snapshotter.idle();
    }
    expect(injected.failed).toBe(3);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/not written: StorageUnavailableError: .*UpdateItem .*aggregates.*ThrottlingException: injected: throttled/);
    expect((await repository.load(ledger.id)).entries).toBe(6);
    expect((await replayingLedgers(backend).load(ledger.id)).entries).toBe(6);
  });
});
