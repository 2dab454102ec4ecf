import { randomUUID } from 'node:crypto';
import type { AggregateRoot, IEvent } from '@nestjs/cqrs';
import { AggregateNotFoundError } from '../errors/aggregate-not-found.error.js';
import { InvalidCommitTokenError } from '../errors/invalid-commit-token.error.js';
import { NothingToSaveError } from '../errors/nothing-to-save.error.js';
import { attachEnvelope, type EventEnvelope, envelopeOf, type UserMetadata } from '../serialization/event-envelope.js';
import type { EventSerializer } from '../serialization/event-serializer.js';
import { decodeCommitToken, encodeCommitToken } from '../store/commit-token.js';
import type { EventStore } from '../store/event-store.js';
import type { ExpectedVersion } from '../store/expected-version.js';
import type { CommitResult, Dependency, StoredEvent, StreamKey } from '../store/records.js';
import { assertValidStream, streamName } from '../store/stream-key.js';
import type { AggregateCache } from './aggregate-cache.js';
import { type AggregateClass, aggregateIdOf } from './aggregate.decorator.js';
import {
  forgetAttempt,
  getAggregateVersion,
  getPosition,
  type KnownPosition,
  previousAttempt,
  rememberAttempt,
  setPosition,
} from './aggregate-state.js';
import { assertStoreManaged } from './publish-guard.js';
import { type AggregateStateCodec, plainDataState } from './state-codec.js';
import { currentUnitOfWork } from './unit-of-work.js';
import { traceLoad, traceSave } from '../telemetry/spans.js';

export interface SaveOptions {
  /** Override the expected version. Default: the version the aggregate was loaded at (0 when new). */
  readonly expectedVersion?: ExpectedVersion;
  /** Copied to every event of the changeset. Default: none. */
  readonly correlationId?: string;
  /** Copied to every event of the changeset. Default: none. */
  readonly causationId?: string;
  /** Commit tokens (from earlier `CommitResult.token`s) this changeset must be ordered after. Default: none. */
  readonly after?: string | readonly string[];
  /**
   * User metadata copied to every event of the changeset (user id, tenant, headers): string keys to string
   * values, counted in the changeset's size limit. Read back with `getEventMetadata(event)`. Default: none.
   */
  readonly metadata?: UserMetadata;
}

/** One event of a stream with its envelope, as `AggregateRepository.readStream` yields it. */
export type StreamEvent = EventEnvelope & { readonly event: object };

/** Publishes committed events; `@nestjs/cqrs`'s `EventBus` is one. */
export interface CommittedEventPublisher {
  publishAll(events: IEvent[]): unknown;
}

export interface RepositoryOptions {
  /** Loaded aggregates kept in process (see `AggregateCache`). Default: none (every load replays in full). */
  readonly cache?: AggregateCache;
  /** How the aggregate's state is captured for the cache. Default: `plainDataState`. */
  readonly state?: AggregateStateCodec;
}

/** Loads and saves one aggregate type. Inject it with `@InjectRepository(User)`. */
export class AggregateRepository<T extends AggregateRoot> {
  private readonly cache: AggregateCache | undefined;
  private readonly state: AggregateStateCodec;

  constructor(
    private readonly aggregateClass: AggregateClass<T>,
    readonly aggregateType: string,
    private readonly store: EventStore,
    private readonly serializer: EventSerializer,
    private readonly publisher: CommittedEventPublisher,
    options: RepositoryOptions = {},
  ) {
    this.cache = options.cache && options.cache.maxAggregates > 0 ? options.cache : undefined;
    this.state = options.state ?? plainDataState;
  }

  /** Rebuilds the aggregate from its changesets, or throws `AggregateNotFoundError`. */
  async load(id: string): Promise<T> {
    const aggregate = await this.find(id);
    if (!aggregate) throw new AggregateNotFoundError(this.aggregateType, id);
    return aggregate;
  }

  /**
   * The aggregate rebuilt from its changesets, or a new instance (`new X(id)`, version 0) when it has none:
   * for commands that create or change. Saving the new instance expects the aggregate not to exist, so two
   * commands creating one id at once cannot both commit (one gets a `ConcurrencyError`).
   */
  async loadOrCreate(id: string): Promise<T> {
    return (await this.find(id)) ?? new this.aggregateClass(id);
  }

