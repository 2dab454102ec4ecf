import { AggregateRoot } from '@nestjs/cqrs';
import { Aggregate, EventType } from '../lib/index.js';

@EventType('counter.incremented')
export class Incremented {
  constructor(
    readonly counterId: string,
    readonly by: number,
    readonly note: string,
  ) {}
}

/** A minimal aggregate: each command applies one event, so one save = one 1-event changeset. */
@Aggregate({ type: 'Counter', events: [Incremented] })
export class Counter extends AggregateRoot {
  value = 0;
  constructor(readonly id: string) {
    super();
  }
  increment(by: number): void {
    this.apply(new Incremented(this.id, by, 'benchmark payload of a typical small domain event'));
  }
  onIncremented(event: Incremented): void {
    this.value += event.by;
  }
}
