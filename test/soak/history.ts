import type { CommitResult, Dependency, StreamKey } from '../../lib/index.js';

/** `acked`: save resolved. `failed`: it certainly did not commit (a conflict). `unknown`: the storage failed, it may have. */
export type Outcome = 'acked' | 'failed' | 'unknown';

export type CommandKind = 'create-user' | 'publish-post' | 'clap';

/** One call of `save()`, as the caller saw it. */
export interface SaveAttempt {
  /**
   * The decision: one aggregate instance with its new events. Retries of that instance share it; it is stored
   * as every event's `correlationId`, so a stored changeset names the decision it came from.
   */
  readonly op: string;
  /** 1-based within `op`. */
  readonly attempt: number;
  readonly command: CommandKind;
  readonly node: string;
  readonly stream: StreamKey;
  /** Versions of other aggregates the command loaded, and commits named by `after`: the feed must place them first. */
  readonly dependencies: readonly Dependency[];
  readonly outcome: Outcome;
  /** What `save()` resolved to, when acked. */
  readonly result?: CommitResult;
  /** The error's code or name, when not acked. */
  readonly error?: string;
}

/** Every save attempt of a run, in the order they ended. In memory: the workload's own account of what happened. */
export class HistoryRecorder {
  readonly attempts: SaveAttempt[] = [];
  private acks: CommitResult[] = [];

  record(attempt: SaveAttempt): void {
    this.attempts.push(attempt);
    if (attempt.result) this.acks.push(attempt.result);
  }

  get count(): number {
    return this.attempts.length;
  }

  /** A recent acknowledged commit, picked by `random`, for an `after` token; undefined before the first. */
  recentAck(random: () => number, window = 200): CommitResult | undefined {
    if (this.acks.length > 4 * window) this.acks = this.acks.slice(-window);
    const from = Math.max(0, this.acks.length - window);
    return this.acks[from + Math.floor(random() * (this.acks.length - from))];
  }
}