  /**
   * Rebuilds the aggregate from its changesets, or returns `undefined` when it does not exist. With the
   * cache, a recently loaded aggregate is restored from its captured state and only the changesets after
   * it are read (the same strongly consistent read), so a long history is not replayed on every command.
   */
  find(id: string): Promise<T | undefined> {
    return traceLoad(this.aggregateType, id, () => this.replay(id));
  }

  private async replay(id: string): Promise<T | undefined> {
    const stream = this.stream(id);
    const key = streamName(stream);
    const aggregate = new this.aggregateClass(id);
    const cached = this.cache?.get(key);
    if (cached) this.state.restore(aggregate, cached.state);
    let position: KnownPosition = cached?.position ?? { version: 0, seq: 0 };
    let replayed = 0;
    for await (const changeset of this.store.readStream(stream, position.seq + 1)) {
      replayed++;
      const events = changeset.events.map((event, index) => this.serializer.deserialize(stream, event, changeset.fromVersion + index));
      aggregate.loadFromHistory(events);
      position = {
        version: changeset.toVersion,
        seq: changeset.seq,
        changesetId: changeset.changesetId,
        fromVersion: changeset.fromVersion,
        committedAt: changeset.committedAt,
      };
    }
    if (position.seq === 0) return undefined;
    // Captured right after the replay, before the caller changes anything: only event-sourced state is cached.
    if (this.cache && (replayed > 0 || !cached)) {
      const state = this.state.capture(aggregate);
      if (state !== undefined) this.cache.set(key, { state, position });
    }
    setPosition(aggregate, position);
    currentUnitOfWork()?.recordRead({ ...stream, version: position.version });
    return aggregate;
  }

  /**
   * The aggregate's events from `fromVersion` (default 1) in order, each with its envelope (version, time,
   * correlation, user metadata), read as `load` reads them (strongly consistent, every page). Empty for an
   * aggregate that does not exist. Does not touch the cache or the command's causal reads.
   */
  async *readStream(id: string, fromVersion = 1): AsyncIterable<StreamEvent> {
    const stream = this.stream(id);
    for await (const changeset of this.store.readStream(stream)) {
      for (const [index, stored] of changeset.events.entries()) {
        const version = changeset.fromVersion + index;
        if (version < fromVersion) continue;
        yield { ...envelopeOf(stream, stored, version), event: this.serializer.deserialize(stream, stored, version) };
      }
    }
  }

  /**
   * True when at least one changeset exists for the id. Inside a command it also orders the command's saves
   * after the version it found, as a load does. A cached aggregate exists without a request (streams never
   * shrink); otherwise one strongly consistent read of the stream's last changeset.
   */
  async exists(id: string): Promise<boolean> {
    const stream = this.stream(id);
    const version = this.cache?.get(streamName(stream))?.position.version ?? (await this.store.readPosition(stream)).version;
    if (version > 0) currentUnitOfWork()?.recordRead({ ...stream, version });
    return version > 0;
  }

  /** The version the instance was loaded or last saved at; 0 for a new instance. */
  versionOf(aggregate: T): number {
    return getAggregateVersion(aggregate);
  }

  /**
   * Appends the uncommitted events as one changeset (one conditional write), then publishes them on the
   * event bus. On failure nothing is published and the events stay uncommitted. Saving a loaded or saved
   * aggregate with no uncommitted events writes nothing and returns its current commit with
   * `committed: false`; a new one with no events throws `NothingToSaveError`. An aggregate that publishes
   * by itself (`autoCommit`, a class merged with `EventPublisher`) is refused with `PublishBypassesStoreError`.
   */
  save(aggregate: T, options: SaveOptions = {}): Promise<CommitResult> {
    const id = aggregateIdOf(aggregate) as string;
    return traceSave(this.aggregateType, String(id), () => this.append(aggregate, id, options));
  }

