import type { ChangesetRecord, StreamKey } from './records.js';
import type { ChangesetStorage } from './storage.port.js';

/** Slots read per `getChangesets` while looking for the holder of a version. */
const CHUNK = 100;

/**
 * The changeset holding `version` of a stream whose last changeset is `last`, read strongly consistent from
 * the only slots it can be in. Every changeset holds at least one version, so its seq is at most `version`,
 * and at least `last.seq` minus the versions after `version` (one changeset each, at most). Read from the top
 * down, the first changeset that starts at or below `version` is the holder: one read when every changeset
 * holds one event.
 */
export async function changesetHoldingVersion(
  storage: ChangesetStorage,
  stream: StreamKey,
  version: number,
  last: ChangesetRecord,
): Promise<ChangesetRecord | undefined> {
  if (version < 1 || version > last.toVersion) return undefined;
  const lowest = Math.max(1, last.seq - (last.toVersion - version));
  for (let high = Math.min(version, last.seq); high >= lowest; high -= CHUNK) {
    const keys = [];
    for (let seq = high; seq >= Math.max(lowest, high - CHUNK + 1); seq--) keys.push({ ...stream, seq });
    const holder = (await storage.getChangesets(keys)).find((record) => record.fromVersion <= version);
    if (holder) return holder;
  }
  return undefined;
}
