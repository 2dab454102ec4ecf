import type { AggregateRecord } from './records.js';
import { forEachConcurrently } from './concurrency.js';
import type { ChangesetStorage } from './storage.port.js';
import { streamName } from './stream-key.js';

export interface AggregateRecordWriterOptions {
  /** How long to gather commits before writing aggregate records, in ms. Default 1000. */
  readonly flushIntervalMs?: number;
  /** Record writes in flight at once. Default 4. */
  readonly concurrency?: number;
  /** Called when a record write fails (it is retried at the next flush). Default: `console.warn`. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Keeps the derived "aggregates" records up to date off the hot path: commits are coalesced per aggregate
 * (only the newest version is written) and written after the save has returned. Writes are monotonic
 * (`version` only rises), so records written late or out of order never move backwards.
 */
export class AggregateRecordWriter {
  private pending = new Map<string, AggregateRecord>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly flushIntervalMs: number;
  private readonly concurrency: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly storage: ChangesetStorage,
    options: AggregateRecordWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.concurrency = options.concurrency ?? 4;
    this.onError = options.onError ?? ((error) => console.warn('event-store: aggregate record write failed', error));
  }

  enqueue(record: AggregateRecord): void {
    const key = streamName(record);
    const current = this.pending.get(key);
    if (!current || current.version < record.version) this.pending.set(key, record);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushIntervalMs);
  }

  /** Writes everything pending now (and waits for a flush already running). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.running = this.writeAll(batch).finally(() => (this.running = undefined));
    await this.running;
  }

  /** Final flush; records whose write still fails are reported and dropped (the changesets stay the truth). */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private async writeAll(batch: AggregateRecord[]): Promise<void> {
    await forEachConcurrently(batch, this.concurrency, async (record) => {
      try {
        await this.storage.writeAggregateRecord(record);
      } catch (error) {
        this.onError(error);
        this.enqueue(record);
      }
    });
  }
}
