/** At most one warning of a kind per this many ms, unless told otherwise (the rest are counted). */
export const WARNING_INTERVAL_MS = 10_000;
/** Longest pause between two failing steps of a background loop, in ms: also the most a recovery waits. */
export const MAX_FAILURE_PAUSE_MS = 2000;

interface KindState {
  /** When this kind last reached the log. */
  at: number;
  /** Warnings of this kind held back since then. */
  held: number;
  /** Failed steps in a row (`stepFailed` kinds only). */
  failures: number;
}

/**
 * The one place background work warns through, so trouble that repeats cannot flood the log: a failing
 * snapshot store (every save of a hot aggregate tries it), or a storage outage (the sequencer's and every
 * projection's loop fail each step). Each kind of warning reaches the log at most once per interval, with
 * the number held back since the last one. For a loop's step it also paces the retries: the pause doubles
 * from the loop's idle pause up to MAX_FAILURE_PAUSE_MS, the first failure of a run is logged at once, and
 * the end of a run of failures is logged once.
 */
export class RateLimitedWarner {
  private readonly kinds = new Map<string, KindState>();

  constructor(
    /** Where warnings go; `undefined` drops them (the counting and pacing still hold). */
    private readonly sink: ((message: string) => void) | undefined,
    private readonly intervalMs = WARNING_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs `message` now, or counts it when this `kind` reached the log less than an interval ago. */
  warn(kind: string, message: string): void {
    const now = this.now();
    const state = this.kinds.get(kind);
    if (state && now - state.at < this.intervalMs) {
      state.held++;
      return;
    }
    const held = state?.held ?? 0;
    this.kinds.set(kind, { at: now, held: 0, failures: state?.failures ?? 0 });
    this.sink?.(held > 0 ? `${message} (${held} more like it since the last one were not logged)` : message);
  }

  /** A step of the loop `what` failed: warns (rate-limited) and returns how long to pause before the next try. */
  stepFailed(what: string, error: unknown, idleMs: number): number {
    const kind = `${what} step`;
    const failures = (this.kinds.get(kind)?.failures ?? 0) + 1;
    this.warn(kind, `${what} step failed: ${String(error)}`);
    this.kinds.get(kind)!.failures = failures;
    return Math.min(MAX_FAILURE_PAUSE_MS, Math.max(1, idleMs) * 2 ** Math.min(failures, 16));
  }

  /** A step of the loop `what` worked: after a run of failures, says so once; the next failure warns at once. */
  stepSucceeded(what: string): void {
    const kind = `${what} step`;
    const failures = this.kinds.get(kind)?.failures ?? 0;
    if (failures === 0) return;
    this.kinds.delete(kind);
    if (failures > 1) this.sink?.(`${what} works again after ${failures} failed steps`);
  }
}
