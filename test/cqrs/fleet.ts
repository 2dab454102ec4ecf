import { Injectable, Module } from '@nestjs/common';
import {
  AggregateRoot,
  CommandHandler,
  CqrsModule,
  EventPublisher,
  EventsHandler,
  type ICommand,
  type ICommandHandler,
  type IEvent,
  type IEventHandler,
  ofType,
  Saga,
  UnhandledExceptionBus,
} from '@nestjs/cqrs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { map, type Observable } from 'rxjs';
import { Aggregate, type AggregateRepository, type CommitResult, EventStoreModule, EventType, InjectRepository } from '../../lib/index.js';
import { retryOnConflict } from '../../sample-app/shared/retry-on-conflict.js';

// A small fleet: docking a ship makes a saga order it refuelled, which is a second command and changeset.

@EventType('fleet.ship-docked')
export class ShipDocked {
  constructor(
    readonly shipId: string,
    readonly port: string,
  ) {}
}

@EventType('fleet.ship-refuelled')
export class ShipRefuelled {
  constructor(
    readonly shipId: string,
    readonly port: string,
  ) {}
}

@Aggregate({ type: 'Ship', events: [ShipDocked, ShipRefuelled] })
export class Ship extends AggregateRoot {
  dockings = 0;
  refuellings = 0;

  constructor(readonly id: string) {
    super();
  }

  dockAt(port: string): void {
    this.apply(new ShipDocked(this.id, port));
  }

  refuelAt(port: string): void {
    this.apply(new ShipRefuelled(this.id, port));
  }

  onShipDocked(): void {
    this.dockings++;
  }

  onShipRefuelled(): void {
    this.refuellings++;
  }
}

export class DockShip implements ICommand {
  constructor(
    readonly shipId: string,
    readonly port: string,
  ) {}
}

export class RefuelShip implements ICommand {
  constructor(
    readonly shipId: string,
    readonly port: string,
  ) {}
}

/** The right idiom: change the aggregate, then `save()`; nothing else publishes. */
@CommandHandler(DockShip)
export class DockShipHandler implements ICommandHandler<DockShip, CommitResult> {
  constructor(@InjectRepository(Ship) private readonly ships: AggregateRepository<Ship>) {}

  execute(command: DockShip): Promise<CommitResult> {
    return retryOnConflict(async () => {
      const ship = await this.ships.loadOrCreate(command.shipId); // the same as `find(id) ?? new Ship(id)`
      ship.dockAt(command.port);
      return this.ships.save(ship);
    });
  }
}

@CommandHandler(RefuelShip)
export class RefuelShipHandler implements ICommandHandler<RefuelShip, CommitResult> {
  constructor(@InjectRepository(Ship) private readonly ships: AggregateRepository<Ship>) {}

  execute(command: RefuelShip): Promise<CommitResult> {
    return retryOnConflict(async () => {
      const ship = await this.ships.load(command.shipId);
      ship.refuelAt(command.port);
      return this.ships.save(ship);
    });
  }
}

/** The `@nestjs/cqrs` example's idiom, moved to the store unchanged: merge, change, `commit()`, then save. */
export class DockShipTheOldWay implements ICommand {
  constructor(
    readonly shipId: string,
    readonly port: string,
  ) {}
}

@CommandHandler(DockShipTheOldWay)
export class DockShipTheOldWayHandler implements ICommandHandler<DockShipTheOldWay, CommitResult> {
  constructor(
    @InjectRepository(Ship) private readonly ships: AggregateRepository<Ship>,
    private readonly publisher: EventPublisher,
  ) {}

  async execute(command: DockShipTheOldWay): Promise<CommitResult> {
    const ship = this.publisher.mergeObjectContext(new Ship(command.shipId));
    ship.dockAt(command.port);
    ship.commit();
    return this.ships.save(ship);
  }
}

@Injectable()
export class RefuelAfterDocking {
  @Saga()
  docked = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(ShipDocked),
      map((event) => new RefuelShip(event.shipId, event.port)),
    );
}

/** Every event the EventBus delivered, and every error that ended in the UnhandledExceptionBus. */
@EventsHandler(ShipDocked, ShipRefuelled)
export class ShipLog implements IEventHandler<ShipDocked | ShipRefuelled> {
  readonly seen: Array<ShipDocked | ShipRefuelled> = [];
  readonly unhandled: unknown[] = [];

  constructor(unhandledExceptions: UnhandledExceptionBus) {
    unhandledExceptions.subscribe((info) => this.unhandled.push(info.exception));
  }

  handle(event: ShipDocked | ShipRefuelled): void {
    this.seen.push(event);
  }

  of(shipId: string): Array<ShipDocked | ShipRefuelled> {
    return this.seen.filter((event) => event.shipId === shipId);
  }
}

export function fleetModule(client: DynamoDBClient, tablePrefix: string) {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventStoreModule.forRoot({ dynamodb: { client, tablePrefix, createTables: true }, feed: { enabled: false } }),
      EventStoreModule.forFeature([Ship]),
    ],
    providers: [DockShipHandler, RefuelShipHandler, DockShipTheOldWayHandler, RefuelAfterDocking, ShipLog],
  })
  class FleetModule {}
  return FleetModule;
}
