import type { Snapshotter } from '../snapshots/snapshotter.js';
import type { Snapshot } from '../snapshots/snapshot-store.js';
import type { EventSerializer } from '../serialization/event-serializer.js';
import type { EventStore } from '../store/event-store.js';
import type { ChangesetRecord, StoredEvent, StreamKey } from '../store/records.js';
import { streamName } from '../store/stream-key.js';
import type { AggregateCache, CachedAggregate } from './aggregate-cache.js';
import type { AggregateRoot, IEvent } from '@nestjs/cqrs';
import type { AggregateClass } from './aggregate.decorator.js';
import type { KnownPosition } from './aggregate-state.js';
import { type AggregateStateCodec, restoreCopies } from './state-codec.js';

export interface Rebuilt<T> {
  readonly aggregate: T;
  readonly position: KnownPosition;
}

/**
 * Rebuilds aggregates from the cheapest start that is certain to be right: the in-process cache, else the
 * newest snapshot, else the first changeset; then the changesets after it, always with the store's strongly
 * consistent read. After a save it derives the new state (for the cache) and takes snapshots.
 */
export class AggregateLoader<T extends AggregateRoot> {
  constructor(
    private readonly aggregateClass: AggregateClass<T>,
    private readonly store: EventStore,
    private readonly serializer: EventSerializer,
    private readonly state: AggregateStateCodec,
    private readonly cache: AggregateCache | undefined,
    private readonly snapshots: Snapshotter | undefined,
  ) {}

  /**
   * The aggregate as of its last changeset, or `undefined` when it has none. `optimistic`: a trusted cached
   * copy is used as it is, without reading the changesets after it (see `LoadOptions.optimistic`).
   */
  async rebuild(stream: StreamKey, optimistic = false): Promise<Rebuilt<T> | undefined> {
    const key = streamName(stream);
    const trusted = optimistic ? this.cache?.trusted(key) : undefined;
    if (trusted) return { aggregate: this.fromCache(stream, trusted), position: trusted.position };
    // Taken before anything is read: a doubt raised while the read is in flight outlives its reply.
    const since = this.now();
    const cached = this.cache?.get(key);
    if (cached) return this.apply(stream, this.fromCache(stream, cached), this.store.readStreamPages(stream, cached.position.seq + 1), cached.position, true, since);
    const snapshot = this.snapshots ? await this.snapshots.load(stream) : undefined;
    if (snapshot) {
      const rebuilt = await this.fromSnapshot(stream, snapshot, since);
      if (rebuilt) return rebuilt;
    }
    const aggregate = new this.aggregateClass(stream.aggregateId);
    return this.apply(stream, aggregate, this.store.readStreamPages(stream, 1), { version: 0, seq: 0, snapshotVersion: 0 }, false, since);
  }

  /** The cache's tick, to take before a read or a save is sent (see `AggregateCache.now`). */
  now(): number {
    return this.cache?.now() ?? 0;
  }

  /**
   * A fresh instance holding a cached state. A codec's `restore` may let the instance keep the very object
   * it is given, which the command then changes: unless the codec is known to copy, the entry gets a new
   * capture of the instance, taken before anyone can change it, and the handed-out object is no longer the
   * cache's. Synchronous, so no other load can take the same object in between.
   */
  private fromCache(stream: StreamKey, entry: CachedAggregate): T {
    const aggregate = new this.aggregateClass(stream.aggregateId);
    this.state.restore(aggregate, entry.state);
    if (!restoreCopies(this.state)) this.cache!.replace(streamName(stream), entry, this.state.capture(aggregate));
    return aggregate;
  }

  /**
   * Restores the snapshot and replays what follows it. The read starts at the snapshot's own changeset, to
   * check that the stream holds it (same seq, id and version): a snapshot that does not belong to this
   * history (a table restored from a backup, items edited by hand) is discarded rather than trusted.
   */
  private async fromSnapshot(stream: StreamKey, snapshot: Snapshot, since: number): Promise<Rebuilt<T> | undefined> {
    const aggregate = new this.aggregateClass(stream.aggregateId);
    try {
      this.state.restore(aggregate, snapshot.state);
    } catch (error) {
      this.snapshots!.discarded(stream, error);
      return undefined;
    }
    const start: KnownPosition = { ...positionOf(snapshot), snapshotVersion: snapshot.version };
    const pages = this.store.readStreamPages(stream, snapshot.seq)[Symbol.asyncIterator]();
    const first = await pages.next();
    const own = first.done ? undefined : first.value[0];
    if (!own || own.changesetId !== snapshot.changesetId || own.toVersion !== snapshot.version) {
      await pages.return?.();
      this.snapshots!.discarded(stream, `the stream does not hold its changeset ${snapshot.seq} (${snapshot.changesetId}, version ${snapshot.version})`);
      return undefined;
    }
    const after = (first.value as readonly ChangesetRecord[]).slice(1);
    return this.apply(stream, aggregate, prepended(after, pages), start, true, since);
  }

