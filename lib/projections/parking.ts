import type { FeedItem } from '../feed/feed-reader.js';
import { MAX_PARKED_ERROR_CHARS, MAX_PARKED_KEPT, type ParkedChangeset, type ProjectionCheckpoint } from './projection.port.js';

/** The record of a changeset given up on after `attempts` tries. */
export function parkedEntry(item: FeedItem, error: unknown, attempts: number, now: number): ParkedChangeset {
  const { changeset } = item;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    position: item.position,
    aggregateType: changeset.aggregateType,
    aggregateId: changeset.aggregateId,
    seq: changeset.seq,
    fromVersion: changeset.fromVersion,
    toVersion: changeset.toVersion,
    error: message.length > MAX_PARKED_ERROR_CHARS ? `${message.slice(0, MAX_PARKED_ERROR_CHARS)}…` : message,
    attempts,
    parkedAt: new Date(now).toISOString(),
  };
}

/**
 * The parked list with `entry` added: the newest `MAX_PARKED_KEPT` are kept (the checkpoint item must stay
 * far under DynamoDB's 400 KB item limit however many changesets a `'continue'` projection parks), and
 * `parkedTotal` counts every one. The entry a stopped projection waits on is always kept.
 */
export function withParked(checkpoint: ProjectionCheckpoint, entry: ParkedChangeset): { parked: ParkedChangeset[]; parkedTotal: number } {
  const parked = [...checkpoint.parked.filter((p) => p.position !== entry.position), entry];
  const replaced = parked.length === checkpoint.parked.length;
  return { parked: parked.slice(-MAX_PARKED_KEPT), parkedTotal: (checkpoint.parkedTotal ?? checkpoint.parked.length) + (replaced ? 0 : 1) };
}

/** The parked changeset holding `version` of the stream, if it is still in the kept list. */
export function parkedCommit(parked: readonly ParkedChangeset[], commit: { aggregateType: string; aggregateId: string; version: number }): ParkedChangeset | undefined {
  return parked.find(
    (p) =>
      p.aggregateType === commit.aggregateType &&
      p.aggregateId === commit.aggregateId &&
      p.fromVersion !== undefined &&
      p.toVersion !== undefined &&
      p.fromVersion <= commit.version &&
      commit.version <= p.toVersion,
  );
}
