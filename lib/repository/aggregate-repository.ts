import { randomUUID } from 'node:crypto';
import type { AggregateRoot, IEvent } from '@nestjs/cqrs';
import { AggregateNotFoundError } from '../errors/aggregate-not-found.error.js';
import { ConcurrencyError } from '../errors/concurrency.error.js';
import { InvalidCommitTokenError } from '../errors/invalid-commit-token.error.js';
import { NothingToSaveError } from '../errors/nothing-to-save.error.js';
import { attachEnvelope, type EventEnvelope, envelopeOf, type UserMetadata } from '../serialization/event-envelope.js';
import type { EventSerializer } from '../serialization/event-serializer.js';
import { decodeCommitToken, encodeCommitToken } from '../store/commit-token.js';
import type { EventStore } from '../store/event-store.js';
import type { ExpectedVersion } from '../store/expected-version.js';
import type { CommitResult, Dependency, StreamKey } from '../store/records.js';
import { assertValidStream, streamName } from '../store/stream-key.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import type { AggregateCache } from './aggregate-cache.js';
import { AggregateLoader } from './aggregate-loader.js';
import { type AggregateClass, aggregateIdOf } from './aggregate.decorator.js';
import { forgetAttempt, getAggregateVersion, getPosition, type KnownPosition, previousAttempt, rememberAttempt, setPosition } from './aggregate-state.js';
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

export interface LoadOptions {
  /**
   * Use the aggregate cache's copy as it is, without the strongly consistent read of the changesets committed
   * after it: a load of a cached aggregate then sends no DynamoDB request. Meant for commands that save the
   * aggregate they load. Writes stay exactly as safe: the save is the same conditional write, so a copy that
   * missed a commit (made by another node, or by a save whose reply was lost) cannot commit; the save fails
   * with `ConcurrencyError`, the copy is then doubted and the next load reads before using it, so a
   * `retryOnConflict` loop commits on current state at its second attempt. What it gives up: a command that
   * does not save (it rejects the command, or only answers from the state) may decide on a copy older than the
   * newest commit. Without the cache (`aggregateCache.maxAggregates: 0`, `@Aggregate({ cache: false })`), for
   * an aggregate not cached yet, or a doubted one, the load reads as usual. Default `false`.
   */
  readonly optimistic?: boolean;
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
  /** How the aggregate's state is captured for the cache and snapshots. Default: `plainDataState`. */
  readonly state?: AggregateStateCodec;
  /** Snapshots of this aggregate type (policy and storage). Default: none (loads start from the cache or the first changeset). */
  readonly snapshots?: Snapshotter;
}

/** Loads and saves one aggregate type. Inject it with `@InjectRepository(User)`. */
export class AggregateRepository<T extends AggregateRoot> {
  private readonly cache: AggregateCache | undefined;
  private readonly loader: AggregateLoader<T>;

  constructor(
    private readonly aggregateClass: AggregateClass<T>,
    readonly aggregateType: string,
    private readonly store: EventStore,
    private readonly serializer: EventSerializer,
    private readonly publisher: CommittedEventPublisher,
    options: RepositoryOptions = {},
  ) {
    this.cache = options.cache && options.cache.maxAggregates > 0 ? options.cache : undefined;
    this.loader = new AggregateLoader(aggregateClass, store, serializer, options.state ?? plainDataState, this.cache, options.snapshots);
  }

  /** Rebuilds the aggregate from its changesets, or throws `AggregateNotFoundError`. */
  async load(id: string, options: LoadOptions = {}): Promise<T> {
    const aggregate = await this.find(id, options);
    if (!aggregate) throw new AggregateNotFoundError(this.aggregateType, id);
    return aggregate;
  }

  /**
   * The aggregate rebuilt from its changesets, or a new instance (`new X(id)`, version 0) when it has none:
   * for commands that create or change. Saving the new instance expects the aggregate not to exist, so two
   * commands creating one id at once cannot both commit (one gets a `ConcurrencyError`).
   */
  async loadOrCreate(id: string, options: LoadOptions = {}): Promise<T> {
    return (await this.find(id, options)) ?? new this.aggregateClass(id);
  }

  /**
   * Rebuilds the aggregate from its changesets, or returns `undefined` when it does not exist. With the
   * cache, a recently loaded aggregate is restored from its captured state and only the changesets after
   * it are read (the same strongly consistent read), so a long history is not replayed on every command.
   * Without it, a class with snapshots starts from its newest snapshot and reads the changesets after it.
   */
  find(id: string, options: LoadOptions = {}): Promise<T | undefined> {
    return traceLoad(this.aggregateType, id, () => this.replay(id, options.optimistic === true));
  }

  private async replay(id: string, optimistic: boolean): Promise<T | undefined> {
    const stream = this.stream(id);
    const rebuilt = await this.loader.rebuild(stream, optimistic);
    if (!rebuilt) return undefined;
    setPosition(rebuilt.aggregate, rebuilt.position);
    currentUnitOfWork()?.recordRead({ ...stream, version: rebuilt.position.version });
    return rebuilt.aggregate;
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
    let result: CommitResult;
    const since = this.loader.now();
    try {
      result = await this.store.append({
        stream,
        expectedVersion: options.expectedVersion ?? position?.version ?? 0,
        position,
        attempt,
        events: attempt.stored,
        dependencies: dependenciesOf(stream, options, unitOfWork?.reads() ?? []),
      });
    } catch (error) {
      if (error instanceof ConcurrencyError) this.loader.conflicted(stream);
      throw error;
    }
    forgetAttempt(aggregate);
    const saved = { version: result.version, seq: result.seq, changesetId: result.changesetId, fromVersion: result.fromVersion, committedAt: result.committedAt };
    const fresh = result.committed && result.fromVersion === (position?.version ?? 0) + 1;
    setPosition(aggregate, this.loader.afterSave(stream, position, attempt.stored, saved, fresh, since));
    unitOfWork?.recordWrite(result);
    aggregate.uncommit();
    events.forEach((event, index) => attachEnvelope(event as object, envelopeOf(stream, attempt.stored[index]!, result.fromVersion + index)));
    this.publisher.publishAll(events as IEvent[]);
    return result;
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
