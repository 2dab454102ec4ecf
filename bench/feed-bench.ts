import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import { putChangesetRequest } from '../lib/adapters/dynamodb/requests.js';
import { DynamoDbChangesetStorage } from '../lib/adapters/dynamodb/index.js';
import { Counter } from './bench-domain.js';
import { benchNode, createTable } from './bench-node.js';
import { median, percentile, throughput } from './measure.js';

const round2 = (v: number) => Math.round(v * 100) / 100;

/** A raw conditional put of the same item a 1-event save writes, into a twin table (same keys, stream on). */
function rawPut(client: DynamoDBClient, twinPrefix: string) {
  const tables = new DynamoDbChangesetStorage({ client, tablePrefix: twinPrefix }).tables;
  return () => {
    const id = randomUUID();
    const at = new Date().toISOString();
    const request = putChangesetRequest(tables, {
      aggregateType: 'Counter',
      aggregateId: id,
      seq: 1,
      changesetId: randomUUID(),
      fromVersion: 1,
      toVersion: 1,
      committedAt: at,
      events: [{ eventId: randomUUID(), type: 'counter.incremented', data: { counterId: id, by: 1, note: 'benchmark payload of a typical small domain event' }, occurredAt: at }],
      dependencies: [],
    });
    return client.send(new PutItemCommand(request));
  };
}

export async function feedBench(client: DynamoDBClient, streams: DynamoDBStreamsClientConfig, phaseMs: number, rounds: number, warmupMs: number) {
  const prefix = `feedbench-${Date.now()}-`;
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: prefix });
  await storage.createTables();
  const twin = new DynamoDbChangesetStorage({ client, tablePrefix: `${prefix}raw-` });
  await twin.createTables();
  await createTable(client, `${prefix}views`);
  const node = benchNode(client, streams, storage, `${prefix}views`);
  const put = rawPut(client, `${prefix}raw-`);
  // DynamoDB Local finds a stream's oldest record on every write by walking all streams' records in
  // sequence-number order until one of its own (no index on the stream id). A stream whose first record
  // comes after thousands of another stream's pays that walk on each put. Give both tables their first
  // record now, side by side, so neither side of the comparison pays for the other's history.
  const first = new Counter(randomUUID());
  first.increment(1);
  await Promise.all([put(), node.counters.save(first)]);
  await throughput(16, Math.min(warmupMs, 10_000), put);
  // The same raw put before the feed starts: what the feed costs DynamoDB while it idles or works.
  const rawBeforeFeed = Math.round(await throughput(16, phaseMs, put));
  console.log(JSON.stringify({ rawBeforeFeed }));
  node.manager.start();
  // DynamoDB Local's JIT needs tens of seconds of every request kind (puts, transactions, stream reads,
  // queries) before its rates settle: run the measured workload, both halves, until then.
  const warmOwned = Array.from({ length: 16 }, () => new Counter(randomUUID()));
  for (const end = performance.now() + warmupMs; performance.now() < end; ) {
    await throughput(16, 2000, put);
    await throughput(16, 2000, (w) => {
      warmOwned[w]!.increment(1);
      return node.counters.save(warmOwned[w]!);
    });
  }
  await until(async () => (await node.manager.status('counters')).lagPositions === 0, 120_000);

  // 1. Saves with the feed and the projection running, against the raw put, alternating, 16 in flight.
  const results: Record<string, unknown>[] = [];
  for (const concurrency of [1, 16]) {
    const raw: number[] = [];
    const saves: number[] = [];
    for (let r = 0; r < rounds; r++) {
      raw.push(await throughput(concurrency, phaseMs, put));
      const owned = Array.from({ length: concurrency }, () => new Counter(randomUUID()));
      saves.push(
        await throughput(concurrency, phaseMs, (w) => {
          owned[w]!.increment(1);
          return node.counters.save(owned[w]!);
        }),
      );
    }
    results.push({ concurrency, rawPutPerSecond: raw.map(Math.round), savePerSecondWithFeed: saves.map(Math.round), ratio: round2(median(saves) / median(raw)) });
    console.log(JSON.stringify(results.at(-1)));
  }
  await until(async () => (await node.manager.status('counters')).lagPositions === 0, 120_000);

  // 2. Feed lag (commit acknowledged -> visible in the feed) while saving at half the raw ceiling.
  const ceiling = median(((results[1] as { rawPutPerSecond: number[] }).rawPutPerSecond));
  const lag = await measureLag(node, Math.round(ceiling / 2), Math.max(phaseMs, 5000));
  console.log(JSON.stringify({ lag }));

  // 3. Catch-up: rebuild the projection from position 0 and time it to the head.
  const head = await node.reader.head();
  const started = performance.now();
  await node.manager.rebuild('counters');
  await until(async () => (await node.manager.status('counters')).position >= head, 300_000);
  const catchUp = { events: head, seconds: round2((performance.now() - started) / 1000), eventsPerSecond: Math.round(head / ((performance.now() - started) / 1000)) };
  console.log(JSON.stringify({ catchUp }));
  await node.manager.stop();

  // 4. Failover: the owner dies without releasing its leases; how long until another node applies a new commit?
  const failover = await measureFailover(client, streams, storage, `${prefix}views`);
  console.log(JSON.stringify({ failover }));
  return { rawPutPerSecondBeforeFeedStarted: rawBeforeFeed, saveWithFeedVsRawPut: results, feedLag: lag, projectionCatchUp: catchUp, failover };
}