  /** Replays pages of changesets onto `aggregate`: one `loadFromHistory` per page, the events in order. */
  private async apply(
    stream: StreamKey,
    aggregate: T,
    pages: AsyncIterable<readonly ChangesetRecord[]>,
    start: KnownPosition,
    fromSavedState: boolean,
    since: number,
  ): Promise<Rebuilt<T> | undefined> {
    let last: ChangesetRecord | undefined;
    let replayed = 0;
    for await (const page of pages) {
      if (page.length === 0) continue;
      const events: IEvent[] = [];
      for (const changeset of page) {
        const { events: stored, fromVersion } = changeset;
        for (let index = 0; index < stored.length; index++) events.push(this.serializer.deserialize(stream, stored[index]!, fromVersion + index));
      }
      aggregate.loadFromHistory(events);
      replayed += page.length;
      last = page[page.length - 1];
    }
    const position: KnownPosition = last ? { ...positionOf({ ...last, version: last.toVersion }), snapshotVersion: start.snapshotVersion ?? 0 } : start;
    if (position.seq === 0) return undefined;
    if (replayed === 0 && fromSavedState) this.cache?.confirm(streamName(stream), position.seq, since);
    // Captured right after the replay, before the caller changes anything: only event-sourced state is cached.
    if (this.cache && (replayed > 0 || !fromSavedState)) {
      const state = this.state.capture(aggregate);
      if (state !== undefined) this.cache.set(streamName(stream), { state, position }, since);
    }
    return { aggregate, position };
  }

  /** A save of the stream met a newer commit (`ConcurrencyError`): its cached copy is read again before it is trusted. */
  conflicted(stream: StreamKey): void {
    this.cache?.doubt(streamName(stream));
  }

  /**
   * After a committed save: caches the new state and, when the policy asks, takes a snapshot in the
   * background. Returns the position the instance stands at (its `snapshotVersion` raised when a snapshot
   * was scheduled, so the policy counts from it). `fresh` is false when the changeset did not follow the
   * position the instance was at (then the state before it is unknown here).
   */
  afterSave(stream: StreamKey, before: KnownPosition | undefined, stored: readonly StoredEvent[], after: KnownPosition, fresh: boolean, since: number): KnownPosition {
    const saved = fresh ? this.aggregateAfter(stream, before, stored) : undefined;
    const state = saved && this.state.capture(saved);
    const snapshotVersion = before?.snapshotVersion ?? 0;
    let position: KnownPosition = { ...after, snapshotVersion };
    const context = {
      ...stream,
      version: after.version,
      seq: after.seq,
      events: stored.length,
      eventsSinceSnapshot: after.version - snapshotVersion,
      snapshotVersion,
    };
    if (this.snapshots?.wants(context)) {
      // Written on a later turn: by then the cache may have handed its object to a command, so the snapshot
      // keeps a copy of its own unless the codec's `restore` copies.
      const own = state === undefined || restoreCopies(this.state) ? state : this.state.capture(saved!);
      const capture = own !== undefined ? async () => this.snapshotOf(stream, own, position) : () => this.captureLatest(stream);
      if (this.snapshots.schedule(stream, capture)) position = { ...position, snapshotVersion: after.version };
    }
    if (state !== undefined) this.cache?.set(streamName(stream), { state, position }, since);
    return position;
  }

  /**
   * The aggregate after a save, made by applying the saved events, as stored (so as a replay would see them:
   * JSON, upcast), to a fresh copy of the state before it (the cached one, or a new instance): never
   * changes the caller made outside its events. `undefined` when neither the cache nor snapshots need it,
   * or the state before is not the cached one.
   */
  private aggregateAfter(stream: StreamKey, before: KnownPosition | undefined, stored: readonly StoredEvent[]): T | undefined {
    if (!this.cache) return undefined;
    let aggregate = new this.aggregateClass(stream.aggregateId);
    if (before && before.seq > 0) {
      const cached = this.cache.get(streamName(stream));
      if (!cached || cached.position.seq !== before.seq) return undefined;
      aggregate = this.fromCache(stream, cached);
    }
    aggregate.loadFromHistory(stored.map((event, index) => this.serializer.deserialize(stream, event, (before?.version ?? 0) + 1 + index)));
    return aggregate;
  }

  /** Without a state derived from the save (no cache): rebuild the latest state, off the save path. */
  private async captureLatest(stream: StreamKey): Promise<Snapshot | undefined> {
    const rebuilt = await this.rebuild(stream);
    if (!rebuilt) return undefined;
    const state = this.state.capture(rebuilt.aggregate);
    return state === undefined ? (this.snapshots!.notCaptured(stream), undefined) : this.snapshotOf(stream, state, rebuilt.position);
  }

  private snapshotOf(stream: StreamKey, state: unknown, position: KnownPosition): Snapshot {
    return {
      ...stream,
      schemaVersion: this.snapshots!.policy.schemaVersion,
      version: position.version,
      seq: position.seq,
      changesetId: position.changesetId ?? '',
      fromVersion: position.fromVersion ?? position.version,
      committedAt: position.committedAt ?? '',
      state,
    };
  }
}

/** `head`, then what is left of `rest`. */
async function* prepended<T>(head: T, rest: AsyncIterator<T>): AsyncIterable<T> {
  let finished = false;
  try {
    yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
    finished = true;
  } finally {
    if (!finished) await rest.return?.(); // the caller stopped early: let the source close too
  }
}

function positionOf(at: { version: number; seq: number; changesetId: string; fromVersion: number; committedAt: string }): KnownPosition {
  return { version: at.version, seq: at.seq, changesetId: at.changesetId, fromVersion: at.fromVersion, committedAt: at.committedAt };
}
