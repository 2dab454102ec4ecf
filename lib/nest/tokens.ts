import { Inject } from '@nestjs/common';
import { type AggregateClass, aggregateDefinition } from '../repository/aggregate.decorator.js';

/** Injection token of the `EventStoreRuntime` (clients, store, registry) built by `forRoot`. */
export const EVENT_STORE_RUNTIME = Symbol('EVENT_STORE_RUNTIME');

/**
 * Injection token of the module's `DynamoDBClient`: the `dynamodb.client` you passed, or the one the module built
 * from `dynamodb.clientConfig` (destroyed on shutdown). `null` with `inMemory`. Read your view tables with it
 * instead of building a second client with the same settings.
 */
export const EVENT_STORE_DYNAMODB_CLIENT = Symbol('EVENT_STORE_DYNAMODB_CLIENT');

/** Injects the module's `DynamoDBClient` (see `EVENT_STORE_DYNAMODB_CLIENT`). */
export function InjectDynamoDbClient(): ParameterDecorator & PropertyDecorator {
  return Inject(EVENT_STORE_DYNAMODB_CLIENT);
}

/** The injection token of `AggregateRepository<T>` for an aggregate class. */
export function getRepositoryToken(aggregateClass: AggregateClass): string {
  if (aggregateClass === undefined || aggregateClass === null) {
    throw new TypeError('getRepositoryToken() got undefined: the aggregate class is not loaded yet (a circular import?)');
  }
  return `EventStoreRepository:${aggregateDefinition(aggregateClass).type}`;
}

/** Injects the `AggregateRepository` of an aggregate class registered with `EventStoreModule.forFeature`. */
export function InjectRepository(aggregateClass: AggregateClass): ParameterDecorator & PropertyDecorator {
  return Inject(getRepositoryToken(aggregateClass));
}
