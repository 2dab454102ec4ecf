import type { ChangeNotice, ChangeSource } from '../../lib/feed/feed.port.js';
import type { DynamoModel } from './dynamo-model.js';
import type { StreamShard } from './model-stream.js';
import { GET_RECORDS_MAX } from './settings.js';

/** Which stream shards a feed shard reads (`ChangeSource.poll`'s scope once the feed is sharded). */
export interface StreamScope {
  owns(streamShardId: string): boolean;
}

type Marks = Record<string, string>;
const DONE = 'done';

/**
 * The model's stream read the way `DynamoDbStreamChangeSource` reads DynamoDB's: the checkpoint maps each
 * stream shard to the last sequence number read or `done`; shards are read parents first, one GetRecords
 * per shard per poll; a child waits until its parent is done. With a scope, only owned shards are read and
 * marked; a parent owned by another scope is that scope's to finish, so it does not hold the child back.
 */
export class ModelChangeSource implements ChangeSource {
  constructor(private readonly model: DynamoModel) {}

  async poll(checkpoint: string | undefined, limit: number, scope?: StreamScope): Promise<{ changes: ChangeNotice[]; checkpoint: string | undefined }> {
    const marks: Marks = checkpoint ? (JSON.parse(checkpoint) as Marks) : {};
    const changes: ChangeNotice[] = [];
    for (const shard of this.model.stream.shards) {
      if (changes.length >= limit) break;
      if (marks[shard.id] === DONE || (scope && !scope.owns(shard.id))) continue;
      const parent = shard.parentId;
      if (parent && (!scope || scope.owns(parent)) && marks[parent] !== DONE) continue;
      const { records, last, done } = await this.getRecords(shard, marks[shard.id], Math.min(GET_RECORDS_MAX, limit - changes.length));
      changes.push(...records);
      if (last !== undefined) marks[shard.id] = last;
      if (done) marks[shard.id] = DONE;
    }
    return { changes, checkpoint: Object.keys(marks).length ? JSON.stringify(marks) : undefined };
  }

  private getRecords(shard: StreamShard, after: string | undefined, limit: number): Promise<{ records: ChangeNotice[]; last?: string; done: boolean }> {
    const { readersPerShard } = this.model.settings;
    const slot = {
      acquire: () => shard.readers < readersPerShard && ++shard.readers > 0,
      release: () => void shard.readers--,
    };
    return this.model.send({ operation: `GetRecords changesets stream (shard ${shard.id})`, kind: 'read', accesses: [], slot }, () => {
      const now = Date.now();
      const from = after === undefined ? 0 : firstAfter(shard, after);
      const records: ChangeNotice[] = [];
      let last: string | undefined;
      let i = from;
      for (; i < shard.records.length && records.length < limit; i++) {
        const record = shard.records[i]!;
        if (record.visibleAt > now) break;
        records.push(record.notice);
        last = record.sequenceNumber;
      }
      return { records, ...(last ? { last } : {}), done: shard.closed && i === shard.records.length };
    });
  }
}

/** Index of the first record after sequence number `after` (records rise within a shard). */
function firstAfter(shard: StreamShard, after: string): number {
  let lo = 0;
  let hi = shard.records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (shard.records[mid]!.sequenceNumber <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
