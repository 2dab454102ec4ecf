// The `floor` part's stand-in for the sample app: the same routes and answers the workload needs, served by a
// plain Node `http` handler, each request making only the DynamoDB request the sample's request path makes (a
// conditional `PutItem` of a ~500-byte item per write, one `GetItem` per read), with the raw SDK client the
// library builds (`cacheMiddleware: true`). No Nest, no event store, no feed, no projections, nothing in the
// background. It reads the same environment as the sample (`PORT`, `AWS_*`, `EVENT_STORE_TABLE_PREFIX`), and:
// - `BENCH_FLOOR_DYNAMODB=0`: answers without DynamoDB at all (what HTTP alone costs on this machine);
// - `BENCH_FLOOR_TRANSACTIONS=1`: adds, with no library code, the transactions the sample's feed and projections
//   send at this load. Every `BENCH_FLOOR_BATCH_MS` (the feed's 300 ms plus its own time), when anything was
//   written: a 2-item transaction (a feed item carrying ~300 bytes per changeset, and a control item), then one
//   updating the view items the sample's projections would (a new user's or post's; per clap the post's and the
//   clapper's; at most 98) and two checkpoints. Once a second: watermark-shaped updates of every aggregate written
//   since, 25 per transaction. It leaves out the stream polling and all of the library's CPU: what DynamoDB
//   Local's transactions alone add to the request path. `BENCH_FLOOR_MARKS=0` leaves the watermarks out;
// - `BENCH_FLOOR_ALS=1`: runs each request in an `AsyncLocalStorage` context, as the library's unit of work does
//   for every command (on Node 20 that turns on V8's promise hooks for the whole process).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { answer } from './json-answer.js';

const port = Number(process.env['PORT'] ?? 3000);
const withDynamoDb = process.env['BENCH_FLOOR_DYNAMODB'] !== '0';
const table = `${process.env['EVENT_STORE_TABLE_PREFIX'] ?? 'floor-'}floor`;
const client = new DynamoDBClient({ cacheMiddleware: true });
/** About what the sample's changeset item weighs for one small event. */
const PAYLOAD = 'x'.repeat(400);
const known = new Set<string>();
const context = process.env['BENCH_FLOOR_ALS'] === '1' ? new AsyncLocalStorage<object>() : undefined;
const transactions = withDynamoDb && process.env['BENCH_FLOOR_TRANSACTIONS'] === '1';
const batchMs = Number(process.env['BENCH_FLOOR_BATCH_MS'] ?? 330);
const withMarks = process.env['BENCH_FLOOR_MARKS'] !== '0';
/** View items to update in the next background batch, aggregates whose watermark is owed, changesets since the last batch. */
const dirtyViews = new Set<string>();
const dirtyMarks = new Set<string>();
let marksFlushedAt = performance.now();
let changesets = 0;
let position = 0;

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

/** One conditional put, like a save's changeset write; `views` are the view items the projections will update for it. */
async function put(pk: string, aggregate: string, views: readonly string[]): Promise<void> {
  if (withDynamoDb) {
    await client.send(new PutItemCommand({
      TableName: table,
      Item: { pk: { S: pk }, sk: { N: '1' }, type: { S: 'Event' }, at: { S: new Date().toISOString() }, data: { S: PAYLOAD } },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  }
  // Only the modes that need it keep track: the plain floor does nothing but its request.
  if (!withDynamoDb) known.add(pk);
  if (transactions) {
    for (const view of views) dirtyViews.add(view);
    dirtyMarks.add(aggregate);
    changesets++;
  }
}

const names = (...list: string[]) => Object.fromEntries(list.map((name) => [`#${name}`, name]));

/** One feed batch's commit, then one projection commit for it, as the sample's background work sends them. */
async function backgroundBatch(): Promise<void> {
  if (changesets) {
    const entries = changesets;
    const views = [...dirtyViews].slice(0, 98);
    dirtyViews.clear();
    changesets = 0;
    const first = position + 1;
    position += entries;
    await client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: { S: 'feed' }, sk: { N: String(first) }, entries: { S: PAYLOAD.slice(0, 300).repeat(entries) } }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Update: { TableName: table, Key: { pk: { S: 'control' }, sk: { N: '0' } }, UpdateExpression: 'SET #head = :h', ExpressionAttributeNames: names('head'), ExpressionAttributeValues: { ':h': { N: String(position) } } } },
      ],
    }));
    const items: TransactWriteItem[] = views.map((id) => ({
      Update: { TableName: table, Key: { pk: { S: `view#${id}` }, sk: { N: '0' } }, UpdateExpression: 'ADD #n :one SET #at = :p', ExpressionAttributeNames: names('n', 'at'), ExpressionAttributeValues: { ':one': { N: '1' }, ':p': { N: String(position) } } },
    }));
    for (const name of ['users', 'posts']) {
      items.push({ Update: { TableName: table, Key: { pk: { S: `checkpoint#${name}` }, sk: { N: '0' } }, UpdateExpression: 'SET #p = :p', ExpressionAttributeNames: names('p'), ExpressionAttributeValues: { ':p': { N: String(position) } } } });
    }
    await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
  }
  if (withMarks && performance.now() - marksFlushedAt >= 1000) await flushMarks();
}

