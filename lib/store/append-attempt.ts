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

/** Open attempts one store keeps by default (`AppendAttempts`). */
const DEFAULT_MAX_OPEN = 10_000;

/**
 * The attempts of appends that came with only a `changesetId`, kept until one of them commits, so that a retry
 * with the same id on the same store looks in every slot the earlier ones were sent to, as a retry with the
 * `AppendAttempt` itself does. Bounded: the oldest open attempts are forgotten first.
 */
export class AppendAttempts {
  private readonly open = new Map<string, AppendAttempt>();

  constructor(private readonly maxOpen = DEFAULT_MAX_OPEN) {}

  /** The open attempt of this id, or a new one (kept from now on); a new id when none is given. */
  forId(changesetId: string | undefined): AppendAttempt {
    if (changesetId === undefined) return newAppendAttempt();
    const known = this.open.get(changesetId);
    if (known) return known;
    const attempt = newAppendAttempt(changesetId);
    this.open.set(changesetId, attempt);
    if (this.open.size > this.maxOpen) this.open.delete(this.open.keys().next().value!);
    return attempt;
  }

  /** The changeset committed: no retry of it needs the slots any more. */
  settled(changesetId: string): void {
    this.open.delete(changesetId);
  }
}
