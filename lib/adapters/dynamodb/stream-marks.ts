import type { ChangeNotice, PollScope } from '../../feed/feed.port.js';

/** A stream change source's checkpoint: per stream shard, the last sequence number read, or `done`. */
export type StreamMarks = Record<string, string>;
export const DONE = 'done';

/**
 * The marks other feed shards published (merged), read at most once per poll and only when a shard needs
 * them; `undefined` while a feed shard has not handed its shards over yet.
 */
export function publishedMarks(scope: PollScope | undefined): () => Promise<StreamMarks | undefined> {
  let foreign: StreamMarks | undefined | null = null;
  return async () => {
    if (foreign === null) {
      const published = await scope?.foreignMarks();
      foreign = published && mergeMarks(published.map((c) => JSON.parse(c) as StreamMarks));
    }
    return foreign;
  };
}

/** Each shard of a pending notice goes back to the sequence number before its first one (its start when none). */
export function rewindMarks(frontier: string | undefined, pending: readonly ChangeNotice[]): string | undefined {
  const marks: StreamMarks = frontier ? (JSON.parse(frontier) as StreamMarks) : {};
  const rewound = new Set<string>();
  for (const notice of pending) {
    if (!notice.at || rewound.has(notice.at.shard)) continue;
    rewound.add(notice.at.shard); // notices of one shard are pending in the order they were read
    if (notice.at.before === undefined) delete marks[notice.at.shard];
    else marks[notice.at.shard] = notice.at.before;
  }
  return Object.keys(marks).length ? JSON.stringify(marks) : undefined;
}

/** One mark per shard from several checkpoints: `done` wins, else the highest sequence number. */
export function mergeMarks(checkpoints: readonly StreamMarks[]): StreamMarks {
  const merged: StreamMarks = {};
  for (const marks of checkpoints) {
    for (const [id, mark] of Object.entries(marks)) {
      const current = merged[id];
      if (current === undefined || mark === DONE || (current !== DONE && BigInt(mark) > BigInt(current))) merged[id] = mark;
    }
  }
  return merged;
}
