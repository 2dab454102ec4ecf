import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { changesetItem } from '../../lib/adapters/dynamodb/requests.js';
import { snapshotRecordKey } from '../../lib/adapters/dynamodb/dynamodb-snapshot-records.js';
import { EVENT_STORE_RUNTIME, type EventStoreRuntime } from '../../lib/index.js';
import { PostClapped } from '../../sample-app/posts/post.events.js';
import { localDynamoDb } from '../support/local-aws.js';
import { clap, createUser, eventually, publishPost, startTestApp, type TestApp, testConfig } from './support.js';

const CLAPS = 10_000;
const started = Date.now();
const log = (what: string) => process.stderr.write(`${what} at ${Date.now() - started} ms\n`);

/** Counts the changesets the app's repositories read (the store's one read path for loads). */
function countLoads(target: TestApp): { changesets: number } {
  const store = target.app.get<EventStoreRuntime>(EVENT_STORE_RUNTIME).store;
  const counter = { changesets: 0 };
  const readStream = store.readStream.bind(store);
  store.readStream = (stream, fromSeq) => {
    const inner = readStream(stream, fromSeq);
    return (async function* () {
      for await (const changeset of inner) {
        counter.changesets++;
        yield changeset;
      }
    })();
  };
  return counter;
}

describe('sample app: a post with 10,000 claps loads from a snapshot after a restart', () => {
  const client = localDynamoDb();
  const config = testConfig();
  let target: TestApp | undefined;

  afterAll(async () => {
    await target?.close();
    client.destroy();
  });

  it('the first clap after the restart reads the snapshot and a handful of changesets, not 10,000', async () => {
    target = await startTestApp(config);
    const { id: authorId } = await createUser(target, 'Author');
    const { id: postId } = await publishPost(target, authorId, 'Popular');
    // 10,000 one-clap changesets, written as save() writes them, 16 puts in flight (through the app, one
    // clap at a time, they take minutes).
    const serializer = target.app.get<EventStoreRuntime>(EVENT_STORE_RUNTIME).serializer;
    const stream = { aggregateType: 'Post', aggregateId: postId };
    const items = Array.from({ length: CLAPS }, (_, i) =>
      changesetItem({
        ...stream,
        seq: i + 2,
        changesetId: randomUUID(),
        fromVersion: i + 2,
        toVersion: i + 2,
        committedAt: new Date().toISOString(),
        events: serializer.serialize(stream, [new PostClapped(postId, authorId, 1)]),
        dependencies: [],
      }),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < items.length) await client.send(new PutItemCommand({ TableName: `${config.tablePrefix}changesets`, Item: items[next++]! }));
      }),
    );
    log('seeded');

    // A clap on the running app: its save is the one that takes the snapshot, after it answered.
    expect((await clap(target, postId, authorId)).version).toBe(CLAPS + 2);
    const snapshotKey = snapshotRecordKey(stream, 1);
    await eventually(async () => {
      const reply = await client.send(new GetItemCommand({ TableName: `${config.tablePrefix}aggregates`, Key: { stream: { S: snapshotKey } }, ConsistentRead: true }));
      return reply.Item?.['version']?.N === String(CLAPS + 2) ? true : undefined;
    }, 'the snapshot record');
    log('snapshot written');
    await target.close();
    log('closed');

    target = await startTestApp(config); // a new process: nothing cached
    log('restarted');
    const loads = countLoads(target);
    const ack = await clap(target, postId, authorId, { count: 3 });
    expect(ack.version).toBe(CLAPS + 3);
    // The user (1 changeset) and the post: its snapshot's own changeset (checked), nothing after it.
    log('clapped');
    expect(loads.changesets).toBe(2);
  }, 600_000);
});
