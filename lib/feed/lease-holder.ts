import type { Lease, LeaseStore } from './feed.port.js';

/**
 * Holds one named lease for one node. `hold()` takes or renews it; with the heartbeat started, it is also
 * renewed in the background every third of its TTL, so a long step does not lose it. Losing it is safe:
 * every write carries the lease token, and a stale token fails.
 */
export class LeaseHolder {
  private current: Lease | undefined;
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: LeaseStore,
    readonly name: string,
    readonly owner: string,
    readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get lease(): Lease | undefined {
    return this.current;
  }

  get valid(): boolean {
    return this.current !== undefined && this.current.expiresAt > this.now();
  }

  /** The lease, taken or renewed if due; `newTerm` when its token changed (state cached before is stale). */
  async hold(): Promise<{ readonly lease: Lease; readonly newTerm: boolean } | undefined> {
    const now = this.now();
    const previous = this.current;
    if (previous && previous.expiresAt > now && now - this.renewedAt < this.ttlMs / 3) return { lease: previous, newTerm: false };
    const lease = previous ? await this.store.renewLease(previous, this.ttlMs, now) : await this.acquire(now);
    if (!lease) {
      this.current = undefined;
      return undefined;
    }
    this.current = lease;
    this.renewedAt = now;
    return { lease, newTerm: previous?.token !== lease.token };
  }

  /**
   * Takes the lease unless another node visibly holds it. That case is only read, not written: a conditional
   * write that fails still costs a write unit, and every node not holding a lease asks for it every few hundred
   * ms (at 16 feed shards, that was most of the control table's writes). A stale read only delays a take-over;
   * the conditional write decides.
   */
  private async acquire(now: number): Promise<Lease | undefined> {
    const seen = await this.store.readLease(this.name);
    if (seen && seen.owner !== this.owner && seen.expiresAt >= now) return undefined;
    return this.store.acquireLease(this.name, this.owner, this.ttlMs, now);
  }

  /** Forget the lease locally (after a fenced write); the next `hold()` starts a new term. */
  drop(): void {
    this.current = undefined;
  }

  startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), Math.max(50, this.ttlMs / 3));
    this.timer.unref();
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Gives the lease up so another node can take it at once. */
  async release(): Promise<void> {
    this.stopHeartbeat();
    const lease = this.current;
    this.current = undefined;
    if (lease) await this.store.releaseLease(lease).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const lease = this.current;
    if (!lease) return;
    const now = this.now();
    try {
      const renewed = await this.store.renewLease(lease, this.ttlMs, now);
      if (this.current?.token !== lease.token) return;
      if (renewed) {
        this.current = renewed;
        this.renewedAt = now;
      } else {
        // Someone else holds it now: mark it expired; the next hold() finds out and starts over.
        this.current = { ...lease, expiresAt: 0 };
      }
    } catch {
      // Unreachable store: keep going; the lease simply runs out if this lasts.
    }
  }
}
