import { type CatchUpRound, compareCatchUp, roundOrder, summarizeTarget } from '../../bench/catchup/summary.js';

const round = (target: CatchUpRound['target'], ms: number, transactions: number, batches = 10): CatchUpRound => ({
  target,
  events: 20_000,
  ms,
  cpuMs: ms / 2,
  batches,
  transactions,
  applyMs: ms * 0.8,
});

describe('catch-up bench summary', () => {
  it('takes medians over rounds and the worst transactions per batch', () => {
    const summary = summarizeTarget([round('postgres', 4000, 10), round('postgres', 2000, 10), round('postgres', 5000, 12)]);
    expect(summary).toEqual({
      eventsPerSecond: [5000, 10000, 4000],
      medianEventsPerSecond: 5000,
      medianSeconds: 4,
      cpuMsPer1000Events: 100,
      batchesPerRound: 10,
      maxTransactionsPerBatch: 1.2,
      applyShare: 0.8,
    });
  });

  it('states PostgreSQL as a multiple of DynamoDB Local and checks the goals', () => {
    const result = compareCatchUp([round('dynamodb', 4000, 10), round('postgres', 2000, 10), round('dynamodb', 4000, 10), round('postgres', 2000, 10)]);
    expect(result.postgresToDynamoDb).toEqual({ throughput: 2, cpu: 0.5 });
    expect(result.goals).toEqual({ postgresAtLeastDynamoDb: true, postgresAtLeast5000PerSecond: true, atMostOneSqlTransactionPerBatch: true });
    const slow = compareCatchUp([round('dynamodb', 2000, 10), round('postgres', 5000, 11)]);
    expect(slow.goals).toEqual({ postgresAtLeastDynamoDb: false, postgresAtLeast5000PerSecond: false, atMostOneSqlTransactionPerBatch: false });
  });

  it('refuses to summarize a target with no rounds', () => {
    expect(() => compareCatchUp([round('dynamodb', 2000, 10)])).toThrow(RangeError);
  });

  it('states summing per batch against one upsert per event, when both ran', () => {
    const result = compareCatchUp([round('dynamodb', 4000, 10), round('postgres', 2000, 10), round('postgresPerEvent', 8000, 10)]);
    expect(result.postgresToPerEvent).toEqual({ throughput: 4, cpu: 0.25 });
    expect(compareCatchUp([round('dynamodb', 4000, 10), round('postgres', 2000, 10)])).not.toHaveProperty('postgresToPerEvent');
  });

  it('rotates which target goes first', () => {
    expect([0, 1, 2, 3].map(roundOrder)).toEqual([
      ['dynamodb', 'postgres', 'postgresPerEvent'],
      ['postgres', 'postgresPerEvent', 'dynamodb'],
      ['postgresPerEvent', 'dynamodb', 'postgres'],
      ['dynamodb', 'postgres', 'postgresPerEvent'],
    ]);
  });
});
