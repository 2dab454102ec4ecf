import type { FeedBatch, FeedEntry, FeedStorage } from '../../lib/feed/feed.port.js';
import type { ChangesetRecord } from '../../lib/store/records.js';
import { streamName } from '../../lib/store/stream-key.js';
import { checkFeedHistory } from '../../lib/testing/feed-history.js';

/** What a trial leaves to check, read back from the model's stored data. */
export interface TrialHistory {
  /** Every changeset a save acknowledged, by changeset id. */
  readonly acked: ReadonlySet<string>;
  /** Every changeset the storage holds, by changeset id. */
  readonly written: ReadonlyMap<string, ChangesetRecord>;
  /** Each feed shard's entries (shard k at index k). */
  readonly feeds: readonly (readonly FeedEntry[])[];
  /** The counting projection's committed checkpoint moves. */
  readonly projectionCommits: readonly { readonly shard: number; readonly from: number; readonly to: number }[];
  /** How many times its handlers saw each changeset. */
  readonly handled: ReadonlyMap<string, number>;
  /**
   * The run drained: the feed and the projection took in everything acknowledged. When not (an overloaded
   * trial cut short), what is still missing is a backlog, not a loss: only the safety checks apply, and
   * the projection is checked up to its checkpoint.
   */
  readonly complete: boolean;
}

/**
 * Checks a trial's history. The feed, with the library's own `checkFeedHistory` (as a consumer applies it,
 * `after` references included): every acknowledged changeset in exactly one shard once, each after its
 * aggregate's previous one and after its dependencies. Beside it: each shard's positions dense, nothing in
 * the feed that is not stored, no aggregate with a later changeset sequenced before an earlier one, and the
 * counting projection's checkpoint moves covering each position exactly once. One line per violation.
 */
export async function checkHistory(h: TrialHistory): Promise<string[]> {
  const v: string[] = [];
  const sequenced = new Set<string>();
  h.feeds.forEach((entries, shard) =>
    entries.forEach((entry, i) => {
      if (entry.position !== i + 1) v.push(`shard ${shard}: entry ${i + 1} holds position ${entry.position}`);
      sequenced.add(`${streamName(entry)}@${entry.seq}`);
      const record = h.written.get(entry.changesetId);
      if (!record || streamName(record) !== streamName(entry) || record.seq !== entry.seq) v.push(`shard ${shard} position ${entry.position}: ${entry.changesetId} is not stored as ${streamName(entry)}@${entry.seq}`);
    }),
  );
  for (const key of sequenced) {
    const at = key.lastIndexOf('@');
    const seq = Number(key.slice(at + 1));
    if (seq > 1 && !sequenced.has(`${key.slice(0, at)}@${seq - 1}`)) v.push(`${key} is sequenced but seq ${seq - 1} is not`);
  }
  const acknowledged = [...h.acked].flatMap((id) => {
    const record = h.written.get(id);
    return record && (h.complete || sequenced.has(`${streamName(record)}@${record.seq}`)) ? [record] : [];
  });
  const unstored = [...h.acked].filter((id) => !h.written.has(id)).length;
  if (unstored > 0) v.push(`${unstored} acknowledged changesets are not stored`);
  try {
    const report = await checkFeedHistory(servedFeed(h.feeds), h.feeds.length, acknowledged);
    v.push(...report.examples.slice(0, report.violations));
    for (let n = report.examples.length; n < report.violations; n++) v.push('(one more feed history violation)');
  } catch (error) {
    v.push(String(error));
  }
  checkProjection(h, v);
  return v;
}

/** The projection's checkpoint moves cover each shard's positions once each, and its handlers saw them. */
function checkProjection(h: TrialHistory, v: string[]): void {
  const applied = new Map<string, number>();
  const reached = new Map<number, number>();
  for (const { shard, from, to } of h.projectionCommits) {
    reached.set(shard, Math.max(reached.get(shard) ?? 0, to));
    const entries = h.feeds[shard] ?? [];
    for (let p = from + 1; p <= to; p++) {
      const entry = entries[p - 1];
      if (!entry) v.push(`projection committed shard ${shard} position ${p}, which the feed does not hold`);
      else applied.set(entry.changesetId, (applied.get(entry.changesetId) ?? 0) + 1);
    }
  }
  h.feeds.forEach((entries, shard) => {
    for (const entry of entries) {
      if (!h.complete && entry.position > (reached.get(shard) ?? 0)) break;
      const n = applied.get(entry.changesetId) ?? 0;
      if (n !== 1) v.push(`projection applied shard ${shard} position ${entry.position} ${n} times`);
      else if (!h.handled.get(entry.changesetId)) v.push(`projection committed shard ${shard} position ${entry.position} without handling it`);
    }
  });
}

/** The entries as a feed `checkFeedHistory` can read (its `readFeed` alone). */
function servedFeed(feeds: readonly (readonly FeedEntry[])[]): FeedStorage {
  const readFeed = async (from: number, max: number, shard = 0): Promise<FeedBatch[]> => {
    const entries = (feeds[shard] ?? []).slice(Math.max(0, from - 1), Math.max(0, from - 1) + max);
    return entries.length === 0 ? [] : [{ first: entries[0]!.position, last: entries.at(-1)!.position, entries }];
  };
  return { readFeed } as unknown as FeedStorage;
}
