import type { ChangesetRecord } from '../../lib/store/index.js';
import { countBy, groupBy, slotOf, streamOf, type Violations } from './check-types.js';
import type { SaveAttempt } from './history.js';

/** The decision a stored changeset came from: the workload stores it as every event's correlation id. */
export const opOf = (changeset: ChangesetRecord): string | undefined => changeset.events[0]?.correlationId;

/**
 * The store against the history: every acknowledged save is stored as acknowledged; nothing is stored twice
 * (changeset id, event id, slot, or one decision as two changesets); nothing is stored that was never sent or
 * whose save reported a conflict; and every aggregate's seqs are 1..M and versions 1..N.
 */
export function checkStore(attempts: readonly SaveAttempt[], changesets: readonly ChangesetRecord[], v: Violations): void {
  const bySlot = new Map(changesets.map((c) => [slotOf(c), c]));
  for (const [slot, n] of countBy(changesets, slotOf)) if (n > 1) v.duplicated.push(`slot ${slot} stored ${n} times`);
  for (const [id, n] of countBy(changesets, (c) => c.changesetId)) if (n > 1) v.duplicated.push(`changeset ${id} stored ${n} times`);
  const events = changesets.flatMap((c) => c.events);
  for (const [id, n] of countBy(events, (e) => e.eventId)) if (n > 1) v.duplicated.push(`event ${id} stored ${n} times`);
  for (const [op, n] of countBy(changesets, (c) => opOf(c) ?? '?')) if (n > 1) v.duplicated.push(`decision ${op} committed as ${n} changesets`);

  const byOp = groupBy(attempts, (a) => a.op);
  for (const attempt of attempts) {
    const result = attempt.result;
    if (attempt.outcome !== 'acked' || !result) continue;
    const stored = bySlot.get(slotOf(result));
    if (stored?.changesetId !== result.changesetId || stored.toVersion !== result.version || opOf(stored) !== attempt.op) {
      v.lost.push(`acknowledged ${slotOf(result)} (changeset ${result.changesetId}, v${result.version}) is not stored as such`);
    }
  }
  for (const [op, list] of byOp) {
    const ids = new Set(list.flatMap((a) => (a.result ? [a.result.changesetId] : [])));
    if (ids.size > 1) v.duplicated.push(`decision ${op} acknowledged as ${ids.size} different changesets`);
  }
  for (const changeset of changesets) {
    const op = opOf(changeset);
    const list = op === undefined ? undefined : byOp.get(op);
    if (!list) v.phantom.push(`${slotOf(changeset)} is stored but was never sent`);
    else if (list.some((a) => a.outcome === 'failed')) v.phantom.push(`${slotOf(changeset)} is stored although its save reported a conflict`);
  }
  checkVersions(changesets, v);
}

function checkVersions(changesets: readonly ChangesetRecord[], v: Violations): void {
  for (const [stream, list] of groupBy(changesets, streamOf)) {
    list.sort((a, b) => a.seq - b.seq);
    let version = 0;
    list.forEach((c, index) => {
      if (c.seq !== index + 1) v.versions.push(`${stream}: changeset #${index + 1} has seq ${c.seq}`);
      if (c.fromVersion !== version + 1 || c.toVersion < c.fromVersion || c.toVersion - c.fromVersion + 1 !== c.events.length) {
        v.versions.push(`${stream}@${c.seq}: versions ${c.fromVersion}..${c.toVersion} after ${version}`);
      }
      version = Math.max(version, c.toVersion);
    });
  }
}
