/** One look at the feed: its head and the largest projection lag, at a time. */
export interface FeedSample {
  readonly at: number;
  readonly head: number;
  readonly lag: number;
}

/** Two polylines' `points`, in a `width`×`height` box: feed rate and projection lag over the samples kept. */
export interface ChartLines {
  readonly rate: string;
  readonly lag: string;
  readonly maxRate: number;
  readonly maxLag: number;
}

export const CHART_WIDTH = 600;
export const CHART_HEIGHT = 120;

/**
 * The last minutes of the feed, sampled when someone looks (a page or a poll), not on a timer: an explorer
 * nobody has open costs nothing. Samples closer than `minGapMs` replace the newest one.
 */
export class FeedSamples {
  private readonly samples: FeedSample[] = [];

  constructor(
    private readonly keepMs = 10 * 60_000,
    private readonly minGapMs = 1000,
  ) {}

  add(sample: FeedSample): void {
    const last = this.samples.at(-1);
    if (last && sample.at - last.at < this.minGapMs) this.samples.pop();
    this.samples.push(sample);
    while (this.samples.length > 0 && this.samples[0]!.at < sample.at - this.keepMs) this.samples.shift();
  }

  /** Rate in positions per second between neighbouring samples, and lag in positions, each scaled to its own maximum. */
  lines(): ChartLines {
    const rates = this.samples.slice(1).map((s, i) => ({ at: s.at, value: Math.max(0, s.head - this.samples[i]!.head) / Math.max(0.001, (s.at - this.samples[i]!.at) / 1000) }));
    const lags = this.samples.map((s) => ({ at: s.at, value: s.lag }));
    const start = this.samples[0]?.at ?? 0;
    const span = Math.max(1, (this.samples.at(-1)?.at ?? 0) - start);
    const maxRate = Math.max(1, ...rates.map((r) => r.value));
    const maxLag = Math.max(1, ...lags.map((l) => l.value));
    const points = (values: readonly { at: number; value: number }[], max: number) =>
      values.map((v) => `${round(((v.at - start) / span) * CHART_WIDTH)},${round(CHART_HEIGHT - (v.value / max) * CHART_HEIGHT)}`).join(' ');
    return { rate: points(rates, maxRate), lag: points(lags, maxLag), maxRate: round(maxRate), maxLag };
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
