import { randomUUID } from 'node:crypto';
import { ProjectionParkedError } from '../../lib/errors/projection-parked.error.js';
import { HandlesEvent, type PoisonPolicy, Projection } from '../../lib/projections/projection.decorator.js';
import type { ProjectionManager } from '../../lib/projections/projection-manager.js';
import type { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';

/** A projection that throws for the accounts in `poisoned`, and what it does after parking one: `onPoison`. */
function poisonableProjection(name: string, onPoison: PoisonPolicy) {
  @Projection(name, { maxAttempts: 2, retryDelayMs: 1, onPoison })
  class Poisonable {
    readonly poisoned = new Set<string>();
    readonly applied: string[] = [];

    @HandlesEvent(AccountOpened, MoneyDeposited)
    apply(event: AccountOpened | MoneyDeposited): void {
      if (this.poisoned.has(event.accountId)) throw new Error(`poison on ${event.accountId}`);
      this.applied.push(event.accountId);
    }
  }
  return Poisonable;
}

/** Stops at the first poisoned account (`onPoison: 'stop'`). */
export const StoppingProjection = poisonableProjection('stopping', 'stop');
/** Parks a poisoned account and moves on (`onPoison: 'continue'`). */
export const ContinuingProjection = poisonableProjection('continuing', 'continue');

export interface WaitForFixture {
  readonly manager: ProjectionManager;
  readonly accounts: AggregateRepository<Account>;
  close(): Promise<void>;
}

/** A running node (sequencer and projections started) with these projections registered. */
export type WaitForFactory = (projections: object[]) => Promise<WaitForFixture>;

/** Once the projection parked or stopped, a wait fails within this (its own timeout is WAIT_MS). */
const AT_ONCE_MS = 2000;
const WAIT_MS = 30_000;

async function open(accounts: AggregateRepository<Account>, id = randomUUID()): Promise<{ id: string; token: string }> {
  const account = new Account(id);
  account.open('o');
  return { id, token: (await accounts.save(account)).token };
}

/** `waitFor` fails at once, with a typed error, on a parked commit and behind a stopped projection; on every store. */
export function describeWaitForContract(name: string, factory: WaitForFactory): void {
  describe(`waitFor on parked and stopped projections: ${name}`, () => {
    let fixture: WaitForFixture | undefined;
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });

    it("fails at once on a projection stopped on a poison changeset, on that commit and on later ones", async () => {
      const stopping = new StoppingProjection();
      fixture = await factory([stopping]);
      const bad = randomUUID();
      stopping.poisoned.add(bad);
      const poison = await open(fixture.accounts, bad);
      const later = await open(fixture.accounts);
      // Waiting from before the park: it ends with the typed error as soon as the projection stops, not at the timeout.
      const error = await fixture.manager.waitFor('stopping', later.token, WAIT_MS).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProjectionParkedError);
      expect(error).toMatchObject({ code: 'PROJECTION_PARKED', reason: 'stopped', projection: 'stopping', parkedError: `Error: poison on ${bad}` });
      expect((error as Error).message).toContain(`poison on ${bad}`);
      const started = Date.now();
      await expect(fixture.manager.waitFor('stopping', poison.token, WAIT_MS)).rejects.toMatchObject({ code: 'PROJECTION_PARKED' });
      await expect(fixture.manager.waitFor('stopping', later.token, WAIT_MS)).rejects.toMatchObject({ reason: 'stopped' });
      expect(Date.now() - started).toBeLessThan(AT_ONCE_MS);
      expect(stopping.applied).not.toContain(later.id);

      // Fixed and retried: the same waits now succeed, in order.
      stopping.poisoned.clear();
      expect(await fixture.manager.retryParked('stopping')).toBe(true);
      await fixture.manager.waitFor('stopping', later.token, WAIT_MS);
      expect(stopping.applied).toEqual([bad, later.id]);
    });

    it("fails at once on a parked commit of a projection that moved on, and still waits for later ones", async () => {
      const continuing = new ContinuingProjection();
      fixture = await factory([continuing]);
      const bad = randomUUID();
      continuing.poisoned.add(bad);
      const poison = await open(fixture.accounts, bad);
      const later = await open(fixture.accounts);
      const parked = { code: 'PROJECTION_PARKED', reason: 'parked', parkedError: `Error: poison on ${bad}` };
      await expect(fixture.manager.waitFor('continuing', poison.token, WAIT_MS)).rejects.toMatchObject(parked);
      const started = Date.now();
      await expect(fixture.manager.waitFor('continuing', poison.token, WAIT_MS)).rejects.toMatchObject(parked);
      expect(Date.now() - started).toBeLessThan(AT_ONCE_MS);
      await fixture.manager.waitFor('continuing', later.token, WAIT_MS);
      expect(continuing.applied).toEqual([later.id]);
    });
  });
}
