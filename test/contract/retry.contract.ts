import { randomUUID } from 'node:crypto';
import { newAppendAttempt } from '../../lib/store/append-attempt.js';
import { EventStore } from '../../lib/store/event-store.js';
import type { ExpectedVersion } from '../../lib/store/expected-version.js';
import type { ChangesetRecord, StoredEvent, StreamKey } from '../../lib/store/records.js';
import { LossyStorage, type PutFault } from '../support/lossy-storage.js';
import type { ContractFixture } from './event-store.contract.js';

function event(type: string): StoredEvent {
  return { eventId: randomUUID(), type, data: {}, occurredAt: new Date().toISOString() };
}

async function readAll(store: EventStore, stream: StreamKey): Promise<ChangesetRecord[]> {
  const out: ChangesetRecord[] = [];
  for await (const changeset of store.readStream(stream)) out.push(changeset);
  return out;
}

/**
 * Retries after an unknown outcome, on every adapter. Faults are injected by wrapping the adapter (our
 * own storage port), so a put can commit and still fail for the caller.
 */
export function describeRetryContract(name: string, factory: () => Promise<ContractFixture>): void {
  describe(`retry after an unknown outcome: ${name}`, () => {
    let fixture: ContractFixture;
    let store: EventStore;
    beforeAll(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterAll(() => fixture.close());

    function faulty(plan: PutFault[], beforePut?: ConstructorParameters<typeof LossyStorage>[2]) {
      const storage = new LossyStorage(store.storage, plan, beforePut);
      return { storage, store: new EventStore(storage, { aggregateRecords: false }) };
    }

    async function opened(): Promise<StreamKey> {
      const stream = { aggregateType: 'Account', aggregateId: randomUUID() };
      await store.append({ stream, expectedVersion: 0, events: [event('Opened')] });
      return stream;
    }

    async function expectOnceAt(stream: StreamKey, changesetId: string, seqs: number[], seq: number): Promise<void> {
      const changesets = await readAll(store, stream);
      expect(changesets.map((c) => c.seq)).toEqual(seqs);
      expect(changesets.map((c) => c.fromVersion)).toEqual(seqs);
      expect(changesets.filter((c) => c.changesetId === changesetId).map((c) => c.seq)).toEqual([seq]);
    }

    for (const expectedVersion of ['stream-exists', 'any', 1] as const satisfies readonly ExpectedVersion[]) {
      for (const by of ['attempt', 'changesetId'] as const) {
        it(`returns the original commit after another writer committed (${String(expectedVersion)}, retried with the same ${by})`, async () => {
          const stream = await opened();
          const attempt = newAppendAttempt();
          const mine = by === 'attempt' ? { attempt } : { changesetId: attempt.changesetId };
          const events = [event('Mine')];
          const lossy = faulty(['reply']);
          await expect(lossy.store.append({ stream, expectedVersion, ...mine, events })).rejects.toThrow(/injected/);
          expect(lossy.storage.lost).toBe(1);
          await store.append({ stream, expectedVersion: 'any', events: [event('Other')] });

          // The attempt itself may go to any store; given only the id, the store that lost the reply knows its slots.
          const retrying = by === 'attempt' ? store : lossy.store;
          const retry = await retrying.append({ stream, expectedVersion, ...mine, events });
          expect(retry).toMatchObject({ changesetId: attempt.changesetId, seq: 2, fromVersion: 2, version: 2 });
          await expectOnceAt(stream, attempt.changesetId, [1, 2, 3], 2);
        });
      }
    }

    it('returns the original commit to an exact-version retry with only the changesetId, from another store (another process)', async () => {
      const stream = await opened();
      await store.append({ stream, expectedVersion: 1, events: [event('Second'), event('Third')] });
      const changesetId = randomUUID();
      const events = [event('Mine'), event('Mine too')];
      await expect(faulty(['reply']).store.append({ stream, expectedVersion: 3, changesetId, events })).rejects.toThrow(/injected/);
      await store.append({ stream, expectedVersion: 'any', events: [event('Other')] });

      const retry = await new EventStore(store.storage, { aggregateRecords: false }).append({ stream, expectedVersion: 3, changesetId, events });
      expect(retry).toMatchObject({ changesetId, seq: 3, fromVersion: 4, version: 5 });
      const changesets = await readAll(store, stream);
      expect(changesets.map((c) => [c.seq, c.fromVersion, c.toVersion])).toEqual([[1, 1, 1], [2, 2, 3], [3, 4, 5], [4, 6, 6]]);
      // Another changeset at that version is still a conflict, with the actual version.
      const stale = store.append({ stream, expectedVersion: 3, changesetId: randomUUID(), events: [event('Stale')] });
      await expect(stale).rejects.toMatchObject({ code: 'CONCURRENCY', expectedVersion: 3, actualVersion: 6 });
    });

    it("finds a changeset whose reply was lost in a later round of an 'any' append", async () => {
      const stream = await opened();
      const attempt = newAppendAttempt();
      const events = [event('Mine')];
      // Round 1 loses the race for slot 2; round 2 commits at slot 3 and loses the reply.
      const lossy = faulty(['none', 'reply'], async (_record, put) => {
        if (put === 1) await store.append({ stream, expectedVersion: 1, events: [event('Racer')] });
      });
      await expect(lossy.store.append({ stream, expectedVersion: 'any', attempt, events })).rejects.toThrow(/injected/);
      expect([...attempt.triedSeqs]).toEqual([2, 3]);
      await store.append({ stream, expectedVersion: 'any', events: [event('Other')] });

      const retry = await store.append({ stream, expectedVersion: 'any', attempt, events });
      expect(retry).toMatchObject({ changesetId: attempt.changesetId, seq: 3 });
      await expectOnceAt(stream, attempt.changesetId, [1, 2, 3, 4], 3);
    });

    it('commits once when the original put arrives late, during the retry', async () => {
      const stream = await opened();
      const attempt = newAppendAttempt();
      const events = [event('Mine')];
      const first = faulty(['request']);
      await expect(first.store.append({ stream, expectedVersion: 'stream-exists', attempt, events })).rejects.toThrow(/injected/);
      const original = first.storage.dropped[0]!;
      // The retry finds slot 2 empty; the delayed original lands there just before the retry's own put.
      const late = faulty([], async () => void (await store.storage.putChangeset(original)));
      const retry = await late.store.append({ stream, expectedVersion: 'stream-exists', attempt, events });
      expect(retry).toMatchObject({ changesetId: attempt.changesetId, seq: 2 });
      await expectOnceAt(stream, attempt.changesetId, [1, 2], 2);
    });

    it('commits a retry whose first put never arrived, at the slot it tried', async () => {
      const stream = await opened();
      const attempt = newAppendAttempt();
      const events = [event('Mine')];
      await expect(faulty(['request']).store.append({ stream, expectedVersion: 1, attempt, events })).rejects.toThrow(/injected/);
      const retry = await store.append({ stream, expectedVersion: 1, attempt, events });
      expect(retry).toMatchObject({ changesetId: attempt.changesetId, seq: 2, version: 2 });
      await expectOnceAt(stream, attempt.changesetId, [1, 2], 2);
    });
  });
}
