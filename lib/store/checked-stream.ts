import { MalformedItemError } from '../errors/malformed-item.error.js';
import type { ChangesetRecord, StreamKey } from './records.js';
import { streamName } from './stream-key.js';

/**
 * Checks a stream's changesets, in order, for what no single item can show: seqs are dense from `fromSeq`,
 * and each changeset's versions continue the one before (from 1 on a full read). The store only ever writes
 * such streams, so a break means items were edited, deleted or copied in by hand; loading on would rebuild
 * an aggregate at versions that do not match its history, and the next save would build on them.
 */
class StreamCheck {
  private seq: number;
  private version: number | undefined;

  constructor(
    private readonly stream: StreamKey,
    fromSeq: number,
  ) {
    this.seq = fromSeq;
    this.version = fromSeq === 1 ? 1 : undefined;
  }

  /** Takes the next changeset; `MalformedItemError` when it does not continue the stream. */
  next(record: ChangesetRecord): void {
    const fail = (reason: string): never => {
      throw new MalformedItemError('changesets', `"${streamName(this.stream)}"/${record.seq}`, reason);
    };
    if (record.seq !== this.seq) fail(`changeset ${this.seq} is missing (the next stored is ${record.seq})`);
    if (this.version !== undefined && record.fromVersion !== this.version) {
      fail(`it starts at version ${record.fromVersion}, but the stream is at ${this.version - 1} before it`);
    }
    this.seq = record.seq + 1;
    this.version = record.toVersion + 1;
  }
}

/** Passes a stream's pages of changesets through, each checked whole before it is handed on (see `StreamCheck`). */
export async function* checkedPages(stream: StreamKey, fromSeq: number, source: AsyncIterable<readonly ChangesetRecord[]>): AsyncIterable<readonly ChangesetRecord[]> {
  const check = new StreamCheck(stream, fromSeq);
  for await (const page of source) {
    for (const record of page) check.next(record);
    yield page;
  }
}

/** One item at a time out of pages. */
export async function* flattenPages<T>(pages: AsyncIterable<readonly T[]>): AsyncIterable<T> {
  for await (const page of pages) yield* page;
}

/** Pages of one item, for a source that yields items. */
export async function* singlePages<T>(items: AsyncIterable<T>): AsyncIterable<readonly T[]> {
  for await (const item of items) yield [item];
}
