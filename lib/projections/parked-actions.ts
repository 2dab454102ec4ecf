import type { LeasedCheckpoint } from './leased-checkpoint.js';
import type { ParkedSkip } from './projection.port.js';

/** What an operator's action on a stopped projection came to. */
export type ParkedActionOutcome = 'done' | 'not-stopped' | 'fenced';

/**
 * Lets a projection stopped on a parked changeset try it again: the entry leaves the parked list and
 * `stoppedAt` is cleared, the position stays. Call with the lease held (`checkpoint.hold()`).
 */
export async function resumeStopped(checkpoint: LeasedCheckpoint): Promise<ParkedActionOutcome> {
  const { position, parked, stoppedAt } = checkpoint.value;
  if (stoppedAt === undefined) return 'not-stopped';
  const state = { parked: parked.filter((p) => p.position !== stoppedAt), parkedTotal: checkpoint.parkedState().parkedTotal };
  return adopt(checkpoint, position, state);
}

/**
 * Moves a stopped projection past the changeset it is stopped on, without applying it. The parked entry
 * stays, with who skipped it, when and why: the read model lacks that changeset for good, and a `waitFor`
 * on it keeps failing with `ProjectionParkedError`. Call with the lease held.
 */
export async function skipStopped(checkpoint: LeasedCheckpoint, skip: Omit<ParkedSkip, 'at'>, now: number): Promise<ParkedActionOutcome> {
  const { parked, stoppedAt } = checkpoint.value;
  if (stoppedAt === undefined) return 'not-stopped';
  const skipped: ParkedSkip = { by: skip.by, at: new Date(now).toISOString(), reason: skip.reason };
  const state = { parked: parked.map((p) => (p.position === stoppedAt ? { ...p, skipped } : p)), parkedTotal: checkpoint.parkedState().parkedTotal };
  // A stopped projection's checkpoint is the position just before the parked one, so this passes it alone.
  return adopt(checkpoint, stoppedAt, state);
}

async function adopt(checkpoint: LeasedCheckpoint, to: number, state: Parameters<LeasedCheckpoint['adopt']>[1]): Promise<ParkedActionOutcome> {
  if ((await checkpoint.commit(to, [], state)) !== 'committed') {
    checkpoint.drop();
    return 'fenced';
  }
  checkpoint.adopt(to, state);
  return 'done';
}
