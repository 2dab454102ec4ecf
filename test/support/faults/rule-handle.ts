/** What `FaultProxy.addRule` returns. */
export interface RuleHandle {
  /** Requests that matched the rule so far. */
  readonly seen: number;
  /** Requests the rule faulted so far. */
  readonly injected: number;
  /** A `pause` rule: requests held right now. */
  readonly held: number;
  /** A `pause` rule: resolves once `count` requests are held at the same time; rejects after `timeoutMs` (default 10,000). */
  waitUntilHeld(count: number, timeoutMs?: number): Promise<void>;
  /** Stops the rule; a `pause` rule forwards every request it holds. */
  release(): void;
  /** Same as `release()`. */
  remove(): void;
}

/** Holds requests until opened; once open, lets every later request through too. */
export class PauseGate {
  private waiting: (() => void)[] = [];
  private watchers: (() => void)[] = [];
  private isOpen = false;

  get held(): number {
    return this.waiting.length;
  }

  hold(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      for (const watch of this.watchers) watch();
    });
  }

  open(): void {
    this.isOpen = true;
    const released = this.waiting;
    this.waiting = [];
    for (const resolve of released) resolve();
  }

  waitUntilHeld(count: number, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.waiting.length < count) return;
        clearTimeout(timer);
        this.watchers = this.watchers.filter((watch) => watch !== check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.watchers = this.watchers.filter((watch) => watch !== check);
        reject(new Error(`waited ${timeoutMs} ms for ${count} held requests, ${this.waiting.length} held`));
      }, timeoutMs);
      this.watchers.push(check);
      check();
    });
  }
}
