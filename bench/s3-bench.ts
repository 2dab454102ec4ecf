import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { putChangesetRequest } from '../lib/adapters/dynamodb/requests.js';
import { EventStore, type StoredEvent } from '../lib/index.js';
import { DynamoDbChangesetStorage } from '../lib/adapters/dynamodb/index.js';
import { S3BlobStore } from '../lib/adapters/s3/index.js';
import { type PayloadCompression } from '../lib/store/index.js';
import { jsonText } from '../lib/store/json-text.js';
import { compressPayload, sha256Hex } from '../lib/store/payload-codec.js';
import { newPayloadKey } from '../lib/store/payload-keys.js';
import { startLocalServices } from '../sample-app/embedded/local-services.js';
import { measured, median } from './measure.js';

const BUCKET = 'bench-large';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** About 1 MB of events JSON: 100 events of ids, numbers and text, mostly random base64 (so gzip has real work and a real ratio). */
function megabyteOfEvents(): StoredEvent[] {
  return Array.from({ length: 100 }, (_, i) => ({
    eventId: randomUUID(),
    type: 'document.section-imported',
    occurredAt: new Date().toISOString(),
    data: { section: i, title: `Section ${i} of the imported document`, lines: Array.from({ length: 80 }, (_, l) => `line ${l}: ${randomBytes(90).toString('base64')}`) },
  }));
}

interface Pair {
  readonly compression: PayloadCompression;
  readonly concurrency: number;
  /** Uploads of the stored bytes (compressed once, beforehand) plus the conditional PutItem of the pointer item, per second. */
  readonly rawPerSecond: number[];
  /** `EventStore.append` of the same events (measure, compress, hash, upload, conditional put), per second. */
  readonly savePerSecond: number[];
  readonly ratio: number;
  readonly rawCpuMs: number;
  readonly saveCpuMs: number;
  readonly storedBytes: number;
}

/**
 * `BENCH_ONLY=s3`: a 1 MB changeset saved through S3, against what it needs at the least: the raw upload of the
 * same stored bytes and the DynamoDB PutItem of the item with the pointer. Alternating rounds, one run.
 */
export async function s3Bench(durationMs: number, rounds: number): Promise<unknown> {
  const services = await startLocalServices({ buckets: [BUCKET] });
  const dynamodb = new DynamoDBClient({ endpoint: services.dynamodbEndpoint, region: 'us-east-1', credentials });
  const s3 = new S3Client({ endpoint: services.s3Endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  const storage = new DynamoDbChangesetStorage({ client: dynamodb, tablePrefix: `bench-s3-${Date.now()}-` });
  await storage.createTables();
  const events = megabyteOfEvents();
  const eventBytes = Buffer.byteLength(jsonText(events));
  const pairs: Pair[] = [];
  try {
    for (const compression of ['gzip', 'none'] as const) {
      const store = new EventStore(storage, { aggregateRecords: false, blobs: new S3BlobStore(s3, BUCKET), largeChangesets: { compression } });
      const body = await compressPayload(jsonText(events), compression);
      const sha256 = sha256Hex(body);
      const raw = async () => {
        const id = randomUUID();
        const changesetId = randomUUID();
        // The same key layout as a save's: s3rver keeps one file per key in folders, so a different depth alone would move the numbers.
        const key = newPayloadKey('', { aggregateType: 'Doc', aggregateId: id }, 1, changesetId);
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: body.byteLength }));
        const pointer = { key, size: body.byteLength, sha256, compression, eventCount: events.length };
        const record = { aggregateType: 'Doc', aggregateId: id, seq: 1, changesetId, fromVersion: 1, toVersion: events.length, committedAt: new Date().toISOString(), events: [], dependencies: [], payload: pointer };
        await dynamodb.send(new PutItemCommand(putChangesetRequest(storage.tables, record)));
      };
      const save = () => store.append({ stream: { aggregateType: 'Doc', aggregateId: randomUUID() }, expectedVersion: 0, events });
      await measured(2, Math.min(durationMs, 2000), raw);
      await measured(2, Math.min(durationMs, 2000), save);
      for (const concurrency of [1, 4]) {
        const rawRuns: Array<{ perSecond: number; cpuMsPerOp: number }> = [];
        const saveRuns: Array<{ perSecond: number; cpuMsPerOp: number }> = [];
        for (let round = 0; round < rounds; round++) {
          rawRuns.push(await measured(concurrency, durationMs, raw));
          saveRuns.push(await measured(concurrency, durationMs, save));
        }
        const pair: Pair = {
          compression,
          concurrency,
          rawPerSecond: rawRuns.map((r) => r.perSecond),
          savePerSecond: saveRuns.map((r) => r.perSecond),
          ratio: median(saveRuns.map((r) => r.perSecond)) / median(rawRuns.map((r) => r.perSecond)),
          rawCpuMs: median(rawRuns.map((r) => r.cpuMsPerOp)),
          saveCpuMs: median(saveRuns.map((r) => r.cpuMsPerOp)),
          storedBytes: body.byteLength,
        };
        console.log(JSON.stringify(pair));
        pairs.push(pair);
      }
    }
  } finally {
    dynamodb.destroy();
    s3.destroy();
    await services.stop();
  }
  const report = {
    benchmark: 'large changeset (1 MB) save through S3 vs raw S3 upload + DynamoDB PutItem',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    services: 'DynamoDB Local (in-memory) and s3rver, same machine',
    eventBytes,
    events: events.length,
    phaseMs: durationMs,
    rounds,
    pairs,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/s3.json', `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
