import type { FeedEntry } from '../feed/feed.port.js';
import type { StoredProjectionStatus } from '../operations/projection-operations.js';
import type { StreamSummary } from '../operations/store-operations.js';
import type { ChangesetRecord } from '../store/records.js';

/** Text renderings of the CLI's results, for people; `--json` prints the results themselves. */

export function streamsText(result: { streams: StreamSummary[]; complete: boolean }): string {
  const lines = result.streams.map((s) => `${s.aggregateType} ${s.aggregateId}  v${s.version}${s.position === undefined ? '' : `  @${s.position}`}  ${s.updatedAt ?? ''}`);
  if (lines.length === 0) lines.push('(no streams)');
  if (!result.complete) lines.push('(scanned part of the aggregates table only)');
  return lines.join('\n');
}

export function streamText(type: string, id: string, records: ChangesetRecord[]): string {
  if (records.length === 0) return `${type} ${id}: no changesets`;
  const lines = [`${type} ${id}: ${records.length} changesets, version ${records.at(-1)!.toVersion}`];
  for (const r of records) {
    lines.push(`#${r.seq} v${r.fromVersion}..${r.toVersion} ${r.committedAt} ${r.changesetId}${r.payload ? ` (events in S3: ${r.payload.key})` : ''}`);
    for (const e of r.events) {
      const ids = [e.correlationId && `correlation ${e.correlationId}`, e.causationId && `causation ${e.causationId}`].filter(Boolean).join(', ');
      lines.push(`  ${e.type} ${JSON.stringify(e.data)}${ids ? ` (${ids})` : ''}${e.metadata ? ` ${JSON.stringify(e.metadata)}` : ''}`);
    }
  }
  return lines.join('\n');
}

export function feedText(tail: { head: number; entries: FeedEntry[] }): string {
  const lines = [`head ${tail.head}`];
  for (const e of tail.entries) lines.push(`${e.position} ${e.aggregateType} ${e.aggregateId} #${e.seq} v${e.toVersion} ${e.changeset?.committedAt ?? ''}`.trimEnd());
  return lines.join('\n');
}

export function statusText(statuses: StoredProjectionStatus[]): string {
  if (statuses.length === 0) return '(no projections have a checkpoint yet)';
  const lines: string[] = [];
  for (const s of statuses) {
    lines.push(`${s.name}: ${figures(s)}`);
    // With several feed shards a parked position is one shard's: list them under their shard.
    if (!s.shards) lines.push(...parkedLines(s, '  '));
    for (const shard of s.shards ?? []) lines.push(`  shard ${shard.shard}: ${figures(shard)}`, ...parkedLines(shard, '    '));
  }
  return lines.join('\n');
}

/** Position, lag, state, owner and parked count of a projection, its total over shards, or one shard. */
function figures(s: StoredProjectionStatus): string {
  const stoppedShard = s.shards?.find((shard) => shard.stoppedAt !== undefined);
  const stopped = stoppedShard ? `STOPPED (shard ${stoppedShard.shard} at ${stoppedShard.stoppedAt})` : `STOPPED at ${s.stoppedAt}`;
  const state = s.rebuilding ? 'rebuilding' : s.stoppedAt !== undefined ? stopped : 'running';
  return `position ${s.position}/${s.head} (lag ${s.lagPositions}), ${state}, owner ${s.owner ?? '(none)'}, parked ${s.parkedTotal}`;
}

function parkedLines(s: StoredProjectionStatus, indent: string): string[] {
  return s.parked.map((p) => {
    const skipped = p.skipped ? ` [skipped by ${p.skipped.by} at ${p.skipped.at}: ${p.skipped.reason}]` : '';
    return `${indent}parked ${p.position} ${p.aggregateType} ${p.aggregateId} #${p.seq} after ${p.attempts} attempts at ${p.parkedAt}: ${p.error}${skipped}`;
  });
}
