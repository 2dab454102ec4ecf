import 'reflect-metadata';
import type { AggregateRoot } from '@nestjs/cqrs';
import type { EventClass } from '../serialization/event-type.decorator.js';
import type { SnapshotOptions } from '../snapshots/snapshot-options.js';
import type { AggregateStateCodec } from './state-codec.js';

const AGGREGATE = Symbol.for('nestjs-dynamodb-event-store:aggregate');

/** An aggregate instance with a public string `id`. The repository also accepts a `private` or `protected` one. */
export type IdentifiedAggregate = AggregateRoot & { readonly id: string };

/**
 * An aggregate class: a `@nestjs/cqrs` `AggregateRoot` subclass built from its id, which it keeps in a
 * property named `id` (public, `protected` or `private`: the repository reads it at run time, and a save
 * of an instance without a string `id` fails with `InvalidAggregateIdError`).
 */
export type AggregateClass<T extends AggregateRoot = AggregateRoot> = new (id: string) => T;

/** An aggregate's id, read at run time: a `private` or `protected` `id` is as good as a public one. */
export function aggregateIdOf(aggregate: AggregateRoot): unknown {
  return (aggregate as unknown as { readonly id?: unknown }).id;
}

export interface AggregateOptions {
  /** Stable stored type name. Default: the class name. */
  readonly type?: string;
  /** The event classes this aggregate applies; they are registered for save and load. Default: none. */
  readonly events?: readonly EventClass[];
  /** How its state is captured and restored for the in-process cache. Default: `plainDataState` (own data properties). */
  readonly state?: AggregateStateCodec;
  /** Keep loaded instances in the in-process cache. Default `true` (when the module's `aggregateCache` is on). */
  readonly cache?: boolean;
  /** Snapshots: when to take them (`every` N events or `shouldSnapshot`), their schema `version` and where they go. Default: none. */
  readonly snapshot?: SnapshotOptions;
}

/** Declares an aggregate's stable type name and its events. */
export function Aggregate(options: AggregateOptions = {}): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(AGGREGATE, options, target);
  };
}

export interface AggregateDefinition {
  readonly type: string;
  readonly events: readonly EventClass[];
  readonly state?: AggregateStateCodec;
  readonly cache: boolean;
  readonly snapshot?: SnapshotOptions;
}

export function aggregateDefinition(aggregateClass: AggregateClass): AggregateDefinition {
  if (typeof aggregateClass !== 'function') {
    throw new TypeError(`Expected an aggregate class, got ${String(aggregateClass)} (a circular import?)`);
  }
  const options = (Reflect.getOwnMetadata(AGGREGATE, aggregateClass) as AggregateOptions | undefined) ?? {};
  return {
    type: options.type ?? aggregateClass.name,
    events: options.events ?? [],
    ...(options.state ? { state: options.state } : {}),
    cache: options.cache ?? true,
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
  };
}
