/** Events per second over a sliding window, for rebuild progress. */
export class RateMeter {
  private samples: Array<{ at: number; count: number }> = [];
  total = 0;

  constructor(private readonly windowMs = 10_000) {}

  add(count: number, at: number): void {
    this.total += count;
    this.samples.push({ at, count });
    const from = at - this.windowMs;
    while (this.samples.length > 1 && this.samples[0]!.at < from) this.samples.shift();
  }

  perSecond(now: number): number {
    const recent = this.samples.filter((s) => s.at >= now - this.windowMs);
    if (recent.length === 0) return 0;
    const span = Math.max(1000, now - recent[0]!.at);
    return (recent.reduce((sum, s) => sum + s.count, 0) * 1000) / span;
  }

  reset(): void {
    this.samples = [];
    this.total = 0;
  }
}
