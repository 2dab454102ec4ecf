import type { InjectionToken, OptionalFactoryDependency, Provider, Type } from '@nestjs/common';
import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';
import type { ProjectionManager } from '../projections/projection-manager.js';
import { projectionDefinition } from '../projections/projection.decorator.js';
import type { EventStoreRuntime } from './event-store-runtime.js';
import { EVENT_STORE_RUNTIME } from './tokens.js';

/**
 * The providers of `@Projection` classes, and one that hands their instances to the projection manager
 * through `register` (with the `extra` dependencies it injects). `caller` names the method in errors.
 */
export function projectionProviders(
  caller: string,
  projections: readonly Type[],
  extra: ReadonlyArray<InjectionToken | OptionalFactoryDependency>,
  register: (manager: ProjectionManager, instances: object[], extras: unknown[], runtime: EventStoreRuntime) => void | Promise<void>,
): Provider[] {
  projections.forEach((projection, index) => {
    if (typeof projection !== 'function') throw new TypeError(`${caller}: item ${index} is ${String(projection)} (a circular import?)`);
    projectionDefinition(projection);
  });
  const registration: Provider = {
    provide: Symbol(caller),
    useFactory: async (runtime: EventStoreRuntime, ...rest: unknown[]) => {
      const manager = runtime.projections;
      if (!manager) throw new InvalidEventStoreOptionsError('feed.enabled', 'projections need the feed; do not set feed.enabled to false');
      await register(manager, rest.slice(extra.length) as object[], rest.slice(0, extra.length), runtime);
      // Stop applying events as early in shutdown as Nest allows, before the projections' own
      // dependencies (clients, other providers) are destroyed.
      return { onModuleDestroy: () => manager.stop() };
    },
    inject: [EVENT_STORE_RUNTIME, ...extra, ...projections],
  };
  return [...projections, registration];
}
