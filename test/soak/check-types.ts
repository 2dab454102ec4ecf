import type { FeedEntry } from '../../lib/feed/index.js';
import type { ChangesetRecord } from '../../lib/store/index.js';
import type { ViewItem } from '../multi-process/tables.js';
import type { SqlApplication } from './check-sql.js';

/** One item of the history table: the recording projection applied the changeset (stream, seq). */
export interface Application {
  readonly projection: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly seq: number;
  /** How many times it was applied. */
  readonly applied: number;
  /** The feed position it was applied at (the last time). */
  readonly position: number;
}

/** A feed entry and the feed shard it was read from (absent: 0, the only shard of an unsharded feed). */
export type ShardEntry = FeedEntry & { readonly shard?: number };

/** What storage holds after the run, read without faults. */
export interface StoredState {
  readonly changesets: readonly ChangesetRecord[];
  /** Every feed entry of every stored feed batch, as stored, of every shard. */
  readonly feed: readonly ShardEntry[];
  /** The sequencer's head (with several feed shards: the sum of theirs). */
  readonly head: number;
  /** With several feed shards: each shard's head (absent: one shard, `[head]`). */
  readonly heads?: readonly number[];
  readonly applications: readonly Application[];
  /** `<prefix>views`, by key. */
  readonly views: ReadonlyMap<string, ViewItem>;
  /** Each projection's checkpoint position, by checkpoint name (`<name>`; `<name>#k` for feed shard k). */
  readonly checkpoints: Readonly<Record<string, number>>;
  /** Large changesets' objects: each pointer and whether it resolved, and what the bucket holds after the sweep. */
  readonly objects: ObjectState;
  /** The SQL recording projection's rows, and its checkpoints by name as above (in PostgreSQL). */
  readonly sql: { readonly rows: readonly SqlApplication[]; readonly checkpoints: Readonly<Record<string, number>> };
}

export interface ObjectState {
  /** Every committed pointer: its slot, key, and the problem reading it (`undefined`: it resolved, checksum and all). */
  readonly pointers: ReadonlyArray<{ readonly slot: string; readonly key: string; readonly problem?: string }>;
  /** Object keys under the store's changesets prefix after the final sweep. */
  readonly remaining: readonly string[];
  /** What the final sweep did. */
  readonly sweep: { readonly examined: number; readonly deleted: number; readonly kept: number };
}

/** One list of problems per property; every list is empty in a correct run. */
export interface Violations {
  /** Acknowledged but not stored as acknowledged, or stored but not in the feed. */
  readonly lost: string[];
  /** A changeset, event, slot, feed position or decision stored or sequenced twice. */
  readonly duplicated: string[];
  /** Stored or sequenced although never sent, or although its save reported a conflict. */
  readonly phantom: string[];
  /** An aggregate's versions are not exactly 1..N, or its seqs not 1..M. */
  readonly versions: string[];
  /** A feed position missing below the head. */
  readonly gaps: string[];
  /** An aggregate out of version order in the feed, or a dependency sequenced after its dependent. */
  readonly outOfOrder: string[];
  /** The recording projection missed, repeated or misplaced a changeset, or a projection did not reach the head. */
  readonly projections: string[];
  /** The sample's views disagree with totals recomputed from the changesets. */
  readonly views: string[];
  /** The SQL projection missed, repeated, misplaced or reordered a changeset, or its checkpoint is not at the head. */
  readonly sql: string[];
  /** A committed pointer that does not resolve (missing object, checksum), or an unreferenced object left after the sweep. */
  readonly objects: string[];
}

export type ViolationKind = keyof Violations;

export function noViolations(): Violations {
  return { lost: [], duplicated: [], phantom: [], versions: [], gaps: [], outOfOrder: [], projections: [], views: [], sql: [], objects: [] };
}

export const streamOf = (s: { readonly aggregateType: string; readonly aggregateId: string }): string => `${s.aggregateType}#${s.aggregateId}`;
export const slotOf = (s: { readonly aggregateType: string; readonly aggregateId: string; readonly seq: number }): string => `${streamOf(s)}@${s.seq}`;

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

export const shardOf = (e: { readonly shard?: number }): number => e.shard ?? 0;

/** Where an entry is, in problem lines: `feed position p`, or with several shards `feed shard k position p`. */
export function feedPlace(shard: number, position: number, sharded: boolean): string {
  return sharded ? `feed shard ${shard} position ${position}` : `feed position ${position}`;
}

/** The feed shard a checkpoint name belongs to (`<name>#k`: k; else 0). */
export function checkpointShard(name: string): number {
  const match = /#(\d+)$/.exec(name);
  return match ? Number(match[1]) : 0;
}

/** Each checkpoint (by name) against the head of its shard; `label` names the projection in the problem line. */
export function checkCheckpoints(label: (name: string) => string, checkpoints: Readonly<Record<string, number>>, heads: readonly number[], problems: string[]): void {
  for (const [name, position] of Object.entries(checkpoints)) {
    const head = heads[checkpointShard(name)] ?? 0;
    if (position !== head) problems.push(`${label(name)} is at position ${position}, the head at ${head}`);
  }
}
