import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { feedEntries } from '../../lib/feed/feed-reader.js';
import { checkFeedHistory } from '../../lib/testing/feed-history.js';
import { streamName } from '../../lib/store/stream-key.js';
import { tableNames } from '../../lib/adapters/dynamodb/index.js';
import { type ChangesetRecord } from '../../lib/store/index.js';

/** One line per aggregate whose changesets do not hold exactly versions 1..N (seq 1..M), in order. */
export function versionProblems(changesets: readonly ChangesetRecord[]): string[] {
  const byStream = new Map<string, ChangesetRecord[]>();
  for (const changeset of changesets) byStream.set(streamName(changeset), [...(byStream.get(streamName(changeset)) ?? []), changeset]);
  const problems: string[] = [];
  for (const [stream, list] of byStream) {
    list.sort((a, b) => a.seq - b.seq);
    let version = 0;
    list.forEach((changeset, index) => {
      const ok = changeset.seq === index + 1 && changeset.fromVersion === version + 1 && changeset.toVersion === changeset.fromVersion + changeset.events.length - 1;
      if (!ok) problems.push(`${stream}: changeset seq ${changeset.seq} holds versions ${changeset.fromVersion}..${changeset.toVersion} after version ${version}`);
      version = changeset.toVersion;
    });
  }
  return problems;
}

/**
 * Reads the whole feed (positions 1..head) and checks it against the changesets: positions dense from 1,
 * every changeset exactly once, each aggregate's changesets in seq order, and every recorded dependency
 * (an aggregate version the command loaded) at an earlier position.
 */
export async function feedProblems(client: DynamoDBClient, prefix: string, changesets: readonly ChangesetRecord[]): Promise<string[]> {
  const feed = new DynamoDbFeedStorage(client, tableNames(prefix));
  const { head } = await feed.readSequencerState();
  const problems: string[] = [];
  const positionOf = new Map<string, number>();
  let expected = 1;
  for await (const entries of feedEntries(feed, 1, head)) {
    for (const entry of entries) {
      if (entry.position !== expected) problems.push(`feed position ${expected} is missing (next is ${entry.position})`);
      expected = entry.position + 1;
      const key = `${streamName(entry)}@${entry.seq}`;
      if (positionOf.has(key)) problems.push(`${key} is in the feed twice (${positionOf.get(key)} and ${entry.position})`);
      positionOf.set(key, entry.position);
    }
  }
  if (expected !== head + 1) problems.push(`the feed ends at ${expected - 1}, its head says ${head}`);
  const versionAt = new Map<string, Array<{ version: number; position: number }>>();
  for (const changeset of changesets) {
    const position = positionOf.get(`${streamName(changeset)}@${changeset.seq}`);
    if (position === undefined) {
      problems.push(`${streamName(changeset)}@${changeset.seq} is committed but not in the feed`);
      continue;
    }
    const previous = positionOf.get(`${streamName(changeset)}@${changeset.seq - 1}`);
    if (changeset.seq > 1 && previous !== undefined && previous > position) problems.push(`${streamName(changeset)}@${changeset.seq} at ${position} comes before seq ${changeset.seq - 1} at ${previous}`);
    const marks = versionAt.get(streamName(changeset)) ?? [];
    marks.push({ version: changeset.toVersion, position });
    versionAt.set(streamName(changeset), marks);
  }
  if (positionOf.size !== changesets.length) problems.push(`the feed holds ${positionOf.size} changesets, the table ${changesets.length}`);
  for (const changeset of changesets) {
    const position = positionOf.get(`${streamName(changeset)}@${changeset.seq}`);
    if (position === undefined) continue;
    for (const dependency of changeset.dependencies) {
      if (dependency.version === 0) continue;
      // The changeset that produced the version the command saw must come first.
      const producer = (versionAt.get(streamName(dependency)) ?? []).filter((mark) => mark.version >= dependency.version).sort((a, b) => a.version - b.version)[0];
      if (!producer) problems.push(`${streamName(changeset)}@${changeset.seq} depends on ${streamName(dependency)} v${dependency.version}, which is not committed`);
      else if (producer.position > position) problems.push(`${streamName(changeset)}@${changeset.seq} at ${position} comes before its dependency ${streamName(dependency)} v${dependency.version} at ${producer.position}`);
    }
  }
  return problems;
}

/**
 * The feed of `shards` shards against the changesets table: each changeset in exactly one shard, once, no hole
 * in a shard, and each after its aggregate's previous changeset and its dependencies as a consumer applies it.
 */
export async function shardedFeedProblems(client: DynamoDBClient, prefix: string, shards: number, changesets: readonly ChangesetRecord[]): Promise<string[]> {
  const feed = new DynamoDbFeedStorage(client, tableNames(prefix));
  // The nodes were told to raise the count: a feed still on fewer shards would pass the rest unsharded.
  const stored = (await feed.readFeedConfig()).shards;
  if (stored !== shards) return [`the feed runs ${stored} shards, not ${shards}`];
  const report = await checkFeedHistory(feed, shards, changesets).catch((error: unknown) => ({ thrown: String(error) }));
  if ('thrown' in report) return [report.thrown];
  const extra = report.entries - changesets.length + report.missing - report.duplicated;
  return [...report.examples, ...(extra > 0 ? [`the feed holds ${extra} entries that are not in the changesets table`] : [])];
}
