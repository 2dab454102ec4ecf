import { Injectable } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { AccountOpened, MoneyDeposited } from '../../fixtures/account.js';

/** Records what reached the EventBus, to check order and that it only happens after commit. */
@Injectable()
@EventsHandler(AccountOpened, MoneyDeposited)
export class RecordingHandler implements IEventHandler<AccountOpened | MoneyDeposited> {
  readonly seen: Array<AccountOpened | MoneyDeposited> = [];
  handle(event: AccountOpened | MoneyDeposited): void {
    this.seen.push(event);
  }
}
