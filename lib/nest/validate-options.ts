import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';
import type { EventStoreModuleOptions } from './event-store-options.js';
import { assertKnownKeys } from './option-keys.js';
import { DEFAULT_ORPHAN_GRACE_MS, DEFAULT_UPLOAD_DEADLINE_MS } from '../store/changeset-payloads.js';
import { MAX_CHANGESET_PAYLOAD_BYTES } from '../store/limits.js';

const TABLE_NAME = /^[a-zA-Z0-9_.-]*$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const CLIENT_AND_CONFIG = 'is used only to build a client, and a client is given; pass one of them';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hasSend(value: unknown): boolean {
  return isObject(value) && typeof value['send'] === 'function';
}

/** Throws `InvalidEventStoreOptionsError` naming the first bad option: a wrong value, an unknown key, or options that contradict each other. */
export function validateOptions(options: unknown): asserts options is EventStoreModuleOptions {
  const fail = (option: string, reason: string): never => {
    throw new InvalidEventStoreOptionsError(option, reason);
  };
  if (!isObject(options)) fail('(root)', 'options must be an object');
  const o = options as Record<string, unknown>;
  assertKnownKeys('(root)', o);
  if (o['inMemory'] !== undefined && typeof o['inMemory'] !== 'boolean') fail('inMemory', 'must be a boolean');
  if (o['events'] !== undefined) {
    if (!Array.isArray(o['events'])) fail('events', 'must be an array of event classes');
    (o['events'] as unknown[]).forEach((event, index) => {
      if (typeof event !== 'function') fail(`events[${index}]`, `must be a class, got ${String(event)} (a circular import?)`);
    });
  }
  const flush = o['aggregateRecordFlushMs'];
  if (flush !== undefined && (typeof flush !== 'number' || !Number.isFinite(flush) || flush < 0)) {
    fail('aggregateRecordFlushMs', 'must be a number >= 0');
  }
  const cache = o['aggregateCache'];
  if (cache !== undefined) {
    if (!isObject(cache)) fail('aggregateCache', 'must be an object');
    assertKnownKeys('aggregateCache', cache as Record<string, unknown>);
    const max = (cache as Record<string, unknown>)['maxAggregates'];
    if (max !== undefined && (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0)) fail('aggregateCache.maxAggregates', 'must be an integer >= 0');
  }
  const feed = o['feed'];
  if (feed !== undefined) {
    if (!isObject(feed)) fail('feed', 'must be an object');
    const f = feed as Record<string, unknown>;
    assertKnownKeys('feed', f);
    if (f['enabled'] !== undefined && typeof f['enabled'] !== 'boolean') fail('feed.enabled', 'must be a boolean');
    if (f['nodeId'] !== undefined && (typeof f['nodeId'] !== 'string' || f['nodeId'] === '')) fail('feed.nodeId', 'must be a non-empty string');
    for (const key of ['leaseTtlMs', 'idleMs', 'maxIdleMs']) {
      const value = f[key];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) fail(`feed.${key}`, 'must be a number > 0');
    }
    const shards = f['shards'];
    if (shards !== undefined && (typeof shards !== 'number' || !Number.isSafeInteger(shards) || shards < 1 || shards > 256)) fail('feed.shards', 'must be an integer from 1 to 256');
    const recent = f['recentBatchesMaxBytes'];
    if (recent !== undefined && (typeof recent !== 'number' || !Number.isSafeInteger(recent) || recent < 0)) fail('feed.recentBatchesMaxBytes', 'must be an integer >= 0');
  }
  if (o['s3'] !== undefined && isObject(o['s3'])) validateLargeChangesets(o['s3'], fail);
  if (o['inMemory'] === true) {
    if (o['dynamodb'] !== undefined) fail('dynamodb', 'cannot be combined with inMemory: true (the in-memory store would ignore it); remove one of them');
    // Objects stay in memory: of `s3`, only the large-changeset settings apply, so a client is a contradiction.
    const s3 = isObject(o['s3']) ? (o['s3'] as Record<string, unknown>) : {};
    for (const key of ['client', 'clientConfig', 'createBucket']) {
      if (s3[key] !== undefined) fail(`s3.${key}`, 'cannot be combined with inMemory: true (objects stay in memory; only the large-changeset settings of s3 apply); remove one of them');
    }
    return;
  }

  const dynamodb = o['dynamodb'];
  if (dynamodb === undefined) fail('dynamodb', 'is required unless inMemory is true');
  if (!isObject(dynamodb)) fail('dynamodb', 'must be an object');
  const d = dynamodb as Record<string, unknown>;
  assertKnownKeys('dynamodb', d);
  if (d['client'] !== undefined && !hasSend(d['client'])) fail('dynamodb.client', 'must be a DynamoDBClient');
  if (d['clientConfig'] !== undefined && !isObject(d['clientConfig'])) fail('dynamodb.clientConfig', 'must be an object');
  if (d['client'] !== undefined && d['clientConfig'] !== undefined) fail('dynamodb.clientConfig', CLIENT_AND_CONFIG);
  const prefix = d['tablePrefix'];
  if (prefix !== undefined) {
    if (typeof prefix !== 'string' || !TABLE_NAME.test(prefix)) {
      fail('dynamodb.tablePrefix', 'may hold only letters, digits, "_", "-" and "."');
    }
    if ((prefix as string).length > 200) fail('dynamodb.tablePrefix', 'must be at most 200 characters');
  }
  if (d['streamsClient'] !== undefined && !hasSend(d['streamsClient'])) fail('dynamodb.streamsClient', 'must be a DynamoDBStreamsClient');
  if (d['createTables'] !== undefined && typeof d['createTables'] !== 'boolean') fail('dynamodb.createTables', 'must be a boolean');
  if (d['embedded'] !== undefined && d['embedded'] !== false) validateEmbedded(d, fail);

  const s3 = o['s3'];
  if (s3 === undefined) return;
  if (!isObject(s3)) fail('s3', 'must be an object');
  const s = s3 as Record<string, unknown>;
  assertKnownKeys('s3', s);
  if (s['client'] !== undefined && !hasSend(s['client'])) fail('s3.client', 'must be an S3Client');
  if (s['clientConfig'] !== undefined && !isObject(s['clientConfig'])) fail('s3.clientConfig', 'must be an object');
  if (s['client'] !== undefined && s['clientConfig'] !== undefined) fail('s3.clientConfig', CLIENT_AND_CONFIG);
  if (typeof s['bucket'] !== 'string' || !BUCKET_NAME.test(s['bucket'])) {
    fail('s3.bucket', 'must be a bucket name: 3-63 lowercase letters, digits, "." or "-"');
  }
  if (s['createBucket'] !== undefined && typeof s['createBucket'] !== 'boolean') fail('s3.createBucket', 'must be a boolean');
}

