import { StorageUnavailableError } from '../../lib/errors/storage-unavailable.error.js';
import { seededRandom } from '../http/stats.js';
import { KeyBuckets } from './capacity.js';
import { ModelStream } from './model-stream.js';
import { DEFAULT_SETTINGS, ITEM_LIMIT_BYTES, type ModelSettings, sampleLognormal, TRANSACTION_MAX_BYTES, TRANSACTION_MAX_ITEMS } from './settings.js';

/** What one request does to one item: its table, partition key, size and the units it costs. */
export interface Access {
  readonly table: string;
  readonly key: string;
  readonly bytes: number;
  readonly units: number;
}

export interface ModelRequest {
  /** As the adapters name it in `StorageUnavailableError.operation`, e.g. `PutItem changesets`. */
  readonly operation: string;
  readonly kind: 'read' | 'write';
  readonly accesses: readonly Access[];
  readonly transaction?: boolean;
  /** A limit of concurrent calls on one resource (a stream shard's readers): false refuses this call. */
  readonly slot?: { acquire(): boolean; release(): void };
}

/** Requests, units and throttles, by operation and in total. */
export class Meter {
  requests = 0;
  writeUnits = 0;
  readUnits = 0;
  throttles = 0;
  readonly byOperation = new Map<string, { requests: number; writeUnits: number; readUnits: number; throttles: number }>();
  /** Throttled requests by the `table#key`s they touched: the hot keys. */
  readonly throttledKeys = new Map<string, number>();

  count(request: ModelRequest, throttled: boolean): void {
    const kind = request.operation.split(' (')[0]!;
    const row = this.byOperation.get(kind) ?? { requests: 0, writeUnits: 0, readUnits: 0, throttles: 0 };
    this.byOperation.set(kind, row);
    row.requests++;
    this.requests++;
    if (throttled) {
      row.throttles++;
      this.throttles++;
      for (const a of request.accesses) this.throttledKeys.set(`${a.table}#${a.key}`, (this.throttledKeys.get(`${a.table}#${a.key}`) ?? 0) + 1);
      return;
    }
    const units = request.accesses.reduce((sum, a) => sum + a.units, 0);
    if (request.kind === 'write') {
      row.writeUnits += units;
      this.writeUnits += units;
    } else {
      row.readUnits += units;
      this.readUnits += units;
    }
  }
}

/** The error DynamoDB answers a throttled request with; the adapters wrap it in `StorageUnavailableError`. */
export function throttleError(name = 'ProvisionedThroughputExceededException'): Error {
  return Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded'), { name, $retryable: { throttling: true } });
}

function validationError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationException' });
}

/**
 * DynamoDB as a capacity model: every request waits a drawn latency, then takes its units from each partition
 * key it touches, or is throttled; the SDK's own retries of throttles (with its backoff) happen here too, and
 * what is still throttled then reaches the caller as the adapters report it. It runs on the global clock, so
 * under fake timers it runs in simulated time.
 */
export class DynamoModel {
  readonly settings: ModelSettings;
  readonly random: () => number;
  readonly meter = new Meter();
  readonly stream: ModelStream;
  private readonly writes: KeyBuckets;
  private readonly reads: KeyBuckets;

  constructor(settings: Partial<ModelSettings> = {}) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    this.random = seededRandom(this.settings.seed);
    this.writes = new KeyBuckets(this.settings.writeUnitsPerKey, this.settings.burstSeconds);
    this.reads = new KeyBuckets(this.settings.readUnitsPerKey, this.settings.burstSeconds);
    this.stream = new ModelStream(this.settings, this.random);
  }

  /** Sends `request` and, once it is admitted, runs `effect` (what the real service would do) and returns its result. */
  async send<R>(request: ModelRequest, effect: () => R | Promise<R>): Promise<R> {
    this.validate(request);
    for (let attempt = 1; ; attempt++) {
      const slotted = request.slot ? request.slot.acquire() : true;
      try {
        await this.pause(sampleLognormal(this.settings.latency, this.random));
        const admitted = slotted && this.admit(request);
        this.meter.count(request, !admitted);
        if (admitted) return await effect();
      } finally {
        if (slotted) request.slot?.release();
      }
      const error = throttleError(request.slot ? 'LimitExceededException' : undefined);
      if (attempt >= this.settings.sdkAttempts) throw new StorageUnavailableError(request.operation, error);
      // The SDK's standard retry strategy: full jitter over 500 ms × 2^attempt for throttling errors, at most 20 s.
      await this.pause(this.random() * Math.min(20_000, 500 * 2 ** (attempt - 1)));
    }
  }

  /** Waits `ms` on the (possibly fake) clock. */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  private admit(request: ModelRequest): boolean {
    const charges = new Map<string, number>();
    for (const a of request.accesses) charges.set(`${a.table}#${a.key}`, (charges.get(`${a.table}#${a.key}`) ?? 0) + a.units);
    return (request.kind === 'write' ? this.writes : this.reads).take(charges, Date.now());
  }

  /** Refuses what DynamoDB refuses outright (a `ValidationException`, never retried). */
  private validate(request: ModelRequest): void {
    const refuse = (message: string) => {
      throw new StorageUnavailableError(request.operation, validationError(message));
    };
    for (const a of request.accesses) if (request.kind === 'write' && a.bytes > ITEM_LIMIT_BYTES) refuse(`Item size has exceeded the maximum allowed size (${a.bytes} bytes)`);
    if (!request.transaction) return;
    if (request.accesses.length > TRANSACTION_MAX_ITEMS) refuse(`Member must have length less than or equal to ${TRANSACTION_MAX_ITEMS} (${request.accesses.length} items)`);
    const total = request.accesses.reduce((sum, a) => sum + a.bytes, 0);
    if (total > TRANSACTION_MAX_BYTES) refuse(`Transaction request cannot include more than 4 MB of data (${total} bytes)`);
  }
}
