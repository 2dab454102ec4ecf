import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { putChangesetRequest } from '../../lib/adapters/dynamodb/requests.js';
import type { AggregateRepository, EventStore } from '../../lib/index.js';
import type { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/index.js';
import type { EventSerializer } from '../../lib/store/index.js';
import { Counter, Incremented } from '../bench-domain.js';
import { measured, median } from '../measure.js';
import { type CastoreCounters, castoreEvent } from './castore-counter.js';
import { round2 } from './timing.js';

export interface SaveSetup {
  readonly client: DynamoDBClient;
  readonly storage: DynamoDbChangesetStorage;
  readonly store: EventStore;
  readonly serializer: EventSerializer;
  readonly counters: AggregateRepository<Counter>;
  readonly castore: CastoreCounters;
}

interface Rate {
  readonly perSecond: number;
  readonly cpuMsPerOp: number;
}

export interface SaveComparison {
  readonly concurrency: number;
  readonly ourSave: Rate;
  readonly castorePushEvent: Rate;
  readonly rawPut: Rate;
  /** Throughput over the raw put's, and CPU per op over the raw put's (medians of the rounds). */
  readonly ourSaveToRaw: { readonly throughput: number; readonly cpu: number };
  readonly castoreToRaw: { readonly throughput: number; readonly cpu: number };
}

/**
 * A 1-event save from `concurrency` workers, in alternating rounds of `durationMs` each: our `save()` (each
 * worker keeps saving its own counter; the aggregate record it causes is drained before the clock stops),
 * Castore's `pushEvent` (each worker appends to its own aggregate) and the raw conditional PutItem our save
 * makes, for a fresh stream each time.
 */
export async function compareSaves(setup: SaveSetup, concurrency: number, rounds: number, durationMs: number): Promise<SaveComparison> {
  const samples = { ours: [] as Rate[], castore: [] as Rate[], raw: [] as Rate[] };
  const owned = Array.from({ length: concurrency }, () => new Counter(randomUUID()));
  const peers = Array.from({ length: concurrency }, () => ({ id: randomUUID(), version: 0 }));
  const phases: Array<[keyof typeof samples, () => Promise<Rate>]> = [
    ['raw', () => measured(concurrency, durationMs, () => setup.client.send(new PutItemCommand(rawPutRequest(setup))))],
    [
      'ours',
      () =>
        measured(
          concurrency,
          durationMs,
          (worker) => {
            const counter = owned[worker]!;
            counter.increment(1);
            return setup.counters.save(counter);
          },
          () => setup.store.flush(),
        ),
    ],
    [
      'castore',
      () =>
        measured(concurrency, durationMs, (worker) => {
          const peer = peers[worker]!;
          peer.version++;
          return setup.castore.store.pushEvent(castoreEvent(peer.id, peer.version));
        }),
    ],
  ];
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < phases.length; k++) {
      const [name, phase] = phases[(round + k) % phases.length]!;
      samples[name].push(await phase());
    }
  }
  const rate = (list: Rate[]): Rate => ({
    perSecond: Math.round(median(list.map((r) => r.perSecond))),
    cpuMsPerOp: round2(median(list.map((r) => r.cpuMsPerOp))),
  });
  const ours = rate(samples.ours);
  const castore = rate(samples.castore);
  const raw = rate(samples.raw);
  const toRaw = (r: Rate) => ({ throughput: round2(r.perSecond / raw.perSecond), cpu: round2(r.cpuMsPerOp / raw.cpuMsPerOp) });
  return { concurrency, ourSave: ours, castorePushEvent: castore, rawPut: raw, ourSaveToRaw: toRaw(ours), castoreToRaw: toRaw(castore) };
}

/** The conditional put a first 1-event save of a fresh counter makes, built by the same request builder. */
function rawPutRequest(setup: SaveSetup) {
  const aggregateId = randomUUID();
  const stream = { aggregateType: 'Counter', aggregateId };
  return putChangesetRequest(setup.storage.tables, {
    ...stream,
    seq: 1,
    changesetId: randomUUID(),
    fromVersion: 1,
    toVersion: 1,
    committedAt: new Date().toISOString(),
    events: setup.serializer.serialize(stream, [new Incremented(aggregateId, 1, 'benchmark payload of a typical small domain event')]),
    dependencies: [],
  });
}
