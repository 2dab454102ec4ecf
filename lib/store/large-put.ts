import type { AppendAttempt } from './append-attempt.js';
import type { ChangesetPayloads } from './changeset-payloads.js';
import type { ChangesetRecord } from './records.js';
import type { ChangesetStorage, PutOutcome } from './storage.port.js';

/**
 * Commits a large changeset: upload its events under a key of this upload alone, check the upload is fresh,
 * then the usual conditional put of the item, which carries the pointer. Only that one put can ever
 * reference the object, so the writer deletes it exactly when that put is known not to commit:
 * - it was never sent (the upload took longer than the deadline);
 * - DynamoDB refused the request itself (a validation error);
 * - the slot is held by another changeset, or by this changeset with another object (an earlier attempt's
 *   lost reply that did commit: slots are written once).
 * On an unknown outcome (a timeout, a 500, a lost reply) the object stays: the put may have committed. A
 * retry finds that commit, or uploads anew; the sweep removes whichever object ends up unreferenced.
 */
export async function putLargeChangeset(
  storage: ChangesetStorage,
  payloads: ChangesetPayloads,
  record: ChangesetRecord,
  attempt: AppendAttempt,
  now: () => number,
): Promise<{ outcome: PutOutcome; stored: ChangesetRecord }> {
  const upload = await payloads.upload(record, now());
  const { key } = upload.pointer;
  const stored: ChangesetRecord = { ...record, events: [], payload: upload.pointer };
  try {
    payloads.assertFresh(upload, now());
  } catch (error) {
    await payloads.discard(key);
    throw error;
  }
  // Recorded before the put: if its reply is lost, a retry must know this slot may hold the changeset.
  attempt.triedSeqs.add(record.seq);
  let outcome: PutOutcome;
  try {
    outcome = await storage.putChangeset(stored);
  } catch (error) {
    if (isRejectedRequest(error)) await payloads.discard(key);
    throw error;
  }
  if (!outcome.written && outcome.existing.payload?.key !== key) await payloads.discard(key);
  return { outcome, stored };
}

/** DynamoDB refused the request itself (HTTP 400 ValidationException): nothing was written, and never will be. */
function isRejectedRequest(error: unknown): boolean {
  const cause = (error as { cause?: { name?: unknown } } | undefined)?.cause;
  return cause?.name === 'ValidationException';
}
