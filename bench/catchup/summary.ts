import { median } from '../measure.js';

/** `postgres` sums a batch's increments and writes them once (`beforeCommit`); `postgresPerEvent` upserts per event. */
export type CatchUpTargetName = 'dynamodb' | 'postgres' | 'postgresPerEvent';

const TARGETS: readonly CatchUpTargetName[] = ['dynamodb', 'postgres', 'postgresPerEvent'];

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
  const perEvent = rounds.some((r) => r.target === 'postgresPerEvent') ? summarizeTarget(rounds.filter((r) => r.target === 'postgresPerEvent')) : undefined;
  const ratio = (a: CatchUpSummary, b: CatchUpSummary) => ({
    throughput: round2(a.medianEventsPerSecond / b.medianEventsPerSecond),
    cpu: round2(a.cpuMsPer1000Events / b.cpuMsPer1000Events),
  });
  return {
    dynamodb,
    postgres,
    ...(perEvent ? { postgresPerEvent: perEvent, postgresToPerEvent: ratio(postgres, perEvent) } : {}),
    postgresToDynamoDb: ratio(postgres, dynamodb),
    goals: {
      postgresAtLeastDynamoDb: postgres.medianEventsPerSecond >= dynamodb.medianEventsPerSecond,
      postgresAtLeast5000PerSecond: postgres.medianEventsPerSecond >= CATCHUP_GOALS.minEventsPerSecond,
      atMostOneSqlTransactionPerBatch: postgres.maxTransactionsPerBatch <= CATCHUP_GOALS.maxSqlTransactionsPerBatch,
    },
  };
}

/** The targets in the order of round `round`: it rotates, so none always meets a warmer (or colder) server. */
export function roundOrder(round: number): CatchUpTargetName[] {
  return TARGETS.map((_, k) => TARGETS[(round + k) % TARGETS.length]!);
}
