/** Longest pause between two failing steps of a background loop, in ms: also the most a recovery waits. */
export const MAX_FAILURE_PAUSE_MS = 2000;
/** While a loop keeps failing, at most one warning per this many ms (with the count since the last one). */
export const FAILURE_WARNING_INTERVAL_MS = 10_000;

/**
 * Consecutive failures of one background loop's step (the sequencer's, a projection's). During a storage
 * outage every step fails: without this, each loop would warn and retry every idle interval (tens of
 * warnings a second). The first failure is logged at once, later ones at most every
 * FAILURE_WARNING_INTERVAL_MS, and the pause before the next try doubles up to MAX_FAILURE_PAUSE_MS.
 */
export class StepFailures {
  private count = 0;
  private unlogged = 0;
  private loggedAt = 0;

  constructor(
    private readonly what: string,
    private readonly warn: ((message: string) => void) | undefined,
    private readonly baseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a failed step, warns if due, and returns how long to pause before the next one. */
  failed(error: unknown): number {
    this.count++;
    const now = this.now();
    if (this.count === 1 || now - this.loggedAt >= FAILURE_WARNING_INTERVAL_MS) {
      const more = this.unlogged > 0 ? ` (${this.unlogged} more failures since the last warning)` : '';
      this.warn?.(`${this.what} step failed${more}: ${String(error)}`);
      this.loggedAt = now;
      this.unlogged = 0;
    } else {
      this.unlogged++;
    }
    return Math.min(MAX_FAILURE_PAUSE_MS, Math.max(1, this.baseMs) * 2 ** Math.min(this.count, 16));
  }

  /** Records a step that did not throw; says so once after a run of failures. */
  succeeded(): void {
    if (this.count > 1) this.warn?.(`${this.what} works again after ${this.count} failed steps`);
    this.count = 0;
    this.unlogged = 0;
  }
}
