import type { AppendAttempt } from '../store/append-attempt.js';
import type { StoredEvent, StreamPosition } from '../store/records.js';

/** A save not yet known to have committed; `triedSeqs` (filled by the store) lets a retry find it. */
interface PendingAttempt extends AppendAttempt {
  readonly events: readonly object[];
  readonly stored: readonly StoredEvent[];
}

/**
 * What the repository knows about an aggregate instance, kept beside it (not on it) so aggregates stay
 * plain `AggregateRoot`s.
 */
const positions = new WeakMap<object, KnownPosition>();

/** A position plus its changeset's first version and commit time, to answer a save with nothing new. */
export interface KnownPosition extends StreamPosition {
  readonly fromVersion?: number;
  readonly committedAt?: string;
  /** Version of the newest snapshot known when loaded or saved (0: none); snapshot policies count from it. */
  readonly snapshotVersion?: number;
}
const attempts = new WeakMap<object, PendingAttempt>();

/** The version an aggregate instance was loaded at or last saved at (0 for a new instance). */
export function getAggregateVersion(aggregate: object): number {
  return positions.get(aggregate)?.version ?? 0;
}

export function getPosition(aggregate: object): KnownPosition | undefined {
  return positions.get(aggregate);
}

export function setPosition(aggregate: object, position: KnownPosition): void {
  positions.set(aggregate, position);
}

/**
 * The serialized form of an earlier save attempt of exactly these events, so that a retry after an
 * unknown outcome sends the same changeset id and event ids, and looks for it in the slots it tried.
 */
export function previousAttempt(aggregate: object, events: readonly object[]): PendingAttempt | undefined {
  const attempt = attempts.get(aggregate);
  if (!attempt || attempt.events.length !== events.length) return undefined;
  return attempt.events.every((event, index) => event === events[index]) ? attempt : undefined;
}

export function rememberAttempt(aggregate: object, attempt: PendingAttempt): void {
  attempts.set(aggregate, attempt);
}

export function forgetAttempt(aggregate: object): void {
  attempts.delete(aggregate);
}
