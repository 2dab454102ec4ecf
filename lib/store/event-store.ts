import { ConcurrencyError } from '../errors/concurrency.error.js';
import { type AppendAttempt, AppendAttempts } from './append-attempt.js';
import { InvalidExpectedVersionError } from '../errors/invalid-expected-version.error.js';
import { checkedPages, flattenPages, singlePages } from './checked-stream.js';
import { AggregateRecordWriter, type AggregateRecordWriterOptions } from './aggregate-record-writer.js';
import { encodeCommitToken } from './commit-token.js';
import { type ExpectedVersion, isExpectedVersion } from './expected-version.js';
import type { BlobStore } from './blob-store.port.js';
import { ChangesetPayloads, type LargeChangesetOptions } from './changeset-payloads.js';
import { putLargeChangeset } from './large-put.js';
import { type SweepOptions, type SweepResult, sweepOrphans } from './orphan-sweep.js';
import type {
  AggregateRecord,
  ChangesetRecord,
  CommitResult,
  Dependency,
  StoredEvent,
  StreamKey,
  StreamPosition,
} from './records.js';
import type { ChangesetStorage, PutOutcome } from './storage.port.js';
import { assertValidStream } from './stream-key.js';
import { changesetHoldingVersion } from './version-holder.js';

export interface AppendRequest {
  readonly stream: StreamKey;
  readonly expectedVersion: ExpectedVersion;
  /** Where the writer last saw the stream; lets an exact expected version skip the tail read. */
  readonly position?: StreamPosition;
  /**
   * The changeset's id; pass the same one again to retry after an unknown outcome (a timeout, a lost reply).
   * Such a retry returns the original commit instead of committing twice or reporting a false conflict:
   * - on the same `EventStore`, in every expected-version mode: the store keeps the slots its attempts of this id
   *   were sent to (the 10,000 newest ids not yet committed) and looks there first, as with `attempt`;
   * - on another store or process, only with an exact expected version (or `'no-stream'`): the changeset can
   *   then be in one place only, the one holding version `expectedVersion + 1`, which the store reads on a
   *   conflict. With `'stream-exists'` or `'any'` it could be anywhere past the tail it saw, so a retry from
   *   elsewhere must pass `attempt` (its `triedSeqs` say where to look).
   * Default: `attempt.changesetId`, else a new UUID.
   */
  readonly changesetId?: string;
  /**
   * The record of earlier attempts of this changeset, to pass again on a retry after an unknown outcome
   * (a timeout, a lost response): the store then finds the original commit wherever it landed. Takes
   * precedence over `changesetId`. Default: none (a first attempt).
   */
  readonly attempt?: AppendAttempt;
  readonly events: readonly StoredEvent[];
  readonly dependencies?: readonly Dependency[];
}

export interface EventStoreOptions {
  /** How aggregate records are kept: by this store after each commit (default), or `false` when the feed's sequencer keeps them. */
  readonly aggregateRecords?: AggregateRecordWriterOptions | false;
  /** Called after every commit (the feed uses it to wake the sequencer). */
  readonly onCommit?: (result: CommitResult) => void;
  /** Clock for `committedAt`, upload deadlines and the sweep's ages; tests inject one. Default: `() => new Date()`. */
  readonly now?: () => Date;
  /** Object storage for changesets too large for an item. Default: none (they are refused with `ChangesetTooLargeError`). */
  readonly blobs?: BlobStore;
  /** When and how changesets go to `blobs`. Default: the defaults of `LargeChangesetOptions`. */
  readonly largeChangesets?: LargeChangesetOptions;
}

/** How many times an `'any'` append re-reads the tail after losing a race before it reports a conflict. */
const ANY_VERSION_ATTEMPTS = 10;

/**
 * The event store port. It owns the concurrency rules; adapters only store items.
 * The commit point of `append` is one conditional write of the changeset item.
 */
export class EventStore {
  private readonly records: AggregateRecordWriter | undefined;
  private readonly now: () => Date;
  private readonly onCommit: ((result: CommitResult) => void) | undefined;
  /** Attempts of appends given only a `changesetId`, until they commit. */
  private readonly attempts = new AppendAttempts();
  /** Writes and resolves the objects of large changesets (the feed reader resolves with it too). */
  readonly payloads: ChangesetPayloads;

  constructor(
    readonly storage: ChangesetStorage,
    options: EventStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.records = options.aggregateRecords === false ? undefined : new AggregateRecordWriter(storage, options.aggregateRecords);
    this.onCommit = options.onCommit;
    this.payloads = new ChangesetPayloads(options.blobs, options.largeChangesets);
  }