  private async append(aggregate: T, id: string, options: SaveOptions): Promise<CommitResult> {
    const stream = this.stream(id);
    assertStoreManaged(aggregate, this.aggregateType);
    const events = [...aggregate.getUncommittedEvents()];
    const position = getPosition(aggregate);
    if (events.length === 0) return this.currentCommit(stream, position);

    const attempt = previousAttempt(aggregate, events) ?? {
      events,
      changesetId: randomUUID(),
      triedSeqs: new Set<number>(),
      stored: this.serializer.serialize(stream, events, options),
    };
    rememberAttempt(aggregate, attempt);
    const unitOfWork = currentUnitOfWork();
    const result = await this.store.append({
      stream,
      expectedVersion: options.expectedVersion ?? position?.version ?? 0,
      position,
      attempt,
      events: attempt.stored,
      dependencies: dependenciesOf(stream, options, unitOfWork?.reads() ?? []),
    });
    forgetAttempt(aggregate);
    const saved = { version: result.version, seq: result.seq, changesetId: result.changesetId, fromVersion: result.fromVersion, committedAt: result.committedAt };
    if (result.committed && result.fromVersion === (position?.version ?? 0) + 1) this.cacheSaved(stream, position, attempt.stored, saved);
    setPosition(aggregate, saved);
    unitOfWork?.recordWrite(result);
    aggregate.uncommit();
    events.forEach((event, index) => attachEnvelope(event as object, envelopeOf(stream, attempt.stored[index]!, result.fromVersion + index)));
    this.publisher.publishAll(events as IEvent[]);
    return result;
  }

  /**
   * Caches the state after a save by applying the saved events, as stored (so as a replay would see them:
   * JSON, upcast), to a fresh copy of the state before it (the cached one, or a new instance): only
   * event-sourced state enters the cache, never changes the caller made outside its events. Skipped when
   * the state before is not the cached one.
   */
  private cacheSaved(stream: StreamKey, before: KnownPosition | undefined, stored: readonly StoredEvent[], after: KnownPosition): void {
    if (!this.cache) return;
    const key = streamName(stream);
    const fresh = new this.aggregateClass(stream.aggregateId);
    if (before && before.seq > 0) {
      const cached = this.cache.get(key);
      if (!cached || cached.position.seq !== before.seq) return;
      this.state.restore(fresh, cached.state);
    }
    fresh.loadFromHistory(stored.map((event, index) => this.serializer.deserialize(stream, event, after.version - stored.length + 1 + index)));
    const state = this.state.capture(fresh);
    if (state !== undefined) this.cache.set(key, { state, position: after });
  }

  private stream(id: string): StreamKey {
    assertValidStream(this.aggregateType, id);
    return { aggregateType: this.aggregateType, aggregateId: id };
  }

  /** The answer to a save with nothing new: the commit the instance was loaded or saved at. */
  private currentCommit(stream: StreamKey, position: KnownPosition | undefined): CommitResult {
    if (!position || position.version === 0) throw new NothingToSaveError(stream.aggregateType, stream.aggregateId);
    return {
      ...stream,
      version: position.version,
      fromVersion: position.fromVersion ?? position.version,
      seq: position.seq,
      changesetId: position.changesetId ?? '',
      committedAt: position.committedAt ?? '',
      token: encodeCommitToken({ ...stream, version: position.version }),
      committed: false,
    };
  }
}

function dependenciesOf(stream: StreamKey, options: SaveOptions, reads: readonly Dependency[]): Dependency[] {
  const tokens = options.after === undefined ? [] : typeof options.after === 'string' ? [options.after] : options.after;
  const explicit = tokens.map((token) => {
    const dependency = decodeCommitToken(token);
    if (!dependency) throw new InvalidCommitTokenError(token);
    return dependency;
  });
  const byStream = new Map<string, Dependency>();
  for (const dependency of [...reads, ...explicit]) {
    if (dependency.aggregateType === stream.aggregateType && dependency.aggregateId === stream.aggregateId) continue;
    const key = `${dependency.aggregateType}#${dependency.aggregateId}`;
    const known = byStream.get(key);
    if (!known || known.version < dependency.version) byStream.set(key, dependency);
  }
  return [...byStream.values()];
}
