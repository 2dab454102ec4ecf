import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { putChangesetRequest } from '../lib/adapters/dynamodb/requests.js';
import type { AggregateRepository, EventStore } from '../lib/index.js';
import type { DynamoDbChangesetStorage } from '../lib/adapters/dynamodb/index.js';
import { Counter } from './bench-domain.js';
import { measured, median, throughput } from './measure.js';

export interface SaveVsPutResult {
  readonly concurrency: number;
  readonly rawPutPerSecond: number[];
  readonly savePerSecond: number[];
  readonly newAggregateSavePerSecond: number[];
  readonly ratio: number;
  readonly newAggregateRatio: number;
  /** This process's CPU per operation (ms): the raw put (SDK only) and a save (our code plus the same SDK call). */
  readonly rawPutCpuMs: number;
  readonly saveCpuMs: number;
  /** `saveCpuMs / rawPutCpuMs`, medians of the rounds (issue 8's goal: at most 1.5). */
  readonly cpuRatio: number;
}

/**
 * Side by side, in alternating rounds: one raw conditional PutItem of the exact item a save writes, against
 * `repository.save()` of a 1-event changeset (serialization, the conditional put, the derived aggregate
 * record — drained before the clock stops — and the EventBus publish).
 */
export async function saveVsPut(
  client: DynamoDBClient,
  storage: DynamoDbChangesetStorage,
  store: EventStore,
  counters: AggregateRepository<Counter>,
  concurrency: number,
  rounds: number,
  durationMs: number,
): Promise<SaveVsPutResult> {
  const raw: number[] = [];
  const saves: number[] = [];
  const rawCpu: number[] = [];
  const saveCpu: number[] = [];
  const creates: number[] = [];
  const sample = new Counter('sample');
  sample.increment(1);
  for (let round = 0; round < rounds; round++) {
    const rawRound = await measured(concurrency, durationMs, () => {
        const id = randomUUID();
        const request = putChangesetRequest(storage.tables, {
          aggregateType: 'Counter',
          aggregateId: id,
          seq: 1,
          changesetId: randomUUID(),
          fromVersion: 1,
          toVersion: 1,
          committedAt: new Date().toISOString(),
          events: [
            {
              eventId: randomUUID(),
              type: 'counter.incremented',
              data: { counterId: id, by: 1, note: 'benchmark payload of a typical small domain event' },
              occurredAt: new Date().toISOString(),
            },
          ],
          dependencies: [],
        });
        return client.send(new PutItemCommand(request));
      });
    raw.push(rawRound.perSecond);
    rawCpu.push(rawRound.cpuMsPerOp);
    // Each worker keeps saving its own aggregate: the usual load-once, command, save path.
    const owned = Array.from({ length: concurrency }, () => new Counter(randomUUID()));
    const saveRound = await measured(
      concurrency,
      durationMs,
      (worker) => {
        const counter = owned[worker]!;
        counter.increment(1);
        return counters.save(counter);
      },
      () => store.flush(),
    );
    saves.push(saveRound.perSecond);
    saveCpu.push(saveRound.cpuMsPerOp);
    creates.push(
      await throughput(
        concurrency,
        durationMs,
        () => {
          const counter = new Counter(randomUUID());
          counter.increment(1);
          return counters.save(counter);
        },
        () => store.flush(),
      ),
    );
  }
  return {
    concurrency,
    rawPutPerSecond: raw.map(Math.round),
    savePerSecond: saves.map(Math.round),
    newAggregateSavePerSecond: creates.map(Math.round),
    ratio: round2(median(saves) / median(raw)),
    newAggregateRatio: round2(median(creates) / median(raw)),
    rawPutCpuMs: round2(median(rawCpu)),
    saveCpuMs: round2(median(saveCpu)),
    cpuRatio: round2(median(saveCpu) / median(rawCpu)),
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
