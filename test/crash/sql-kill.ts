import type { Statement, StatementHook } from '../support/faults/sql-statements.js';

/** Which statements a kill counts: the handlers', the checkpoint's move, the COMMIT, or any at all. */
export type KillTarget = 'handler' | 'checkpoint' | 'commit' | 'any';

/**
 * Relative to the matched statement: `before` it is sent; `during`, right after it was handed to the driver
 * (the reply races the kill); `after` the database answered, before the library sees the answer (for a COMMIT:
 * committed, never acknowledged).
 */
export type KillPhase = 'before' | 'during' | 'after';

export interface KillPlan {
  readonly target: KillTarget;
  readonly phase: KillPhase;
  /** Matching statements let through before the one the kill lands on. */
  readonly skip: number;
}

export const describePlan = (plan: KillPlan): string => `${plan.target}:${plan.phase}:${plan.skip}`;

export function parsePlan(text: string): KillPlan {
  const [target, phase, skip] = text.split(':');
  if (!['handler', 'checkpoint', 'commit', 'any'].includes(target!) || !['before', 'during', 'after'].includes(phase!) || !/^\d+$/.test(skip ?? '')) {
    throw new Error(`bad kill plan "${text}" (want <handler|checkpoint|commit|any>:<before|during|after>:<skip>)`);
  }
  return { target: target as KillTarget, phase: phase as KillPhase, skip: Number(skip) };
}

const matches = (target: KillTarget, statement: Statement) => target === 'any' || statement.kind === target;

/** SIGKILL of this process at the plan's statement: a line on stdout first (synchronous on a pipe) says where. */
export function killAt(plan: KillPlan): StatementHook {
  let seen = 0;
  const die = (statement: Statement) => {
    process.stdout.write(`KILLED ${describePlan(plan)} ${statement.kind}: ${statement.sql.slice(0, 80)}\n`);
    process.kill(process.pid, 'SIGKILL');
  };
  return async (statement, send) => {
    if (!matches(plan.target, statement) || seen++ !== plan.skip) return send();
    if (plan.phase === 'before') die(statement);
    const reply = send();
    // `during`: the driver writes the statement within this turn of the event loop; the kill comes at its end.
    if (plan.phase === 'during') setImmediate(() => die(statement));
    else await reply.then(() => die(statement), () => die(statement));
    return reply;
  };
}
