import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { projectionProviders } from '../nest/projection-registration.js';
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
    const dataSource = { token: getDataSourceToken(options.dataSource), optional: true };
    const providers = projectionProviders('EventStoreTypeOrmModule.forProjections()', projections, [dataSource], async (manager, instances, [source]) => {
      const target = await typeOrmProjectionTarget(source as DataSource | undefined, manager.projectionStore, options);
      for (const instance of instances) manager.register(instance, target);
    });
    return { module: EventStoreTypeOrmModule, imports: options.imports ?? [], providers, exports: [...projections] };
  }
}
