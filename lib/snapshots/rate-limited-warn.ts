/**
 * Passes on at most one warning per kind per interval and counts the rest, so a failing snapshot store
 * (every save of a hot aggregate tries it) cannot flood the log.
 */
export class RateLimitedWarn {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly warn: (message: string) => void,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Warns now, or counts the warning when this `kind` warned less than an interval ago. */
  emit(kind: string, message: string): void {
    const now = this.now();
    const previous = this.last.get(kind);
    if (previous && now - previous.at < this.intervalMs) {
      previous.suppressed++;
      return;
    }
    const suppressed = previous?.suppressed ?? 0;
    this.last.set(kind, { at: now, suppressed: 0 });
    this.warn(suppressed > 0 ? `${message} (${suppressed} more like it since the last one were not logged)` : message);
  }
}