  async append(request: AppendRequest): Promise<CommitResult> {
    const { stream, events } = request;
    assertValidStream(stream.aggregateType, stream.aggregateId);
    if (events.length === 0) throw new TypeError('append() needs at least one event');
    // Checked here, not only in the types: a string or null from untyped callers would otherwise append as 'any'.
    if (!isExpectedVersion(request.expectedVersion)) {
      throw new InvalidExpectedVersionError(stream.aggregateType, stream.aggregateId, request.expectedVersion);
    }
    const dependencies = request.dependencies ?? [];
    assertValidDependencies(dependencies);
    const offload = this.payloads.mustOffload(stream, events, dependencies);
    // Given only an id, the store keeps the attempt itself, so a retry with that id finds the slots it tried.
    const attempt = request.attempt ?? this.attempts.forId(request.changesetId);
    const result = await this.appendAttempt(request, attempt, offload, dependencies);
    this.attempts.settled(attempt.changesetId);
    return result;
  }

  private async appendAttempt(
    request: AppendRequest,
    attempt: AppendAttempt,
    offload: boolean,
    dependencies: readonly Dependency[],
  ): Promise<CommitResult> {
    const { stream, events } = request;
    const { changesetId } = attempt;
    // Retry path only: a first attempt has tried no slot and pays no read here.
    const earlier = await this.findEarlierCommit(stream, attempt);
    if (earlier) return this.committed(earlier);
    // An id the caller chose may name a changeset that another store or process committed: no slots known.
    const foreignId = request.attempt === undefined && request.changesetId !== undefined;
    const rounds = request.expectedVersion === 'any' ? ANY_VERSION_ATTEMPTS : 1;
    for (let round = 1; ; round++) {
      const slot = await this.resolveSlot(request, changesetId, foreignId);
      if ('committed' in slot) return this.committed(slot.committed);
      const record: ChangesetRecord = {
        ...stream,
        seq: slot.seq,
        changesetId,
        fromVersion: slot.version + 1,
        toVersion: slot.version + events.length,
        committedAt: this.now().toISOString(),
        events,
        dependencies,
      };
      const { outcome, stored } = offload
        ? await putLargeChangeset(this.storage, this.payloads, record, attempt, () => this.now().getTime())
        : await this.putInline(record, attempt);
      if (outcome.written) return this.committed(stored);
      // A retried request whose first try committed finds its own changeset in the slot.
      if (outcome.existing.changesetId === changesetId) return this.committed(outcome.existing);
      if (round >= rounds) {
        const actual = await this.storage.readLastChangeset(stream);
        throw new ConcurrencyError(stream.aggregateType, stream.aggregateId, request.expectedVersion, actual?.toVersion ?? 0);
      }
    }
  }

  /** Changesets of a stream from `fromSeq` (default 1), in version order, strongly consistent, with their events. */
  readStream(stream: StreamKey, fromSeq = 1): AsyncIterable<ChangesetRecord> {
    return flattenPages(this.readStreamPages(stream, fromSeq));
  }

  /** `readStream` a page at a time (as the storage reads them): what loads replay from. */
  readStreamPages(stream: StreamKey, fromSeq = 1): AsyncIterable<readonly ChangesetRecord[]> {
    assertValidStream(stream.aggregateType, stream.aggregateId);
    const pages = this.storage.readChangesetPages?.(stream, fromSeq) ?? singlePages(this.storage.readChangesets(stream, fromSeq));
    return this.resolved(checkedPages(stream, fromSeq, pages));
  }

  /**
   * Deletes objects of large changesets that no changeset references: those of a slot another changeset
   * holds at once, those of an empty slot once older than `olderThanMs` (default `orphanGraceMs`, 1 h), as
   * an empty slot's object may belong to a save in flight. Safe to run on several nodes at once.
   */
  sweepOrphans(options: SweepOptions = {}): Promise<SweepResult> {
    return sweepOrphans(this.storage, this.payloads, { ...options, now: () => this.now().getTime() });
  }

  /** Current position of a stream (version 0, seq 0 when it does not exist). */
  async readPosition(stream: StreamKey): Promise<StreamPosition> {
    assertValidStream(stream.aggregateType, stream.aggregateId);
    const last = await this.storage.readLastChangeset(stream);
    return last ? { version: last.toVersion, seq: last.seq, changesetId: last.changesetId } : { version: 0, seq: 0 };
  }

  /** The derived aggregate record; it may trail the changesets by the flush interval. */
  readAggregateRecord(stream: StreamKey): Promise<AggregateRecord | undefined> {
    assertValidStream(stream.aggregateType, stream.aggregateId);
    return this.storage.readAggregateRecord(stream);
  }

  /** Writes every pending aggregate record now. */
  async flush(): Promise<void> {
    await this.records?.flush();
  }

