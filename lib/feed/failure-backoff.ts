/** How long a warning about a failing loop stays the last one: later failures are counted, not logged. */
const LOG_EVERY_MS = 30_000;

/**
 * For a background loop whose steps can fail (storage unreachable, throttled): the pause before the next
 * try grows from `baseMs` to `maxMs` (with jitter, so nodes do not retry in step), and the warnings are
 * rate-limited: the first failure, then at most one every 30 s with the count since, then one on recovery.
 */
export class FailureBackoff {
  private failures = 0;
  private loggedAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly label: string,
    private readonly warn: ((message: string) => void) | undefined,
    private readonly baseMs = 100,
    private readonly maxMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a failure; resolves to the pause before the next try, in ms. */
  failed(error: unknown): number {
    this.failures++;
    const at = this.now();
    if (at - this.loggedAt >= LOG_EVERY_MS) {
      const more = this.suppressed > 0 ? ` (${this.suppressed} more failures since the last warning)` : '';
      this.warn?.(`${this.label} failed: ${String(error)}${more}; retrying with backoff`);
      this.loggedAt = at;
      this.suppressed = 0;
    } else {
      this.suppressed++;
    }
    const pause = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures - 1, 16));
    return Math.round(pause * (0.5 + Math.random() * 0.5));
  }

  /** A step succeeded: the next failure starts from `baseMs` again. */
  succeeded(): void {
    if (this.failures === 0) return;
    if (Number.isFinite(this.loggedAt)) this.warn?.(`${this.label} works again after ${this.failures} failed attempts`);
    this.failures = 0;
    this.suppressed = 0;
    this.loggedAt = Number.NEGATIVE_INFINITY;
  }
}
