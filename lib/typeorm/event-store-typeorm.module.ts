import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';
import type { EventStoreRuntime } from '../nest/event-store-runtime.js';
import { EVENT_STORE_RUNTIME } from '../nest/tokens.js';
import { projectionDefinition } from '../projections/projection.decorator.js';
import { type TypeOrmProjectionOptions, typeOrmProjectionTarget } from './typeorm-projection-target.js';

export interface TypeOrmProjectionsModuleOptions extends TypeOrmProjectionOptions {
  /** The name of the `TypeOrmModule` connection whose database holds the read models. Default: the default one. */
  readonly dataSource?: string;
  /** Modules providing what the projections inject. */
  readonly imports?: DynamicModule['imports'];
}

/**
 * Projections whose read models live in a SQL database reached through `@nestjs/typeorm`. Each batch of
 * events is applied in one transaction of that database, together with the projection's checkpoint row.
 */
@Module({})
export class EventStoreTypeOrmModule {
  /**
   * Registers `@Projection` classes whose handlers write with `ctx.manager` (the batch transaction's
   * `EntityManager`). Needs `EventStoreModule.forRoot` and `TypeOrmModule.forRoot` (PostgreSQL, MySQL or MariaDB).
   */
  static forProjections(projections: readonly Type[], options: TypeOrmProjectionsModuleOptions = {}): DynamicModule {
    projections.forEach((projection, index) => {
      if (typeof projection !== 'function') {
        throw new TypeError(`EventStoreTypeOrmModule.forProjections(): item ${index} is ${String(projection)} (a circular import?)`);
      }
      projectionDefinition(projection);
    });
    const registration: Provider = {
      provide: Symbol('EventStoreTypeOrmProjections'),
      useFactory: async (runtime: EventStoreRuntime, dataSource: DataSource | undefined, ...instances: object[]) => {
        const manager = runtime.projections;
        if (!manager) throw new InvalidEventStoreOptionsError('feed.enabled', 'projections need the feed; do not set feed.enabled to false');
        const target = await typeOrmProjectionTarget(dataSource, manager.projectionStore, options);
        for (const instance of instances) manager.register(instance, target);
        return { onModuleDestroy: () => manager.stop() };
      },
      inject: [EVENT_STORE_RUNTIME, { token: getDataSourceToken(options.dataSource), optional: true }, ...projections],
    };
    return { module: EventStoreTypeOrmModule, imports: options.imports ?? [], providers: [...projections, registration], exports: [...projections] };
  }
}
