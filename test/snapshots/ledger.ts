import { AggregateRoot } from '@nestjs/cqrs';
import { Aggregate } from '../../lib/repository/aggregate.decorator.js';
import { EventType } from '../../lib/serialization/event-type.decorator.js';

@EventType('ledger.entry')
export class EntryMade {
  constructor(
    readonly ledgerId: string,
    readonly account: string,
    readonly cents: number,
    readonly note?: string,
  ) {}
}

@EventType('ledger.closed')
export class AccountClosed {
  constructor(
    readonly ledgerId: string,
    readonly account: string,
  ) {}
}

/**
 * State JSON could not keep exactly (a Map, a Set, a Date, an `undefined` property with a non-undefined
 * default), so a snapshot that went through JSON would load wrong where a replay would not.
 */
@Aggregate({ type: 'Ledger', events: [EntryMade, AccountClosed] })
export class Ledger extends AggregateRoot {
  balances = new Map<string, number>();
  closed = new Set<string>();
  lastNote: string | undefined = 'none yet';
  lastEntryAt: Date | undefined;
  entries = 0;

  constructor(readonly id: string) {
    super();
  }

  enter(account: string, cents: number, note?: string): void {
    this.apply(new EntryMade(this.id, account, cents, note));
  }

  close(account: string): void {
    this.apply(new AccountClosed(this.id, account));
  }

  onEntryMade(event: EntryMade): void {
    this.balances.set(event.account, (this.balances.get(event.account) ?? 0) + event.cents);
    this.lastNote = event.note;
    this.lastEntryAt = new Date(Date.UTC(2026, 0, 1) + this.entries * 1000);
    this.entries++;
  }

  onAccountClosed(event: AccountClosed): void {
    this.closed.add(event.account);
  }
}

/** The state a test compares: everything but the AggregateRoot internals. */
export function stateOf(ledger: Ledger): object {
  return { balances: ledger.balances, closed: ledger.closed, lastNote: ledger.lastNote, lastEntryAt: ledger.lastEntryAt, entries: ledger.entries };
}
