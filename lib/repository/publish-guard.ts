import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';
import { PublishBypassesStoreError } from '../errors/publish-bypasses-store.error.js';
import type { AggregateClass } from './aggregate.decorator.js';

/** Own property of a guarded prototype; its value is the aggregate type name. */
const GUARDED = Symbol.for('nestjs-dynamodb-event-store:publish-guard');
const PUBLISHERS = ['publish', 'publishAll', 'commit'] as const;

/** The throwing stand-ins the guard hands out, to recognise them on an instance. */
const standIns = new WeakSet<object>();
/** What `EventPublisher.mergeObjectContext` assigned, kept so the merge itself still works. */
const merged = new WeakMap<object, Map<string, unknown>>();

type Instance = { readonly id?: unknown };

function refusal(aggregateType: string, instance: Instance, via: string): PublishBypassesStoreError {
  return new PublishBypassesStoreError(aggregateType, String(instance.id), via);
}

/**
 * Makes `AggregateRoot`'s own publishing fail loudly on a store-managed class: `commit()` throws,
 * `publish`/`publishAll` resolve to functions that throw, and `autoCommit = true` throws. Each throws before
 * anything is cleared, so the events stay uncommitted and a later `save()` stores, then publishes them.
 * Only the repository publishes, through the `EventBus` it was given. Idempotent per class.
 */
export function guardPublishing(aggregateClass: AggregateClass, aggregateType: string): void {
  const prototype = aggregateClass.prototype as object;
  if (Object.prototype.hasOwnProperty.call(prototype, GUARDED)) return;
  assertNoOwnPublishers(aggregateClass);
  for (const name of ['publish', 'publishAll'] as const) {
    Object.defineProperty(prototype, name, {
      configurable: true,
      get(this: Instance) {
        const standIn = () => {
          throw refusal(aggregateType, this, `${name}()`);
        };
        standIns.add(standIn);
        return standIn;
      },
      set(this: object, value: unknown) {
        const assigned = merged.get(this) ?? new Map<string, unknown>();
        merged.set(this, assigned.set(name, value));
      },
    });
  }
  const commit = function (this: Instance): never {
    throw refusal(aggregateType, this, 'commit()');
  };
  standIns.add(commit);
  Object.defineProperty(prototype, 'commit', { configurable: true, writable: true, value: commit });
  const autoCommit = findAccessor(prototype, 'autoCommit');
  if (autoCommit?.get && autoCommit.set) {
    const { get, set } = autoCommit;
    Object.defineProperty(prototype, 'autoCommit', {
      configurable: true,
      get,
      set(this: Instance, value: unknown) {
        if (value) throw refusal(aggregateType, this, 'autoCommit = true');
        set.call(this, value);
      },
    });
  }
  Object.defineProperty(prototype, GUARDED, { value: aggregateType });
}

/**
 * Refuses to save an aggregate that may have published events on its own: `autoCommit` on, or publishing
 * methods that are not the guard's (a class from `EventPublisher.mergeClassContext`, own properties).
 */
export function assertStoreManaged(aggregate: object, aggregateType: string): void {
  const instance = aggregate as Instance & Record<string, unknown>;
  if (instance['autoCommit'] === true) throw refusal(aggregateType, instance, 'autoCommit = true');
  if (!(GUARDED in aggregate)) return;
  for (const name of PUBLISHERS) {
    const value = instance[name];
    if (typeof value !== 'function' || !standIns.has(value)) throw refusal(aggregateType, instance, `an own or merged ${name}()`);
  }
}

function assertNoOwnPublishers(aggregateClass: AggregateClass): void {
  // Walk up to AggregateRoot's own prototype (the one that owns getUncommittedEvents).
  for (let proto = aggregateClass.prototype as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.prototype.hasOwnProperty.call(proto, 'getUncommittedEvents')) return;
    if (Object.prototype.hasOwnProperty.call(proto, GUARDED)) continue;
    const own = PUBLISHERS.filter((name) => Object.prototype.hasOwnProperty.call(proto, name));
    if (own.length > 0) {
      const owner = (proto as { constructor?: { name?: string } }).constructor?.name ?? aggregateClass.name;
      throw new InvalidEventStoreOptionsError(
        'forFeature',
        `${owner} defines ${own.map((name) => `${name}()`).join(', ')}, which AggregateRoot uses to publish events ` +
          'without storing them; the repository publishes after save(). Rename the method (e.g. publishBy).',
      );
    }
  }
}

function findAccessor(start: object, name: string): PropertyDescriptor | undefined {
  for (let proto: object | null = start; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}
