import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import type { ChangesetRecord, StoredEvent } from '../../lib/store/records.js';
import { changesetHoldingVersion } from '../../lib/store/version-holder.js';

const stream = { aggregateType: 'Doc', aggregateId: 'd-1' };

function events(count: number): StoredEvent[] {
  return Array.from({ length: count }, (_, i) => ({ eventId: `e-${i}`, type: 'Edited', data: {}, occurredAt: '2026-12-07T00:00:00.000Z' }));
}

/** A stream whose first changeset holds 150 events, then 150 changesets of one event each (versions 151..300). */
async function stored(): Promise<{ storage: InMemoryChangesetStorage; last: ChangesetRecord }> {
  const storage = new InMemoryChangesetStorage();
  let version = 0;
  for (let seq = 1; seq <= 151; seq++) {
    const count = seq === 1 ? 150 : 1;
    const record = { ...stream, seq, changesetId: `c-${seq}`, fromVersion: version + 1, toVersion: version + count, committedAt: '2026-12-07T00:00:00.000Z', events: events(count), dependencies: [] };
    await storage.putChangeset(record);
    version += count;
  }
  return { storage, last: (await storage.readLastChangeset(stream))! };
}

describe('changesetHoldingVersion: the one changeset an exact-version append could be', () => {
  it('finds the holder of any version, across more slots than one read asks for', async () => {
    const { storage, last } = await stored();
    expect(last).toMatchObject({ seq: 151, toVersion: 300 });
    for (const [version, seq] of [[1, 1], [150, 1], [151, 2], [200, 51], [300, 151]] as const) {
      expect((await changesetHoldingVersion(storage, stream, version, last))?.seq).toBe(seq);
    }
  });

  it('finds nothing past the last version or below the first', async () => {
    const { storage, last } = await stored();
    expect(await changesetHoldingVersion(storage, stream, 301, last)).toBeUndefined();
    expect(await changesetHoldingVersion(storage, stream, 0, last)).toBeUndefined();
  });
});
