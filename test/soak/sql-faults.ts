import { seededRandom } from '../support/faults/index.js';
import type { StatementHook, StatementKind } from '../support/faults/sql-statements.js';

type SqlFaultKind = 'deadlock' | 'serialization' | 'connection-lost' | 'lost-commit-reply';

/** What the `pg` driver throws for each fault: the codes the library must treat as passing. */
const ERRORS: Record<SqlFaultKind, () => Error> = {
  deadlock: () => Object.assign(new Error('deadlock detected (injected)'), { code: '40P01' }),
  serialization: () => Object.assign(new Error('could not serialize access due to concurrent update (injected)'), { code: '40001' }),
  'connection-lost': () => Object.assign(new Error('Connection terminated unexpectedly (injected)'), { code: 'ECONNRESET' }),
  'lost-commit-reply': () => Object.assign(new Error('Connection terminated unexpectedly (injected after COMMIT)'), { code: 'ECONNRESET' }),
};

/**
 * Which statements each fault may hit, and its share of the rate. `lost-commit-reply` sends first, then throws.
 * A batch that catches up runs a hundred statements or more: the per-statement shares are small, so that at a rate
 * of 0.1 most batches commit; one COMMIT in five loses its reply.
 */
const MIX: ReadonlyArray<{ readonly kind: SqlFaultKind; readonly on: readonly StatementKind[]; readonly share: number }> = [
  { kind: 'lost-commit-reply', on: ['commit'], share: 2 },
  { kind: 'deadlock', on: ['handler', 'checkpoint'], share: 0.015 },
  { kind: 'serialization', on: ['handler'], share: 0.005 },
  { kind: 'connection-lost', on: ['begin', 'handler', 'checkpoint', 'commit', 'outside'], share: 0.01 },
];

/**
 * The SQL side of a soak node's faults (its fault proxy cannot reach PostgreSQL): at `rate`, seeded, deadlocks
 * and serialization failures on the batch's statements, connections lost before a statement, and COMMITs that
 * commit but whose reply is lost. `pause()` holds every statement, as the proxy holds the node's DynamoDB
 * requests: a paused node's open transaction then commits late, after another node took its lease.
 */
export class SqlFaults {
  private readonly draw: () => number;
  private readonly counts: Partial<Record<SqlFaultKind, number>> = {};
  private gate: Promise<void> | undefined;
  private held = 0;
  private isCut = false;
  private commitsSeen = 0;

  constructor(
    seed: number,
    private readonly rate: number,
    private readonly active: () => boolean,
  ) {
    this.draw = seededRandom(seed);
  }

  readonly hook: StatementHook = async (statement, send) => {
    while (this.gate) {
      this.held++;
      await this.gate;
    }
    if (this.isCut) throw ERRORS['connection-lost']();
    if (!this.active()) return send();
    // The first COMMIT under faults always loses its reply: every run meets the unknown outcome at least once.
    const first = statement.kind === 'commit' && this.commitsSeen++ === 0 && this.rate > 0;
    const fault = first ? MIX[0] : MIX.find((f) => f.on.includes(statement.kind) && this.draw() < this.rate * f.share);
    if (!fault) return send();
    this.counts[fault.kind] = (this.counts[fault.kind] ?? 0) + 1;
    if (fault.kind === 'lost-commit-reply') await send();
    throw ERRORS[fault.kind]();
  };

  /** Holds every statement until the returned `release`, which says how many were held. */
  pause(): () => number {
    let open!: () => void;
    this.gate = new Promise((resolve) => (open = resolve));
    this.held = 0;
    return () => {
      this.gate = undefined;
      open();
      return this.held;
    };
  }

  /** A crash: from now on every statement fails as if the connection were gone (not counted as a fault). */
  cut(): void {
    this.isCut = true;
  }

  /** Injected faults by kind. */
  injected(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }
}
