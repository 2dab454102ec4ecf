import { countStreamReads } from '../support/count-stream-reads.js';
import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { changesetItem } from '../../lib/adapters/dynamodb/requests.js';
import { snapshotRecordKey } from '../../lib/adapters/dynamodb/dynamodb-snapshot-records.js';
import { type AggregateRepository, getRepositoryToken } from '../../lib/index.js';
import { EVENT_STORE_RUNTIME, type EventStoreRuntime } from '../../lib/store/index.js';
import { Post } from '../../sample-app/posts/post.aggregate.js';
import type { SampleAppConfig } from '../../sample-app/config.js';
import { PostClapped } from '../../sample-app/posts/post.events.js';
import { localDynamoDb } from '../support/local-aws.js';
import { clap, createUser, eventually, publishPost, startTestApp, type TestApp, testConfig } from './support.js';

const CLAPS = 10_000;
/** Claps per seeded changeset, as one request with `count: 10` makes: 1,000 changesets hold the 10,000 claps. */
const PER_CHANGESET = 10;
const CHANGESETS = CLAPS / PER_CHANGESET;

/** Counts the changesets the app's repositories read (the store's one read path for loads). */
function countLoads(target: TestApp): { readonly changesets: number } {
  return countStreamReads(target.app.get<EventStoreRuntime>(EVENT_STORE_RUNTIME).store);
}

describe('sample app: a post with 10,000 claps loads from a snapshot after a restart', () => {
  /** The post as its own load sees it (the view may trail): through the repository of the running app. */
  const getPost = async (target: TestApp, id: string) => target.app.get<AggregateRepository<Post>>(getRepositoryToken(Post)).load(id);

  const client = localDynamoDb();
  /** The same tables and database for both app instances. */
  let config: SampleAppConfig;
  let target: TestApp | undefined;

  beforeAll(async () => {
    config = await testConfig();
  });

  afterAll(async () => {
    await target?.close();
    client.destroy();
  });

  it('the first clap after the restart reads the snapshot and a handful of changesets, not 10,000', async () => {
    target = await startTestApp(config);
    const { id: authorId } = await createUser(target, 'Author');
    const { id: postId } = await publishPost(target, authorId, 'Popular');
    // 1,000 changesets of 10 claps, written as save() writes them, 8 puts in flight (through the app, one
    // request at a time behind the feed and projections, they take minutes on a busy machine).
    const serializer = target.app.get<EventStoreRuntime>(EVENT_STORE_RUNTIME).serializer;
    const stream = { aggregateType: 'Post', aggregateId: postId };
    const items = Array.from({ length: CHANGESETS }, (_, i) =>
      changesetItem({
        ...stream,
        seq: i + 2,
        changesetId: randomUUID(),
        fromVersion: i + 2,
        toVersion: i + 2,
        committedAt: new Date().toISOString(),
        events: serializer.serialize(stream, [new PostClapped(postId, authorId, PER_CHANGESET)]),
        dependencies: [],
      }),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < items.length) await client.send(new PutItemCommand({ TableName: `${config.tablePrefix}changesets`, Item: items[next++]! }));
      }),
    );

    // A clap on the running app: its save is the one that takes the snapshot, after it answered.
    expect((await clap(target, postId, authorId)).version).toBe(CHANGESETS + 2);
    const snapshotKey = snapshotRecordKey(stream, 1);
    await eventually(async () => {
      const reply = await client.send(new GetItemCommand({ TableName: `${config.tablePrefix}aggregates`, Key: { stream: { S: snapshotKey } }, ConsistentRead: true }));
      return reply.Item?.['version']?.N === String(CHANGESETS + 2) ? true : undefined;
    }, 'the snapshot record');
    await target.close();

    target = await startTestApp(config); // a new process: nothing cached
    const loads = countLoads(target);
    const ack = await clap(target, postId, authorId, { count: 3 });
    expect(ack.version).toBe(CHANGESETS + 3);
    // The post's load: its snapshot's own changeset (read to check it), nothing after it; not 1,002.
    expect(loads.changesets).toBe(1);
    expect(await getPost(target, postId)).toMatchObject({ claps: CLAPS + 1 + 3 });
  }, 300_000);
});
