import { MalformedItemError } from '../errors/malformed-item.error.js';
import type { ChangesetRecord, StreamKey } from './records.js';
import { streamName } from './stream-key.js';

/**
 * Passes a stream's changesets through, checking what no single item can show: seqs are dense from `fromSeq`,
 * and each changeset's versions continue the one before (from 1 on a full read). The store only ever writes
 * such streams, so a break means items were edited, deleted or copied in by hand; loading on would rebuild
 * an aggregate at versions that do not match its history, and the next save would build on them.
 */
export async function* checkedStream(stream: StreamKey, fromSeq: number, source: AsyncIterable<ChangesetRecord>): AsyncIterable<ChangesetRecord> {
  let seq = fromSeq;
  let version = fromSeq === 1 ? 1 : undefined;
  for await (const record of source) {
    const fail = (reason: string): never => {
      throw new MalformedItemError('changesets', `"${streamName(stream)}"/${record.seq}`, reason);
    };
    if (record.seq !== seq) fail(`changeset ${seq} is missing (the next stored is ${record.seq})`);
    if (version !== undefined && record.fromVersion !== version) {
      fail(`it starts at version ${record.fromVersion}, but the stream is at ${version - 1} before it`);
    }
    seq = record.seq + 1;
    version = record.toVersion + 1;
    yield record;
  }
}
