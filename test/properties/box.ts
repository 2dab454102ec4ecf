import { Injectable } from '@nestjs/common';
import { AggregateRoot, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Aggregate } from '../../lib/repository/aggregate.decorator.js';
import { EventType } from '../../lib/serialization/event-type.decorator.js';

/** Carries any payload, so properties can feed the serializer whatever they generate. */
@EventType('box.put')
export class BoxPut {
  constructor(
    readonly boxId: string,
    readonly payload: unknown,
  ) {}
}

@Aggregate({ type: 'Box', events: [BoxPut] })
export class Box extends AggregateRoot {
  readonly items: unknown[] = [];

  constructor(readonly id: string) {
    super();
  }

  put(payload: unknown): void {
    this.apply(new BoxPut(this.id, payload));
  }

  onBoxPut(event: BoxPut): void {
    this.items.push(event.payload);
  }
}

/** Records which boxes reached the EventBus: a rejected save must publish nothing. */
@Injectable()
@EventsHandler(BoxPut)
export class PublishedBoxes implements IEventHandler<BoxPut> {
  readonly ids = new Set<string>();
  handle(event: BoxPut): void {
    this.ids.add(event.boxId);
  }
}
