import { type ChangeNotice, type ChangeSource, hashOwner, type PollScope } from '../../lib/feed/feed.port.js';
import { DONE, publishedMarks, rewindMarks, type StreamMarks as Marks } from '../../lib/adapters/dynamodb/stream-marks.js';
import type { DynamoModel } from './dynamo-model.js';
import type { StreamShard } from './model-stream.js';
import { GET_RECORDS_MAX } from './settings.js';


/**
 * The model's stream read the way `DynamoDbStreamChangeSource` reads DynamoDB's: the checkpoint maps each
 * stream shard to the last sequence number read or `done`; shards are read parents first, one GetRecords per
 * shard per poll, and a child waits until its parent is done, whoever read the parent. With a scope (several
 * feed shards), a feed shard reads only the stream shards it owns (a hash of the id), starting a shard it has
 * no mark for where the other feed shards' published marks left it.
 */
export class ModelChangeSource implements ChangeSource {
  constructor(private readonly model: DynamoModel) {}

  async poll(checkpoint: string | undefined, limit: number, scope?: PollScope): Promise<{ changes: ChangeNotice[]; checkpoint: string | undefined }> {
    const marks: Marks = checkpoint ? (JSON.parse(checkpoint) as Marks) : {};
    const owned = (id: string) => !scope || scope.shards <= 1 || this.ownerOf(id, scope.shards) === scope.shard;
    const foreignMarks = publishedMarks(scope);
    const changes: ChangeNotice[] = [];
    for (const shard of this.model.stream.shards) {
      if (changes.length >= limit) break;
      if (!owned(shard.id)) continue;
      if (marks[shard.id] === undefined && scope && scope.shards > 1) {
        const handed = await foreignMarks();
        if (handed === undefined) continue; // the feed shard that read it before has not handed it over yet
        if (handed[shard.id] !== undefined) marks[shard.id] = handed[shard.id]!;
      }
      if (marks[shard.id] === DONE) continue;
      const parent = shard.parentId;
      if (parent && marks[parent] !== DONE && (owned(parent) || (await foreignMarks())?.[parent] !== DONE)) continue;
      const { records, last, done } = await this.getRecords(shard, marks[shard.id], Math.min(GET_RECORDS_MAX, limit - changes.length));
      changes.push(...records);
      if (last !== undefined) marks[shard.id] = last;
      if (done) marks[shard.id] = DONE;
    }
    return { changes, checkpoint: Object.keys(marks).length ? JSON.stringify(marks) : undefined };
  }

  rewind(frontier: string | undefined, pending: readonly ChangeNotice[]): string | undefined {
    return rewindMarks(frontier, pending);
  }

  ownerOf(id: string, shards: number): number {
    return hashOwner(id, shards);
  }

  private getRecords(shard: StreamShard, after: string | undefined, limit: number): Promise<{ records: ChangeNotice[]; last?: string; done: boolean }> {
    const { readersPerShard } = this.model.settings;
    const slot = {
      acquire: () => shard.readers < readersPerShard && ++shard.readers > 0,
      release: () => void shard.readers--,
    };
    return this.model.send({ operation: `GetRecords changesets stream (shard ${shard.id})`, kind: 'read', accesses: [], slot }, () => {
      const now = Date.now();
      const records: ChangeNotice[] = [];
      let last: string | undefined;
      let i = after === undefined ? 0 : firstAfter(shard, after);
      for (; i < shard.records.length && records.length < limit; i++) {
        const record = shard.records[i]!;
        if (record.visibleAt > now) break;
        records.push({ ...record.notice, at: { shard: shard.id, before: last ?? after } });
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
