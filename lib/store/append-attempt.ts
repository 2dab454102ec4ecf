import { randomUUID } from 'node:crypto';

/**
 * One changeset's attempts: the slots (stream seqs) a put of it was sent to. The store adds a seq before
 * each put, so after an unknown outcome the set names every slot where the changeset may have landed.
 */
export interface AppendAttempt {
  readonly changesetId: string;
  readonly triedSeqs: Set<number>;
}

/** A fresh attempt record for a new changeset. */
export function newAppendAttempt(changesetId: string = randomUUID()): AppendAttempt {
  return { changesetId, triedSeqs: new Set() };
}
