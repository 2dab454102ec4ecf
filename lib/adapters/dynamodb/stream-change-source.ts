import { type AttributeValue, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';
import { type ChangeNotice, type ChangeSource, hashOwner, type PollScope } from '../../feed/feed.port.js';
import { parseStreamName } from '../../store/stream-key.js';
import { parseChangesetItem } from './item-parsers.js';
import { CHANGESET_ATTR as C } from './table-layout.js';
import { call } from './storage-call.js';
import { DONE, publishedMarks, rewindMarks, type StreamMarks } from './stream-marks.js';

/** Per shard: the last sequence number handled, or `done` once a closed shard is read to its end. */
type Checkpoint = StreamMarks;

/**
 * Finds new changesets in the changesets table's DynamoDB stream (NEW_IMAGE, so no read is needed). Shards are read parents
 * first; the checkpoint (one sequence number per shard) is stored by the sequencer with each batch.
 * Delivery order across shards does not matter: the sequencer orders by reading the table itself.
 */
export class DynamoDbStreamChangeSource implements ChangeSource {
  private streamArn: string | undefined;
  private shards: Shard[] = [];
  private shardsReadAt = 0;
  private readonly iterators = new Map<string, { after: string | undefined; iterator: string }>();

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly streams: DynamoDBStreamsClient,
    private readonly table: string,
    private readonly shardRefreshMs = 5000,
  ) {}

  async poll(
    checkpoint: string | undefined,
    limit: number,
    scope?: PollScope,
  ): Promise<{ changes: ChangeNotice[]; checkpoint: string | undefined; gap?: boolean }> {
    const marks: Checkpoint = checkpoint ? (JSON.parse(checkpoint) as Checkpoint) : {};
    const owned = (id: string): boolean => !scope || scope.shards <= 1 || this.ownerOf(id, scope.shards) === scope.shard;
    let shards = await this.listShards();
    // A checkpoint written by another node may name shards our cached listing does not know yet.
    if (Object.keys(marks).some((id) => marks[id] !== DONE && !shards.some((s) => s.ShardId === id))) {
      this.shardsReadAt = 0;
      shards = await this.listShards();
    }
    const known = new Set(shards.map((s) => s.ShardId));
    const changes: ChangeNotice[] = [];
    let gap = false;
    // A shard we had not finished that left the stream took records we never read with it. Marks of shards
    // another feed shard reads now are kept as they were (that shard took them over), until they leave too.
    for (const id of Object.keys(marks)) {
      if (!known.has(id) && marks[id] !== DONE && owned(id)) gap = true;
      if (!known.has(id)) delete marks[id];
    }
    // Marks other feed shards published, read once per poll and only when a shard needs them.
    const foreignMarks = publishedMarks(scope);
    for (const shard of shards) {
      const id = shard.ShardId!;
      if (!owned(id)) continue;
      if (marks[id] === undefined && scope && scope.shards > 1) {
        const handed = await foreignMarks();
        if (handed === undefined) continue; // the feed shard that read it before has not handed it over yet
        if (handed[id] !== undefined) marks[id] = handed[id];
      }
      if (marks[id] === DONE) continue;
      const parent = shard.ParentShardId;
      // A child is read only once its parent is finished (or has aged out of the stream), whoever read the parent.
      if (parent && known.has(parent) && marks[parent] !== DONE && (owned(parent) || (await foreignMarks())?.[parent] !== DONE)) continue;
      const read = await this.read(id, marks[id], Math.min(1000, limit - changes.length));
      if (read === 'trimmed') {
        gap = true;
        delete marks[id];
        continue;
      }
      const { records, next, last } = read;
      for (const record of records) changes.push(record);
      if (last !== undefined) marks[id] = last;
      if (next === undefined) {
        marks[id] = DONE;
        this.shardsReadAt = 0; // a closed shard means children may have appeared
      }
      if (changes.length >= limit) break;
    }
    const serialized = Object.keys(marks).length ? JSON.stringify(marks) : undefined;
    return { changes, checkpoint: serialized, ...(gap ? { gap } : {}) };
  }

  rewind(frontier: string | undefined, pending: readonly ChangeNotice[]): string | undefined {
    return rewindMarks(frontier, pending);
  }

  ownerOf(id: string, shards: number): number {
    return hashOwner(id, shards);
  }

  private async read(
    shardId: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ records: ChangeNotice[]; next: string | undefined; last: string | undefined } | 'trimmed'> {
    for (let attempt = 0; ; attempt++) {
      let iterator: string;
      try {
        iterator = await this.iterator(shardId, after);
      } catch (error) {
        if (error instanceof StorageUnavailableError && error.cause instanceof TrimmedDataAccessException) return 'trimmed';
        throw error;
      }
      try {
        const result = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.max(1, limit) }));
        const records: ChangeNotice[] = [];
        let last: string | undefined;
        for (const record of result.Records ?? []) {
          const before = last ?? after;
          last = record.dynamodb?.SequenceNumber ?? last;
          if (record.eventName !== 'INSERT') continue;
          const key = parseStreamName(record.dynamodb?.Keys?.[C.stream]?.S ?? '');
          const seq = Number(record.dynamodb?.Keys?.[C.seq]?.N);
          if (!key || !Number.isSafeInteger(seq)) continue;
          const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
          const at = { shard: shardId, before };
          records.push(image ? { ...key, seq, record: parseChangesetItem(this.table, image), at } : { ...key, seq, at });
        }
        if (result.NextShardIterator) this.iterators.set(shardId, { after: last ?? after, iterator: result.NextShardIterator });
        else this.iterators.delete(shardId);
        return { records, next: result.NextShardIterator, last };
      } catch (error) {
        this.iterators.delete(shardId);
        if (error instanceof ExpiredIteratorException && attempt === 0) continue;
        // Nothing read from this shard yet: a fresh TRIM_HORIZON iterator reads all it still holds, skipping
        // nothing. DynamoDB Local refuses, as trimmed, an iterator taken while the shard was empty once the
        // shard's first record arrives (docs/feed.md, "A brand-new store"); AWS lets no iterator live that long.
        if (error instanceof TrimmedDataAccessException && after === undefined && attempt === 0) continue;
        if (error instanceof TrimmedDataAccessException) return 'trimmed';
        throw new StorageUnavailableError(`GetRecords ${this.table} stream (shard ${shardId})`, error);
      }
    }
  }

  private async iterator(shardId: string, after: string | undefined): Promise<string> {
    const cached = this.iterators.get(shardId);
    if (cached && cached.after === after) return cached.iterator;
    const result = await call(`GetShardIterator ${this.table} stream (shard ${shardId})`, () =>
      this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn!,
          ShardId: shardId,
          ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      ),
    );
    return result.ShardIterator!;
  }

  private async listShards(): Promise<Shard[]> {
    if (Date.now() - this.shardsReadAt < this.shardRefreshMs && this.shards.length > 0) return this.shards;
    if (!this.streamArn) {
      const table = await call(`DescribeTable ${this.table}`, () => this.dynamodb.send(new DescribeTableCommand({ TableName: this.table })));
      this.streamArn = table.Table?.LatestStreamArn;
      if (!this.streamArn) throw new StorageUnavailableError(`DescribeTable ${this.table}`, new Error(`table ${this.table} has no stream enabled (the feed reads it; createTables: true turns it on)`));
    }
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const page = await call(`DescribeStream ${this.table} stream`, () =>
        this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn!, ...(start ? { ExclusiveStartShardId: start } : {}) })),
      );
      shards.push(...(page.StreamDescription?.Shards ?? []));
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    this.shards = orderParentsFirst(shards);
    this.shardsReadAt = Date.now();
    return this.shards;
  }

}

function orderParentsFirst(shards: Shard[]): Shard[] {
  const byId = new Map(shards.map((s) => [s.ShardId!, s]));
  const depth = (shard: Shard): number => {
    let d = 0;
    for (let p = shard.ParentShardId; p && byId.has(p); p = byId.get(p)!.ParentShardId) d++;
    return d;
  };
  return [...shards].sort((a, b) => depth(a) - depth(b));
}
