import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { type AttributeValue, DescribeTableCommand, GetItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { HttpClient } from '../../bench/http/http-client.js';
import { runOpenLoad } from '../../bench/http/open-load.js';
import { SampleWorkload } from '../../bench/http/workload.js';
import { freePort } from '../../sample-app/embedded/local-services.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';

const SERVER = join(process.cwd(), 'dist', 'bench', 'http', 'floor-server.js');

/** The `floor` part's bare server: it must answer the workload as the sample does, or the comparison means nothing. */
describe('floor server (bench/http, floor part)', () => {
  const dynamodb = localDynamoDb();
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    }
    dynamodb.destroy();
  });

  async function start(env: Record<string, string>): Promise<{ client: HttpClient; prefix: string }> {
    const port = await freePort();
    const prefix = uniquePrefix('floor');
    const child = spawn(process.execPath, [SERVER], {
      env: {
        ...process.env,
        PORT: String(port),
        AWS_ENDPOINT_URL_DYNAMODB: process.env['TEST_DYNAMODB_ENDPOINT'],
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        EVENT_STORE_TABLE_PREFIX: prefix,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const client = new HttpClient(`http://127.0.0.1:${port}`);
    for (const deadline = Date.now() + 20_000; ; ) {
      const up = await client.send('GET', '/stats', undefined, { signal: AbortSignal.timeout(1000) }).then((a) => a.status === 200, () => false);
      if (up) return { client, prefix };
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`floor server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('serves the mix with one DynamoDB request per call, and sends the feed and view transactions for what was written', async () => {
    const { client, prefix } = await start({ BENCH_FLOOR_TRANSACTIONS: '1', BENCH_FLOOR_BATCH_MS: '50' });
    try {
      const workload = new SampleWorkload(client, { probeAfterMs: 200, lagEvery: 2, lagTimeoutMs: 5000, seed: 7 });
      await workload.seed(6, 3, 2);
      const load = await runOpenLoad(client, { rate: 80, durationMs: 1000, timeoutMs: 5000, next: () => workload.mixShot() });
      await workload.settleLagReads();
      expect(load.overall.errors).toBe(0);
      expect(load.overall.timeouts).toBe(0);
      expect(load.kinds['clap']!.count).toBeGreaterThan(0);
      expect(workload.probes.notFound).toBe(0);
      // Every changeset written (the pool's 9, then the load's writes) went through a background batch.
      const written = 9 + ['createUser', 'createPost', 'clap'].reduce((sum, kind) => sum + (load.kinds[kind]?.count ?? 0), 0);
      const table = `${prefix}floor`;
      let head = 0;
      for (const deadline = Date.now() + 5000; head < written && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const { Item } = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'control' }, sk: { N: '0' } }, ConsistentRead: true }));
        head = Number(Item?.['head']?.N ?? 0);
      }
      expect(head).toBe(written);
      const post = workload.posts[0]!;
      const { Item: view } = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: `view#${post}` }, sk: { N: '0' } }, ConsistentRead: true }));
      expect(Number(view?.['n']?.N)).toBeGreaterThanOrEqual(1);
      // Watermark-shaped records were flushed for the written aggregates, once a second.
      let mark: Record<string, AttributeValue> | undefined;
      for (const deadline = Date.now() + 3000; !mark && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
        mark = (await dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: `aggregate#${post}` }, sk: { N: '0' } }, ConsistentRead: true }))).Item;
      }
      expect(mark?.['id']?.S).toBe(post);
      // A read of an id nobody wrote is a 404, as in the sample.
      expect((await client.send('GET', '/users/nobody', undefined)).status).toBe(404);
    } finally {
      client.close();
    }
  });

  it('answers without DynamoDB when told to (the HTTP-only floor), and creates no table', async () => {
    const { client, prefix } = await start({ BENCH_FLOOR_DYNAMODB: '0' });
    try {
      const created = await client.send('POST', '/users', { name: 'a' }, { parse: true });
      expect(created.status).toBe(201);
      const id = (created.body as { id: string }).id;
      expect((await client.send('GET', `/users/${id}`, undefined)).status).toBe(200);
      expect((await client.send('GET', '/users/nobody', undefined)).status).toBe(404);
      await expect(dynamodb.send(new DescribeTableCommand({ TableName: `${prefix}floor` }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    } finally {
      client.close();
    }
  });
});
