import type { StreamKey } from '../store/records.js';
import { streamName } from '../store/stream-key.js';
import type { SnapshotContext, SnapshotPolicy } from './snapshot-options.js';
import type { Snapshot, SnapshotStore } from './snapshot-store.js';
import { RateLimitedWarner } from '../logging/rate-limited-warner.js';

export interface SnapshotterOptions {
  /** Where warnings go (rate-limited). Default `console.warn`. */
  readonly warn?: (message: string) => void;
  /** Snapshot writes of this aggregate type in flight at once; more are skipped (a later save retries). Default 8. */
  readonly maxInFlight?: number;
  /** At most one warning per kind (read, write) per this many ms. Default 10,000. */
  readonly warnIntervalMs?: number;
}

/**
 * One aggregate type's snapshots, as the repository uses them: reading one never fails a load (a bad or
 * unreachable snapshot is logged and the load replays in full), and taking one never delays or fails a
 * save (it runs after the save has returned, one at a time per aggregate, and a failure is only logged).
 */
export class Snapshotter {
  private readonly warnings: RateLimitedWarner;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly maxInFlight: number;
  private closed = false;

  constructor(
    readonly aggregateType: string,
    private readonly store: SnapshotStore,
    readonly policy: SnapshotPolicy,
    options: SnapshotterOptions = {},
  ) {
    this.warnings = new RateLimitedWarner(options.warn ?? ((message) => console.warn(message)), options.warnIntervalMs);
    this.maxInFlight = options.maxInFlight ?? 8;
  }

  /** The newest snapshot of the current schema version, or `undefined` (none, or one that cannot be used: logged). */
  async load(stream: StreamKey): Promise<Snapshot | undefined> {
    try {
      return await this.store.read(stream, this.policy.schemaVersion);
    } catch (error) {
      this.discarded(stream, error);
      return undefined;
    }
  }

  /** Logs a snapshot the load could not use (unreadable, not matching the stream, failing to restore). */
  discarded(stream: StreamKey, reason: unknown): void {
    this.warnings.warn('read', `snapshot of ${streamName(stream)} not used, replaying in full: ${describe(reason)}`);
  }

  /** Logs that the state could not be captured (the codec returned `undefined`), so no snapshot was taken. */
  notCaptured(stream: StreamKey): void {
    this.warnings.warn('capture', `snapshot of ${streamName(stream)} not taken: its state codec cannot capture the state (give @Aggregate({ state }))`);
  }

  /** Asks the policy; a throwing predicate is logged and counts as no. */
  wants(context: SnapshotContext): boolean {
    try {
      return this.policy.shouldSnapshot(context) === true;
    } catch (error) {
      this.warnings.warn('policy', `snapshot policy of ${this.aggregateType} threw, no snapshot taken: ${describe(error)}`);
      return false;
    }
  }

  /**
   * Takes a snapshot in the background: `capture` runs on a later turn of the event loop, after the save
   * that asked has returned to its caller. False when it was not scheduled (closed, one already in flight
   * for this aggregate, or too many in flight).
   */
  schedule(stream: StreamKey, capture: () => Promise<Snapshot | undefined>): boolean {
    const key = streamName(stream);
    if (this.closed || this.inFlight.has(key) || this.inFlight.size >= this.maxInFlight) return false;
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(capture)
      .then(async (snapshot) => {
        if (!snapshot) return;
        const result = await this.store.write(snapshot, this.policy.placement, this.policy.inlineMaxBytes);
        if (result === 'too-large') this.warnings.warn('size', `snapshot of ${key} not written: over the inline limit, and it may not go to S3`);
      })
      .catch((error: unknown) => this.warnings.warn('write', `snapshot of ${key} not written: ${describe(error)}`))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, task);
    return true;
  }

  /** Resolves when no snapshot is being taken (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Takes no more snapshots; waits up to `maxWaitMs` for those in flight (a hung write must not hold shutdown). */
  async close(maxWaitMs = 2_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
      timer.unref();
    });
    await Promise.race([this.idle(), timeout]);
    clearTimeout(timer);
  }
}

function describe(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
}