/** `dynamodb.embedded` owns the client, its endpoint and the tables: an option that says otherwise contradicts it. */
function validateEmbedded(d: Record<string, unknown>, fail: (option: string, reason: string) => never): void {
  const embedded = d['embedded'];
  if (embedded !== true) {
    if (!isObject(embedded)) fail('dynamodb.embedded', 'must be a boolean or an object');
    const e = embedded as Record<string, unknown>;
    assertKnownKeys('dynamodb.embedded', e);
    const dataDir = e['dataDir'];
    if (dataDir !== undefined && dataDir !== false && (typeof dataDir !== 'string' || dataDir === '')) fail('dynamodb.embedded.dataDir', 'must be a folder (a non-empty string) or false (in memory)');
    const port = e['port'];
    if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) fail('dynamodb.embedded.port', 'must be an integer from 1 to 65535');
    const jvm = e['jvmOptions'];
    if (jvm !== undefined && (!Array.isArray(jvm) || jvm.some((flag) => typeof flag !== 'string'))) fail('dynamodb.embedded.jvmOptions', 'must be an array of strings');
    const timeout = e['startTimeoutMs'];
    if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) fail('dynamodb.embedded.startTimeoutMs', 'must be a number > 0');
    if (e['allowInProduction'] !== undefined && typeof e['allowInProduction'] !== 'boolean') fail('dynamodb.embedded.allowInProduction', 'must be a boolean');
  }
  const contradiction = (what: string) => `cannot be combined with dynamodb.embedded (${what}); remove one of them`;
  if (d['client'] !== undefined) fail('dynamodb.client', contradiction('the module builds the client that reaches its DynamoDB Local'));
  if (d['streamsClient'] !== undefined) fail('dynamodb.streamsClient', contradiction('the stream is read from the DynamoDB Local it starts'));
  const config = d['clientConfig'];
  if (isObject(config) && config['endpoint'] !== undefined) fail('dynamodb.clientConfig.endpoint', contradiction('the endpoint is the DynamoDB Local it starts'));
  if (d['createTables'] === false) fail('dynamodb.createTables', contradiction('a new DynamoDB Local has no tables, so it always creates them'));
}

function validateLargeChangesets(s: Record<string, unknown>, fail: (option: string, reason: string) => never): void {
  const threshold = s['largeChangesetBytes'];
  if (threshold !== undefined && (typeof threshold !== 'number' || !Number.isSafeInteger(threshold) || threshold < 1 || threshold > MAX_CHANGESET_PAYLOAD_BYTES)) {
    fail('s3.largeChangesetBytes', `must be an integer from 1 to ${MAX_CHANGESET_PAYLOAD_BYTES}`);
  }
  if (s['compression'] !== undefined && !['gzip', 'brotli', 'none'].includes(s['compression'] as string)) {
    fail('s3.compression', "must be 'gzip', 'brotli' or 'none'");
  }
  const keyPrefix = s['keyPrefix'];
  if (keyPrefix !== undefined && (typeof keyPrefix !== 'string' || keyPrefix.length > 200 || /[\u0000-\u001f\u007f]/.test(keyPrefix))) {
    fail('s3.keyPrefix', 'must be a string of at most 200 characters without control characters');
  }
  for (const key of ['orphanGraceMs', 'uploadDeadlineMs']) {
    const value = s[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) fail(`s3.${key}`, 'must be a number > 0');
  }
  const grace = (s['orphanGraceMs'] as number | undefined) ?? DEFAULT_ORPHAN_GRACE_MS;
  const deadline = (s['uploadDeadlineMs'] as number | undefined) ?? DEFAULT_UPLOAD_DEADLINE_MS;
  if (deadline >= grace) fail('s3.uploadDeadlineMs', `must be below s3.orphanGraceMs (${grace}); the difference is the sweep's safety margin`);
}
