/** Options of `EventStoreHealthIndicator.isHealthy`. */
export interface EventStoreHealthOptions {
  /** Projections to report. Default: every projection `forProjections` registered. */
  readonly projections?: readonly string[];
  /** How long the storage probe may take before storage counts as unreachable, in ms. Default `3000`. */
  readonly timeoutMs?: number;
  /**
   * A projection no node has held a lease on for this long is down, in ms (counted from the first check that
   * found it free). Default `15000`, three lease lengths at the default `feed.leaseTtlMs`: a failover is not an outage.
   */
  readonly maxLeaselessMs?: number;
  /** A projection more than this many seconds behind the feed is down. Default: none (lag is reported only). */
  readonly maxLagSeconds?: number;
  /**
   * A projection with more parked changesets than this is down; with fewer (but some) it is `degraded`.
   * Default: none (parked changesets only degrade). A projection stopped on one (`onPoison: 'stop'`) is always down.
   */
  readonly maxParked?: number;
}

export const HEALTH_DEFAULTS = { timeoutMs: 3000, maxLeaselessMs: 15_000 } as const;
