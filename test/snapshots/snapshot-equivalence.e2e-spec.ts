import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { AggregateCache } from '../../lib/repository/aggregate-cache.js';
import { PROPERTY_TIMEOUT_MS, runs } from '../properties/settings.js';
import { ledgers, localBackend, memoryBackend, replayingLedgers, useSnapshotBackend } from './harness.js';
import { Ledger, stateOf } from './ledger.js';

type Step = { kind: 'enter'; account: number; cents: number; note: string | undefined } | { kind: 'close'; account: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('enter' as const), account: fc.nat(5), cents: fc.integer({ min: -1_000, max: 1_000 }), note: fc.option(fc.string(), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), account: fc.nat(5) }) },
);
/** A history: changesets of 1–4 events. */
const history = fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 });

describe.each([
  ['memory', memoryBackend, 60],
  ['DynamoDB Local + S3 server', localBackend, 8],
])('load from a snapshot = load by replay, for random histories (%s)', (_name, makeBackend, numRuns) => {
  const use = useSnapshotBackend(makeBackend);

  it(
    'the same state and version, whatever the policy, placement and cache',
    async () => {
      await fc.assert(
        fc.asyncProperty(history, fc.integer({ min: 1, max: 12 }), fc.constantFrom('auto' as const, 's3' as const, 'inline' as const), fc.boolean(), async (changesets, every, store, cached) => {
          const { repository, snapshotter, warnings } = ledgers(use.backend, { every, store }, cached ? { cache: new AggregateCache(10) } : {});
          const ledger = new Ledger(randomUUID());
          let events = 0;
          for (const changeset of changesets) {
            for (const s of changeset) {
              if (s.kind === 'enter') ledger.enter(`acct-${s.account}`, s.cents, s.note);
              else ledger.close(`acct-${s.account}`);
            }
            await repository.save(ledger);
            await snapshotter.idle();
            events += changeset.length;
          }
          const record = await use.backend.records.readSnapshotRecord({ aggregateType: 'Ledger', aggregateId: ledger.id }, 1, true);
          expect(record !== undefined).toBe(events >= every);
          use.reads.count = 0;
          const fromSnapshot = await ledgers(use.backend, { every }).repository.load(ledger.id);
          expect(use.reads.count).toBe(changesets.length - (record ? record.seq - 1 : 0));
          const replayed = await replayingLedgers(use.backend).load(ledger.id);
          expect(stateOf(fromSnapshot)).toStrictEqual(stateOf(replayed));
          expect(repository.versionOf(fromSnapshot)).toBe(events);
          expect(warnings).toEqual([]);
        }),
        runs(numRuns),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
