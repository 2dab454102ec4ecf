import { type AttributeValue, type DynamoDBClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { median } from '../measure.js';

/** One contender of a side-by-side load: a name and a call that resolves to how many events it read. */
export interface Contender {
  readonly name: string;
  readonly run: () => Promise<number>;
}

/** p50 latency and this process's CPU per call (ms), with the raw samples' count. */
export interface LatencySummary {
  readonly p50Ms: number;
  readonly cpuMsPerCall: number;
  readonly samples: number;
}

/**
 * Runs each contender `callsPerRound` times a round, one call at a time, for `rounds` rounds; the order of
 * contenders rotates each round so none always runs first (on a warmer or colder DynamoDB Local). Every
 * call must read `expected` events: a contender that read less would look faster for the wrong reason.
 */
export async function sideBySide(
  contenders: readonly Contender[],
  rounds: number,
  callsPerRound: number,
  expected: number,
): Promise<Record<string, LatencySummary>> {
  const latencies = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const cpu = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length]!;
      for (let call = 0; call < callsPerRound; call++) {
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const read = await contender.run();
        latencies.get(contender.name)!.push(performance.now() - started);
        const used = process.cpuUsage(cpuBefore);
        cpu.get(contender.name)!.push((used.user + used.system) / 1000);
        if (read !== expected) throw new Error(`${contender.name} read ${read} events, expected ${expected}`);
      }
    }
  }
  return Object.fromEntries(
    contenders.map((c) => [c.name, { p50Ms: round2(median(latencies.get(c.name)!)), cpuMsPerCall: round2(median(cpu.get(c.name)!)), samples: latencies.get(c.name)!.length }]),
  );
}

/** A strongly consistent Query followed page by page (LastEvaluatedKey), items left unparsed. Returns the item count. */
export async function rawPaginatedQuery(client: DynamoDBClient, input: QueryCommandInput): Promise<number> {
  let count = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    count += page.Items?.length ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