async function measureLag(node: ReturnType<typeof benchNode>, perSecond: number, durationMs: number) {
  const committedAt = new Map<string, number>();
  const lags: number[] = [];
  let stop = false;
  let next = (await node.reader.head()) + 1;
  const tail = (async () => {
    while (!stop || committedAt.size > 0) {
      const items = await node.reader.read(next, 1000);
      const now = performance.now();
      for (const item of items) {
        const at = committedAt.get(item.changeset.changesetId);
        if (at !== undefined) {
          lags.push(now - at);
          committedAt.delete(item.changeset.changesetId);
        }
        next = item.position + 1;
      }
      if (items.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const workers = 16;
  const interval = (1000 * workers) / perSecond;
  const end = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const counter = new Counter(randomUUID());
      while (performance.now() < end) {
        const started = performance.now();
        counter.increment(1);
        const result = await node.counters.save(counter);
        committedAt.set(result.changesetId, performance.now());
        const wait = interval - (performance.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }),
  );
  stop = true;
  await tail;
  return { targetSavesPerSecond: perSecond, samples: lags.length, p50Ms: round2(percentile(lags, 50)), p99Ms: round2(percentile(lags, 99)), maxMs: round2(Math.max(...lags)) };
}

async function measureFailover(client: DynamoDBClient, streams: DynamoDBStreamsClientConfig, storage: DynamoDbChangesetStorage, views: string) {
  const leaseTtlMs = 2000;
  const a = benchNode(client, streams, storage, views, leaseTtlMs);
  a.manager.start();
  const warm = new Counter(randomUUID());
  warm.increment(1);
  await a.manager.waitFor('counters', (await a.counters.save(warm)).token, 30_000);
  const b = benchNode(client, streams, storage, views, leaseTtlMs);
  b.manager.start();
  await a.manager.stopWithoutRelease(); // a crash: leases stay until they expire
  const killedAt = performance.now();
  const probe = new Counter(randomUUID());
  probe.increment(1);
  const result = await b.counters.save(probe);
  await b.manager.waitFor('counters', result.token, 30_000);
  const seconds = round2((performance.now() - killedAt) / 1000);
  await b.manager.stop();
  return { leaseTtlMs, secondsFromCrashToNewCommitProjected: seconds };
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('bench: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