/**
 * Once a second, every aggregate written since, in transactions of 25 one after another: an update of its
 * record shaped like the library's watermark (ten attributes, a monotonic condition).
 */
async function flushMarks(): Promise<void> {
  marksFlushedAt = performance.now();
  const marks = [...dirtyMarks];
  dirtyMarks.clear();
  const now = new Date().toISOString();
  for (let i = 0; i < marks.length; i += 25) {
    await client.send(new TransactWriteItemsCommand({
      TransactItems: marks.slice(i, i + 25).map((id) => ({
        Update: {
          TableName: table,
          Key: { pk: { S: `aggregate#${id}` }, sk: { N: '0' } },
          UpdateExpression: 'SET #type = :type, #id = :id, #version = :v, #lastSeq = :v, #last = :last, #updated = :u, #created = if_not_exists(#created, :u), #sSeq = :v, #sVersion = :v, #position = :p',
          ConditionExpression: 'attribute_not_exists(#sSeq) OR #sSeq < :v',
          ExpressionAttributeNames: names('type', 'id', 'version', 'lastSeq', 'last', 'updated', 'created', 'sSeq', 'sVersion', 'position'),
          ExpressionAttributeValues: { ':type': { S: 'Post' }, ':id': { S: id }, ':v': { N: String(position) }, ':last': { S: randomUUID() }, ':u': { S: now }, ':p': { N: String(position) } },
        },
      })),
    }));
  }
}

/**
 * Back to back like the sequencer: the next batch `batchMs` after the previous one ended. A failed batch ends the
 * process: a floor that silently stopped its background work would measure less than it claims.
 */
function scheduleBackground(): void {
  const fail = (error: unknown) => {
    console.error('background batch failed:', error);
    process.exit(1);
  };
  setTimeout(() => void backgroundBatch().then(scheduleBackground, fail), batchMs).unref();
}

/** One read of one item, like a view read. */
async function exists(pk: string): Promise<boolean> {
  if (!withDynamoDb) return known.has(pk);
  const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { N: '1' } } }));
  return Item !== undefined;
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  const parts = path.split('/').filter(Boolean);
  if (req.method === 'GET' && path === '/stats') return answer(res, 200, { projections: {} });
  if (req.method === 'GET' && parts.length === 2 && (parts[0] === 'users' || parts[0] === 'posts')) {
    return (await exists(parts[1]!)) ? answer(res, 200, { id: parts[1] }) : answer(res, 404, { statusCode: 404, message: 'Not found' });
  }
  if (req.method === 'POST' && (path === '/users' || path === '/posts')) {
    await readBody(req);
    const id = randomUUID();
    await put(id, id, [id]);
    return answer(res, 201, { id, version: 1, token: id });
  }
  if (req.method === 'POST' && parts.length === 3 && parts[0] === 'posts' && parts[2] === 'claps') {
    // The post view counts the clap on the post, the user view on the user who clapped.
    const { userId } = (await readBody(req)) as { userId?: string };
    await put(`${parts[1]}#${randomUUID()}`, parts[1]!, [parts[1]!, `user:${userId}`]);
    return answer(res, 201, { id: parts[1] });
  }
  answer(res, 404, { statusCode: 404, message: 'Not found' });
}

async function main(): Promise<void> {
  if (withDynamoDb) {
    await client.send(new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  }
  const handle = (req: IncomingMessage, res: ServerResponse) => void route(req, res).catch(() => answer(res, 500, { statusCode: 500, message: 'Internal server error' }));
  const server = createServer(context ? (req, res) => context.run({}, handle, req, res) : handle);
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1');
  if (transactions) scheduleBackground();
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
