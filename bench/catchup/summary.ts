import { median } from '../measure.js';

export type CatchUpTargetName = 'dynamodb' | 'postgres';

/** One measured rebuild of one target, from the reset to the head. */
export interface CatchUpRound {
  readonly target: CatchUpTargetName;
  readonly events: number;
  readonly ms: number;
  /** This process's CPU (user + system) over the round. */
  readonly cpuMs: number;
  readonly batches: number;
  /** Transactions the target committed while applying the batches (the rebuild's own clear not counted). */
  readonly transactions: number;
  /** Of `ms`, the time spent applying batches (handlers and commits); the rest is the rebuild's reset and feed reads. */
  readonly applyMs: number;
}

export interface CatchUpSummary {
  readonly eventsPerSecond: number[];
  readonly medianEventsPerSecond: number;
  readonly medianSeconds: number;
  readonly cpuMsPer1000Events: number;
  readonly batchesPerRound: number;
  /** The most transactions per batch in any round: the goal is a bound, not an average. */
  readonly maxTransactionsPerBatch: number;
  /** The share of the catch-up spent applying batches, not reading the feed. */
  readonly applyShare: number;
}

/** The goals of issue 19 for the PostgreSQL catch-up. */
export const CATCHUP_GOALS = { minEventsPerSecond: 5000, maxSqlTransactionsPerBatch: 1 } as const;

const round2 = (value: number) => Math.round(value * 100) / 100;

export function summarizeTarget(rounds: readonly CatchUpRound[]): CatchUpSummary {
  if (rounds.length === 0) throw new RangeError('no rounds to summarize');
  const rates = rounds.map((r) => r.events / (r.ms / 1000));
  return {
    eventsPerSecond: rates.map(Math.round),
    medianEventsPerSecond: Math.round(median(rates)),
    medianSeconds: round2(median(rounds.map((r) => r.ms / 1000))),
    cpuMsPer1000Events: round2(median(rounds.map((r) => (r.cpuMs / r.events) * 1000))),
    batchesPerRound: median(rounds.map((r) => r.batches)),
    maxTransactionsPerBatch: round2(Math.max(...rounds.map((r) => r.transactions / Math.max(1, r.batches)))),
    applyShare: round2(median(rounds.map((r) => r.applyMs / r.ms))),
  };
}

/** Both targets side by side: PostgreSQL's rate and CPU as multiples of DynamoDB Local's, and the goals met. */
export function compareCatchUp(rounds: readonly CatchUpRound[]) {
  const dynamodb = summarizeTarget(rounds.filter((r) => r.target === 'dynamodb'));
  const postgres = summarizeTarget(rounds.filter((r) => r.target === 'postgres'));
  return {
    dynamodb,
    postgres,
    postgresToDynamoDb: {
      throughput: round2(postgres.medianEventsPerSecond / dynamodb.medianEventsPerSecond),
      cpu: round2(postgres.cpuMsPer1000Events / dynamodb.cpuMsPer1000Events),
    },
    goals: {
      postgresAtLeastDynamoDb: postgres.medianEventsPerSecond >= dynamodb.medianEventsPerSecond,
      postgresAtLeast5000PerSecond: postgres.medianEventsPerSecond >= CATCHUP_GOALS.minEventsPerSecond,
      atMostOneSqlTransactionPerBatch: postgres.maxTransactionsPerBatch <= CATCHUP_GOALS.maxSqlTransactionsPerBatch,
    },
  };
}

/** Which target runs first in round `round`: they alternate, so neither always meets a warmer server. */
export function roundOrder(round: number): CatchUpTargetName[] {
  return round % 2 === 0 ? ['dynamodb', 'postgres'] : ['postgres', 'dynamodb'];
}