  /** Flushes aggregate records and closes the adapter. */
  async close(): Promise<void> {
    await this.records?.close();
    await this.storage.close();
  }

  /**
   * Finds the changeset of an earlier attempt among the slots its puts were sent to. This is exact:
   * - a changeset can only land in a slot where a put of it was sent, so it is in `triedSeqs` or nowhere;
   * - a slot taken by another changeset never takes ours later (slots are written once);
   * - if the last tried slot is still empty, no changeset exists past it (seqs are dense and only grow),
   *   so the normal slot resolution targets that same slot again: a delayed original put and this retry
   *   race on one slot, and whichever loses reads our own changeset id there.
   */
  private async findEarlierCommit(stream: StreamKey, attempt: AppendAttempt): Promise<ChangesetRecord | undefined> {
    if (attempt.triedSeqs.size === 0) return undefined;
    const keys = [...attempt.triedSeqs].map((seq) => ({ ...stream, seq }));
    const found = await this.storage.getChangesets(keys);
    return found.find((record) => record.changesetId === attempt.changesetId);
  }

  private async putInline(record: ChangesetRecord, attempt: AppendAttempt): Promise<{ outcome: PutOutcome; stored: ChangesetRecord }> {
    // Recorded before the put: if its reply is lost, a retry must know this slot may hold the changeset.
    attempt.triedSeqs.add(record.seq);
    return { outcome: await this.storage.putChangeset(record), stored: record };
  }

  /** Pages with the events of large changesets read from their objects. */
  private async *resolved(source: AsyncIterable<readonly ChangesetRecord[]>): AsyncIterable<readonly ChangesetRecord[]> {
    for await (const page of source) yield page.some((record) => record.payload) ? await this.payloads.resolveAll(page) : page;
  }

  /** Reports a commit of this append: made now, or by an earlier attempt whose outcome was unknown. */
  private committed(record: ChangesetRecord): CommitResult {
    this.records?.enqueue(toAggregateRecord(record));
    const result = this.toResult(record);
    this.onCommit?.(result);
    return result;
  }

  private async resolveSlot(
    request: AppendRequest,
    changesetId: string,
    foreignId: boolean,
  ): Promise<{ seq: number; version: number } | { committed: ChangesetRecord }> {
    const { expectedVersion: expected, position, stream } = request;
    if (expected === 'no-stream' || expected === 0) return { seq: 1, version: 0 };
    if (typeof expected === 'number' && position && position.version === expected && position.seq > 0) {
      return { seq: position.seq + 1, version: expected };
    }
    const last = await this.storage.readLastChangeset(stream);
    if (last?.changesetId === changesetId) return { committed: last };
    const actual = last?.toVersion ?? 0;
    if (last && foreignId && typeof expected === 'number' && expected < actual) {
      // An exact expected version puts the changeset in one place only: a retry finds it there, or conflicts.
      const holder = await changesetHoldingVersion(this.storage, stream, expected + 1, last);
      if (holder?.changesetId === changesetId) return { committed: holder };
    }
    if ((typeof expected === 'number' && expected !== actual) || (expected === 'stream-exists' && !last)) {
      throw new ConcurrencyError(stream.aggregateType, stream.aggregateId, expected, actual);
    }
    return { seq: (last?.seq ?? 0) + 1, version: actual };
  }

  private toResult(record: ChangesetRecord): CommitResult {
    return {
      aggregateType: record.aggregateType,
      aggregateId: record.aggregateId,
      version: record.toVersion,
      fromVersion: record.fromVersion,
      seq: record.seq,
      changesetId: record.changesetId,
      committedAt: record.committedAt,
      token: encodeCommitToken({ aggregateType: record.aggregateType, aggregateId: record.aggregateId, version: record.toVersion }),
      committed: true,
    };
  }
}

/**
 * Dependencies end up in the changeset item and in feed entries, so their streams follow the same key rule as
 * the changeset's own (a forged one could otherwise carry an id no save would accept).
 */
function assertValidDependencies(dependencies: readonly Dependency[]): void {
  for (const dependency of dependencies) {
    assertValidStream(dependency.aggregateType, dependency.aggregateId);
    if (!Number.isSafeInteger(dependency.version) || dependency.version < 1) {
      throw new RangeError(`a dependency's version must be a positive integer, got ${dependency.version}`);
    }
  }
}

function toAggregateRecord(record: ChangesetRecord): AggregateRecord {
  return {
    aggregateType: record.aggregateType,
    aggregateId: record.aggregateId,
    version: record.toVersion,
    lastSeq: record.seq,
    lastChangesetId: record.changesetId,
    updatedAt: record.committedAt,
  };
}
